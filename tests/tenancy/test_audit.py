"""The audit log records every change with its actor and refuses to be rewritten."""

import io
import uuid

import pytest
import tablib
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from contracts.models import DataContract, Owner
from quality.bulk.violations import violation_file_import
from quality.models import QualityViolation
from quality.resources import QualityViolationResource
from tenancy.audit import audit_actor, process_name
from tenancy.models import AuditLogEntry
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")



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
    path = tmp_path / "owners.csv"
    path.write_text("id,name,email\nops,Operations,ops@example.com\n")

    call_command(
        "import_data", "owners", str(path),
        "--space", f"{space.organization.slug}/{space.slug}", stdout=io.StringIO(),
    )

    entry = AuditLogEntry.objects.get(action="contracts.owner.created")
    assert (entry.actor, entry.actor_name, entry.source, entry.object_id) == (
        None, "command:import_data", "command:import_data", "ops"
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

    assert set(AuditLogEntry.objects.values_list("actor_name", flat=True)) == {process_name()}


def test_the_database_refuses_truncate_to_the_sites_role(requires_postgresql, space):
    factories.DataContractFactory(space=space)
    role = f"pycharter_site_{uuid.uuid4().hex[:12]}"

    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE is refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # A role that may TRUNCATE by its grants, as a careless deployment would give.
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA {_schema(cursor)} TO {role}")
        cursor.execute(f"GRANT TRUNCATE ON tenancy_auditlogentry TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute("TRUNCATE tenancy_auditlogentry")

    assert AuditLogEntry.objects.filter(action="contracts.datacontract.created").count() == 1


def _schema(cursor):
    cursor.execute("SELECT current_schema()")
    return cursor.fetchone()[0]


def test_importing_violations_in_the_admin_records_one_batch_entry_like_the_command(
    space, steward, tmp_path
):
    contract = factories.DataContractFactory(space=space, name="orders")
    rows = "contract_name,contract_version,schema_id,record_identifier,field_name,error_type\n"
    rows += "".join(f"orders,1.0.0,user,r{number},age,validation_error\n" for number in range(3))
    path = tmp_path / "violations.csv"
    path.write_text(rows)

    with audit_actor(user=steward, source="web"):
        result = QualityViolationResource(space=space, actor=steward).import_data(
            tablib.Dataset().load(rows, format="csv"), dry_run=False, use_transactions=True,
            file_name="violations.csv",
        )
    with audit_actor(name="command:import_data", source="command:import_data"):
        summary = violation_file_import(space=space, path=path, file_format="csv",
                                        max_bytes=10_000)

    assert (result.totals["new"], summary.new) == (3, 3)
    entries = AuditLogEntry.objects.filter(
        content_type__model="qualityviolation").order_by("created_at")
    assert [(entry.action, entry.actor_name, entry.changes["count"]) for entry in entries] == [
        ("quality.qualityviolation.imported", steward.username, 3),
        ("quality.qualityviolation.imported", "command:import_data", 3),
    ]
    assert QualityViolation.objects.filter(data_contract=contract).count() == 6


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
