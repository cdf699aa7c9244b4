"""Helpers of the quality admin tests."""

from django.test import Client
from django.urls import reverse


def signed_in(user):
    """A test client of its own, signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def listed(response):
    """Record identifiers of the violations a list page shows, in order."""
    return [violation.record_identifier for violation in response.context["cl"].result_list]


def admin_url(model_name, view="changelist", *args):
    return reverse(f"admin:quality_{model_name}_{view}", args=args)


def violations_url(query=""):
    return admin_url("qualityviolation") + (f"?{query}" if query else "")


def violation_url(violation, view="change"):
    return admin_url("qualityviolation", view, violation.pk)
