"""Every change page's fieldsets are the HTML Django's own `fieldset.html` renders."""

import re
from pathlib import Path

import django
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template import Context, Engine

from contracts.models import DataContract, Status
from tenancy.admin_fieldsets import fieldset_html
from tenancy.scoping import user_scope

DJANGO_FIELDSET = (Path(django.__file__).parent
                   / "contrib/admin/templates/admin/includes/fieldset.html")


@pytest.fixture
def demo(db):
    call_command("seed_demo", password="demo-password-123", verbosity=0)


def _djangos(fieldset, **arguments):
    template = Engine.get_default().from_string(DJANGO_FIELDSET.read_text())
    return template.render(Context({"fieldset": fieldset, **arguments}))


def _tags(html):
    """The HTML with the whitespace between and inside tags' surroundings collapsed."""
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


def _fieldsets(response):
    assert response.status_code == 200
    return list(response.context["adminform"])


def _assert_as_djangos(fieldsets):
    for counter, fieldset in enumerate(fieldsets):
        arguments = {"heading_level": 2, "prefix": "fieldset", "id_prefix": 0,
                     "id_suffix": counter}
        assert _tags(fieldset_html(fieldset, **arguments)) == _tags(
            _djangos(fieldset, **arguments))


def test_every_change_and_add_page_has_djangos_fieldsets(demo, client):
    client.force_login(get_user_model().objects.create_superuser("root", password="x" * 12))
    pages = 0
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        obj = model._base_manager.first()
        for url in ([f"{base}{obj.pk}/change/"] if obj else []) + [f"{base}add/"]:
            response = client.get(url)
            if response.status_code == 200 and "adminform" in response.context:
                _assert_as_djangos(_fieldsets(response))
                pages += 1
    assert pages > 20


def test_a_stewards_contract_pages_read_only_and_editable_fields(demo, client):
    steward = get_user_model().objects.get(username="priya")
    client.force_login(steward)
    with user_scope(steward):
        active = DataContract.objects.filter(status=Status.ACTIVE).first()
        draft = DataContract.objects.filter(status=Status.DRAFT).first()

    for contract in (active, draft):
        fieldsets = _fieldsets(client.get(f"/admin/contracts/datacontract/{contract.pk}/change/"))
        _assert_as_djangos(fieldsets)
        html = "".join(fieldset_html(fieldset) for fieldset in fieldsets)
        # An active contract's schema is locked; a draft's is a field to edit.
        assert ('name="schema_data"' in html) == (contract.status == Status.DRAFT)
        assert ('field-schema_display' in html) == (contract.status != Status.DRAFT)
        assert 'name="business_owners"' in html


def test_errors_show_on_their_fields(demo, client):
    steward = get_user_model().objects.get(username="priya")
    client.force_login(steward)
    with user_scope(steward):
        draft = DataContract.objects.filter(status=Status.DRAFT).first()
    url = f"/admin/contracts/datacontract/{draft.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"schema_data": "{not json", "name": draft.name, "version": draft.version})

    response = client.post(url, {key: value for key, value in data.items()
                                 if not isinstance(value, list | dict)})

    fieldsets = _fieldsets(response)
    _assert_as_djangos(fieldsets)
    html = "".join(fieldset_html(fieldset) for fieldset in fieldsets)
    assert 'class="form-row errors field-schema_data"' in html
    assert '<ul class="errorlist"' in html
