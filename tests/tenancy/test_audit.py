"""The audit log records every change with its actor and refuses to be rewritten."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from contracts.models import DataContract, Owner
from tenancy.audit import audit_actor
from tenancy.models import AuditLogEntry
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "pycharter"


def test_create_update_and_delete_are_recorded_field_by_field(space, steward):
    with audit_actor(user=steward, source="web"):
        contract = factories.DataContractFactory(space=space, name="orders", description="Old")
        contract.description = "New"
        contract.save()
        contract_id = str(contract.pk)
        contract.delete()

    entries = list(
        AuditLogEntry.objects.filter(object_id=contract_id).order_by("created_at")
    )
    assert [entry.action for entry in entries] == [
        "contracts.datacontract.created",
        "contracts.datacontract.updated",
        "contracts.datacontract.deleted",
    ]
    assert entries[1].changes == {"description": ["Old", "New"]}
    assert entries[0].changes["name"] == [None, "orders"]
    assert entries[2].changes["description"] == ["New", None]
    assert {entry.actor for entry in entries} == {steward}
    assert {(entry.space_id, entry.organization_id) for entry in entries} == {
        (space.pk, space.organization_id)
    }


def test_a_save_without_changes_records_nothing(space):
    contract = factories.DataContractFactory(space=space)
    before = AuditLogEntry.objects.count()

    contract.save()

    assert AuditLogEntry.objects.count() == before


def test_components_and_reference_data_are_attributed_to_their_tenant(space):
    schema = factories.SchemaFactory(data_contract__space=space)
    owner = factories.OwnerFactory(organization=space.organization)

    schema_entry = AuditLogEntry.objects.get(object_id=str(schema.pk))
    owner_entry = AuditLogEntry.objects.get(object_id=owner.pk)

    assert (schema_entry.space_id, schema_entry.organization_id) == (
        space.pk, space.organization_id
    )
    assert (owner_entry.space_id, owner_entry.organization_id) == (None, space.organization_id)


def test_a_command_is_the_actor_of_what_it_writes(space, tmp_path):
    # A draft: the template names none of the owners that activation needs.
    draft = tmp_path / "template_contract.yaml"
    draft.write_text((FIXTURES / "template_contract.yaml").read_text().replace(
        "\nstatus: active\n", "\nstatus: draft\n"
    ))
    call_command(
        "import_contract", str(draft),
        "--space", f"{space.organization.slug}/{space.slug}", stdout=io.StringIO(),
    )

    entry = AuditLogEntry.objects.get(action="contracts.datacontract.created")
    assert (entry.actor, entry.actor_name, entry.source) == (
        None, "command:import_contract", "command:import_contract"
    )


def test_the_model_refuses_to_change_or_delete_entries(space):
    factories.DataContractFactory(space=space)
    entry = AuditLogEntry.objects.get(action="contracts.datacontract.created")

    entry.actor_name = "someone else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_the_database_refuses_update_and_delete(requires_postgresql, space):
    factories.DataContractFactory(space=space)

    for statement in (
        "UPDATE tenancy_auditlogentry SET actor_name = 'forged'",
        "DELETE FROM tenancy_auditlogentry",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

    assert set(AuditLogEntry.objects.values_list("actor_name", flat=True)) == {"system"}


def test_deleting_the_actor_keeps_the_history(space, steward):
    with audit_actor(user=steward):
        Owner.objects.create(id="ops", organization=space.organization)
    username = steward.username

    steward.delete()

    entry = AuditLogEntry.objects.get(object_id="ops")
    assert entry.actor_name == username


def test_deleting_a_contract_records_its_components_too(space):
    schema = factories.SchemaFactory(data_contract__space=space)

    DataContract.objects.get().delete()

    assert AuditLogEntry.objects.filter(
        object_id=str(schema.pk), action="contracts.schema.deleted"
    ).exists()
