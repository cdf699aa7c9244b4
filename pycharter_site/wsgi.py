"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

from pycharter_site.stack_room import call_with_stack_room

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pycharter_site.settings")
django_application = get_wsgi_application()


def application(environ, start_response):
    """Django's application, each request in a stack chunk of its own (see stack_room)."""
    return call_with_stack_room(django_application, environ, start_response)
