"""Error bodies of the API: one shape, and one 404 for "missing" and "not yours"."""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler

NOT_FOUND = "Not found."


def api_exception_handler(error, context):
    if isinstance(error, ObjectDoesNotExist | Http404):
        error = exceptions.NotFound(NOT_FOUND)
    elif isinstance(error, ValidationError):
        error = exceptions.ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        )
    return exception_handler(error, context)
