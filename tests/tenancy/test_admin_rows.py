"""Every admin list's rows are the HTML Django's own `result_list` renders, on the demo data."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_list
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils.html import escape

from contracts.models import Owner
from tenancy.admin_rows import result_list_fast


@pytest.fixture
def demo(db):
    call_command("seed_demo", password="demo-password-123", verbosity=0)


def _changelist(client, model, query=""):
    response = client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/{query}")
    assert response.status_code == 200
    return response.context["cl"]


def _html(rows):
    return [[str(cell) for cell in row] for row in rows]


def test_every_lists_rows_are_djangos(demo, client):
    client.force_login(get_user_model().objects.create_superuser("root", password="x" * 12))
    shown = {}
    for model in admin.site._registry:
        cl = _changelist(client, model)
        rows = _html(result_list_fast(cl)["results"])
        assert rows == _html(result_list(cl)["results"]), model._meta.label
        shown[model._meta.label] = len(rows)

    assert shown["quality.QualityViolation"] == 50
    assert shown["contracts.DataContract"] > 1


def test_rows_escape_what_they_show_and_keep_the_filters_in_their_links(demo, client,
                                                                        unscoped):
    client.force_login(get_user_model().objects.create_superuser("root", password="x" * 12))
    Owner.objects.filter(pk=Owner.objects.first().pk).update(name='<b>"Zzyzx" & co</b>')

    cl = _changelist(client, Owner, "?q=Zzyzx")
    rows = _html(result_list_fast(cl)["results"])

    assert rows == _html(result_list(cl)["results"])
    assert len(rows) == 1
    assert escape('<b>"Zzyzx" & co</b>') in "".join(rows[0])
    assert "_changelist_filters=q%3DZzyzx" in "".join(rows[0])


def test_a_stewards_violation_list_shows_the_fast_rows(demo, client):
    client.force_login(get_user_model().objects.get(username="priya"))

    response = client.get("/admin/quality/qualityviolation/")

    cl = response.context["cl"]
    first_row = "".join(str(cell) for cell in result_list(cl)["results"][0])
    assert first_row in response.content.decode()
