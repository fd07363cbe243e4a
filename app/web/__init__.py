"""The browser test-call page (`/call`) and a small index (`/`). Plain HTML/CSS/JS, no build
step; livekit-client is served from the npm install in node_modules, never from a CDN."""
