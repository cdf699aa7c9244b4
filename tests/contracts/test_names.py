"""Contract, owner, system and domain names follow the naming rules on every way in, and
rows that break them (written by other tools) are reported, never changed."""

import importlib
import io
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from contracts.models import DataContract, Domain, Owner, System
from tests import factories
from tests.api_helpers import token_client

pytestmark = pytest.mark.usefixtures("unscoped")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pycharter"
NAME_RULE = 'may hold only letters, digits, "_", "-" and "." and must start with a letter or digit'
OWNER_ID_RULE = (
    'may hold only letters, digits, "_", "-", ".", "@" and "+" and must start with a letter '
    "or digit"
)
DISPLAY_NAME_RULE = "may not hold control characters or characters that reorder text"
BAD_NAMES = ["../../etc/passwd", "/tmp/x", "orders\u202etxt.exe", "new\nline", "_hidden", "a b"]


def _quoted(name):
    """A name as the messages show it: in double quotes, line breaks and controls escaped."""
    shown = {"\n": "\\u000a", "\t": "\\u0009", "\x07": "\\u0007", "\u202e": "\\u202e"}
    return '"' + "".join(shown.get(character, character) for character in name) + '"'


@pytest.fixture
def other_rows(other_space):
    """The other tenant's rows, which nothing here may change."""
    organization = other_space.organization
    factories.OwnerFactory(organization=organization, id="their_owner", name="Their Owner")
    factories.SystemFactory(organization=organization, name="THEIRS")
    factories.DomainFactory(organization=organization, name="Theirs")
    factories.DataContractFactory(space=other_space, name="their_contract")
    return _snapshot()


def _snapshot():
    return [
        sorted(model._base_manager.values_list("pk", "name", "updated_at"))
        for model in (Owner, System, Domain, DataContract)
    ]


@pytest.fixture
def steward_client(client, steward):
    client.force_login(steward)
    return client


def _space_argument(space):
    return f"{space.organization.slug}/{space.slug}"


def test_the_fixtures_and_demo_names_follow_the_rules(db, space):
    # given the names PyCharter documents and the demo use
    output = io.StringIO()

    # when they are imported
    call_command("import_contract", str(FIXTURES / "member_contract.yaml"),
                 "--space", _space_argument(space), stdout=output, stderr=io.StringIO())

    # then they are accepted, emails as owner ids included
    assert output.getvalue() == "library_members 1.0.0: created\n"
    assert Owner.objects.filter(pk="head-librarian@citylibrary.example").exists()


# The admin


@pytest.mark.parametrize("bad_name", BAD_NAMES)
@pytest.mark.parametrize(("model_name", "data", "field", "rule"), [
    ("owner", {"name": "Fine Name"}, "id", OWNER_ID_RULE),
    ("system", {"app_id": "", "description": "", "provider_type": "other", "is_active": "on",
                "config": ""}, "name", NAME_RULE),
    ("domain", {"description": ""}, "name", NAME_RULE),
])
def test_the_admin_refuses_a_bad_reference_name(
    steward_client, space, other_rows, bad_name, model_name, data, field, rule
):
    # when a steward adds an owner, system or domain with a bad name
    response = steward_client.post(reverse(f"admin:contracts_{model_name}_add"), {
        **data, field: bad_name, "organization": space.organization_id,
    })

    # then the form names the field and the rule, and nothing was written anywhere
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {field: [f"{_quoted(bad_name)} {rule}"]}
    assert _snapshot() == other_rows


@pytest.mark.parametrize("bad_name", ["Mallory\u202eeciffO", "Tab\there", "Bell\x07"])
def test_the_admin_refuses_control_and_bidi_characters_in_an_owner_display_name(
    steward_client, space, other_rows, bad_name
):
    response = steward_client.post(reverse("admin:contracts_owner_add"), {
        "id": "mallory", "name": bad_name, "organization": space.organization_id,
    })

    assert response.context["adminform"].form.errors == {
        "name": [f"{_quoted(bad_name)} {DISPLAY_NAME_RULE}"]
    }
    assert _snapshot() == other_rows


def test_an_owner_display_name_may_hold_spaces_and_any_script(steward_client, space):
    response = steward_client.post(reverse("admin:contracts_owner_add"), {
        "id": "jose.garcia+ops@example.com", "name": "José García (מבצעים)",
        "organization": space.organization_id,
    })

    assert response.status_code == 302
    assert Owner.objects.get(pk="jose.garcia+ops@example.com").name == "José García (מבצעים)"


@pytest.mark.parametrize("bad_name", BAD_NAMES)
def test_the_admin_refuses_a_bad_contract_name(steward_client, space, other_rows, bad_name):
    response = steward_client.post(reverse("admin:contracts_datacontract_add"), {
        "space": space.pk, "name": bad_name, "version": "1.0.0", "description": "",
        "schema_data": '{"type": "object"}', "validation_rules_data": "",
        "coercion_rules_data": "", "metadata_type": "", "metadata_description": "",
        "governance_rules": "",
    })

    assert response.context["adminform"].form.errors == {
        "name": [f"{_quoted(bad_name)} {NAME_RULE}"]
    }
    assert _snapshot() == other_rows


# import_contract


def _member_contract(tmp_path, change):
    document = yaml.safe_load((FIXTURES / "member_contract.yaml").read_text())
    change(document)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.mark.parametrize("bad_name", BAD_NAMES)
def test_import_contract_refuses_a_bad_contract_name_and_writes_nothing(
    space, other_rows, tmp_path, bad_name
):
    # given the template contract renamed to a bad name (the first line of the file)
    path = _member_contract(tmp_path, lambda document: document.update(name=bad_name))

    # when it is imported
    with pytest.raises(CommandError) as error:
        call_command("import_contract", str(path), "--space", _space_argument(space),
                     stdout=io.StringIO(), stderr=io.StringIO())

    # then the error names the file, line and field, and nothing was written
    assert str(error.value) == (
        f"{path}, line 1, column 1, field name: {_quoted(bad_name)} {NAME_RULE}"
    )
    assert _snapshot() == other_rows


@pytest.mark.parametrize(("block", "role", "bad_name", "rule"), [
    ("ownership", "business_owners", "../owner", OWNER_ID_RULE),
    ("lineage", "pulls_from", "/tmp/x", NAME_RULE),
])
def test_import_contract_refuses_a_bad_name_the_metadata_links_to(
    space, other_rows, tmp_path, block, role, bad_name, rule
):
    path = _member_contract(
        tmp_path, lambda document: document["metadata"][block].update({role: [bad_name]})
    )

    with pytest.raises(CommandError) as error:
        call_command("import_contract", str(path), "--space", _space_argument(space),
                     stdout=io.StringIO(), stderr=io.StringIO())

    assert f"{path}, line " in str(error.value)
    assert str(error.value).endswith(
        f", field metadata.{block}.{role}[0]: {_quoted(bad_name)} {rule}"
    )
    assert _snapshot() == other_rows


def test_import_contract_refuses_bad_names_in_a_seed_folders_reference_files(
    space, other_rows, tmp_path
):
    # given a seed folder whose owners file has an owner with a bidi override in its name
    (tmp_path / "owners.yaml").write_text(
        "- id: alice\n  name: Alice\n- id: mallory\n  name: \"Mallory\\u202eeciffO\"\n"
    )
    (tmp_path / "domains.yaml").write_text("- name: Revenue\n")

    with pytest.raises(CommandError) as error:
        call_command("import_contract", str(tmp_path), "--space", _space_argument(space),
                     stdout=io.StringIO(), stderr=io.StringIO())

    assert str(error.value) == (
        f'{tmp_path / "owners.yaml"}, line 4, column 3, field [1].name: '
        f'"Mallory\\u202eeciffO" {DISPLAY_NAME_RULE}'
    )
    assert _snapshot() == other_rows


# import_data


@pytest.mark.parametrize(("resource", "header", "row", "field", "rule"), [
    ("owners", "id,name,email,team,additional_info", "../../etc/passwd,Eve,,,", "id",
     OWNER_ID_RULE),
    ("owners", "id,name,email,team,additional_info", "mallory,Mallory\u202eeciffO,,,", "name",
     DISPLAY_NAME_RULE),
    ("systems", "name,app_id,description", "/tmp/x,APP1,", "name", NAME_RULE),
    ("domains", "name,description", "../../etc/passwd,", "name", NAME_RULE),
])
def test_import_data_refuses_a_bad_name_and_writes_no_row(
    space, other_rows, tmp_path, resource, header, row, field, rule
):
    # given a file whose first row is fine and whose second has a bad name
    good = {"owners": "alice,Alice,,,", "systems": "RES,APP0,", "domains": "Revenue,"}[resource]
    path = tmp_path / f"{resource}.csv"
    path.write_text(f"{header}\n{good}\n{row}\n", encoding="utf-8")
    stderr = io.StringIO()

    # when it is imported
    with pytest.raises(CommandError):
        call_command("import_data", resource, str(path), "--space", _space_argument(space),
                     stdout=io.StringIO(), stderr=stderr)

    # then the error names the file, row and field, and no row was written
    bad_value = row.split(",")[1 if field == "name" and resource == "owners" else 0]
    assert stderr.getvalue() == f"{path}, line 3, field {field}: {_quoted(bad_value)} {rule}\n"
    assert _snapshot() == other_rows


# The API


@pytest.mark.parametrize(("resource", "payload", "field", "rule"), [
    ("owners", {"id": "../../etc/passwd"}, "id", OWNER_ID_RULE),
    ("owners", {"id": "mallory", "name": "Mallory\u202eeciffO"}, "name", DISPLAY_NAME_RULE),
    ("systems", {"name": "/tmp/x"}, "name", NAME_RULE),
    ("domains", {"name": "a\u202eb"}, "name", NAME_RULE),
])
def test_the_api_upsert_refuses_a_bad_name(space, other_rows, resource, payload, field, rule):
    response = token_client(space).post(f"/api/v1/{resource}/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [f"{_quoted(payload[field])} {rule}"]}
    assert _snapshot() == other_rows


# Rows written before the rules, or by other tools


@pytest.fixture
def rows_breaking_the_rules(space, other_space):
    """Rows of both tenants renamed behind validation, as a plain SQL writer could."""
    contract = factories.DataContractFactory(space=space, name="fine")
    DataContract.objects.filter(pk=contract.pk).update(name="../../etc/passwd")
    factories.OwnerFactory(organization=space.organization, id="good_owner", name="Good")
    owner = factories.OwnerFactory(organization=other_space.organization, id="temporary")
    Owner.objects.filter(pk=owner.pk).update(id="/tmp/x", name="Eve\u202eveE")
    system = factories.SystemFactory(organization=other_space.organization, name="FINE")
    System.objects.filter(pk=system.pk).update(name="a b")
    return contract, system


def _report_lines(contract, system):
    return [
        f'data_contracts "{contract.pk}": field name: "../../etc/passwd" {NAME_RULE}',
        f'owners "/tmp/x": field id: "/tmp/x" {OWNER_ID_RULE}',
        f'owners "/tmp/x": field name: "Eve\\u202eveE" {DISPLAY_NAME_RULE}',
        f'systems "{system.pk}": field name: "a b" {NAME_RULE}',
    ]


def test_the_migration_warns_about_each_row_and_changes_nothing(rows_breaking_the_rules, capsys):
    # given rows of both tenants whose names break the rules
    before = _snapshot()
    migration = importlib.import_module("contracts.migrations.0008_name_validators")

    # when the migration's report runs
    migration.report_names_breaking_the_rules(apps, None)

    # then it prints one warning per row and field, and every row is as it was
    assert capsys.readouterr().out.splitlines() == [
        f"Warning: {line}" for line in _report_lines(*rows_breaking_the_rules)
    ]
    assert _snapshot() == before


def test_check_integrity_lists_the_same_rows_and_fails(rows_breaking_the_rules):
    before = _snapshot()
    output, errors = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as exit_info:
        call_command("check_integrity", "--fix", stdout=output, stderr=errors)

    assert exit_info.value.code == 1
    assert output.getvalue().splitlines() == [
        "No orphans.", *(f"bad name: {line}" for line in _report_lines(*rows_breaking_the_rules))
    ]
    assert errors.getvalue() == "4 problems found that --fix leaves to a person; see above.\n"
    assert _snapshot() == before


def test_check_integrity_passes_when_every_name_follows_the_rules(space, other_rows):
    output = io.StringIO()

    call_command("check_integrity", stdout=output, stderr=io.StringIO())

    assert output.getvalue() == "No orphans.\n"
