"""SIP sync from the API: after every change, and on demand (POST /api/v1/sip/sync)."""
