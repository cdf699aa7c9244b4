"""Project-wide system checks."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_set(app_configs=None, **kwargs):
    """pycharter_site.E001: outside DEBUG there is no development key to fall back on.

    A deploy check, as Django's own SECRET_KEY checks are: commands that sign nothing
    (makemigrations, the DBA's SQL) run without a key, while Django refuses to sign
    sessions or CSRF tokens with an empty one.
    """
    try:
        if settings.SECRET_KEY:
            return []
    except ImproperlyConfigured:  # Django refuses to read an empty key
        pass
    return [checks.Error(
        "SECRET_KEY must be set when DEBUG is off.",
        hint="Set the SECRET_KEY environment variable (or DEBUG=1 to try the site out).",
        id="pycharter_site.E001",
    )]
