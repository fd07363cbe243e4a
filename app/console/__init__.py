"""The supervisor console at /console: sign-in (session cookie + CSRF token), the page and its
static files, and the live view's event stream. Everything else the page shows comes from the
admin JSON API, which accepts the console's session as well as the Bearer key (app/deps.py)."""
