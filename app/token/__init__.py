"""Browser-call tokens: `POST /api/v1/token` (LiveKit's standard token-endpoint shape) and the
`POST /api/token` shape the existing front end uses. A token joins exactly one room and
dispatches the contact-center agent into it, like a SIP dispatch rule does for phone calls."""
