"""The HTTP API's foundations: token sign-in, rights, throttling, sanitized JSON, 404s."""
