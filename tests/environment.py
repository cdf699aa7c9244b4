"""The one place tests override the environment, loaded as a pytest plugin (-p) before Django.

Tests run with production settings (DEBUG off), so they need a SECRET_KEY and no
HTTPS redirect for the test client. Values already in the environment win, so
CI's DATABASE_URL picks PostgreSQL.
"""

import os

os.environ.setdefault(
    "SECRET_KEY", "tests-only-secret-key-that-is-long-and-random-enough-0123456789"
)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("STATIC_FILES_HASHED", "false")
