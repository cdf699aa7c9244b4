"""Other PyCharter tools write these tables with plain SQL naming only the ERD's columns.

PostgreSQL only: ids from gen_random_uuid(), timestamps and tenancy left to the
database, ON CONFLICT on the ERD's keys, deletes cascading in the database.
"""

import pytest
from django.conf import settings
from django.db import connection
from django_scopes import scopes_disabled

from contracts.models import DataContract
from quality.models import QualityViolation
from tenancy.models import Space
from tenancy.scoping import space_scope
from tests import factories

pytestmark = pytest.mark.usefixtures("requires_postgresql")

WHOLE_CONTRACT_SQL = """
SET LOCAL search_path TO public;
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO {schema}.owners (id, name, email, team) VALUES
    ('andrew_', 'Andrew', 'andrew_@example.com', 'data-engineering'),
    ('lincoln_mak', 'Lincoln Mak', 'lincoln_mak@example.com', 'data-engineering')
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;
INSERT INTO {schema}.systems (id, name, app_id, description) VALUES
    (gen_random_uuid(), '1811', 'APP1811', 'System 1811'),
    (gen_random_uuid(), 'ICC', 'APPICC', 'System ICC')
ON CONFLICT DO NOTHING;
INSERT INTO {schema}.domains (id, name, description)
VALUES (gen_random_uuid(), 'IOC', 'IOC Domain') ON CONFLICT DO NOTHING;
INSERT INTO {schema}.data_contracts (id, name, version, status, description)
VALUES ('{contract}', 'template_contract', '1.0.0', 'active', 'Template contract example');
INSERT INTO {schema}.schemas (id, title, data_contract_id, version, schema_data)
VALUES ('{schema_id}', 'Template', '{contract}', '1.0.0',
        '{{"type": "object", "properties": {{"REGISTRATION": {{"type": "string"}}}}}}');
INSERT INTO {schema}.coercion_rules (id, title, data_contract_id, version, rules, schema_id)
VALUES ('{coercion}', 'template_coercion_rules', '{contract}', '1.0.0',
        '{{"REGISTRATION": "coerce_to_string"}}', '{schema_id}');
INSERT INTO {schema}.validation_rules (id, title, data_contract_id, version, rules, schema_id)
VALUES ('{validation}', 'template_validation_rules', '{contract}', '1.0.0',
        '{{"REGISTRATION": {{"max_length": {{"threshold": 10}}}}}}', '{schema_id}');
INSERT INTO {schema}.metadata_records (id, title, data_contract_id, version, status,
                                       governance_rules)
VALUES ('{metadata}', 'Template', '{contract}', '1.0.0', 'active',
        '{{"data_retention": {{"days": 2555}}}}');
UPDATE {schema}.data_contracts SET schema_id = '{schema_id}', coercion_rules_id = '{coercion}',
    validation_rules_id = '{validation}', metadata_record_id = '{metadata}',
    schema_version = '1.0.0', coercion_rules_version = '1.0.0',
    validation_rules_version = '1.0.0', metadata_version = '1.0.0'
WHERE id = '{contract}';
INSERT INTO {schema}.metadata_record_business_owners (id, metadata_record_id, owner_id)
VALUES (gen_random_uuid(), '{metadata}', 'andrew_')
ON CONFLICT (metadata_record_id, owner_id) DO NOTHING;
INSERT INTO {schema}.metadata_record_bu_sme (id, metadata_record_id, owner_id)
VALUES (gen_random_uuid(), '{metadata}', 'lincoln_mak')
ON CONFLICT (metadata_record_id, owner_id) DO NOTHING;
INSERT INTO {schema}.metadata_record_it_application_owners (id, metadata_record_id, owner_id)
VALUES (gen_random_uuid(), '{metadata}', 'lincoln_mak');
INSERT INTO {schema}.metadata_record_it_sme (id, metadata_record_id, owner_id)
VALUES (gen_random_uuid(), '{metadata}', 'andrew_');
INSERT INTO {schema}.metadata_record_support_lead (id, metadata_record_id, owner_id)
VALUES (gen_random_uuid(), '{metadata}', 'andrew_');
INSERT INTO {schema}.metadata_record_system_pulls (id, metadata_record_id, system_id)
SELECT gen_random_uuid(), '{metadata}', id FROM {schema}.systems WHERE name = '1811'
ON CONFLICT (metadata_record_id, system_id) DO NOTHING;
INSERT INTO {schema}.metadata_record_system_pushes (id, metadata_record_id, system_id)
SELECT gen_random_uuid(), '{metadata}', id FROM {schema}.systems WHERE name = 'ICC';
INSERT INTO {schema}.metadata_record_system_sources (id, metadata_record_id, system_id)
SELECT gen_random_uuid(), '{metadata}', id FROM {schema}.systems WHERE name = '1811';
INSERT INTO {schema}.metadata_record_domains (id, metadata_record_id, domain_id)
SELECT gen_random_uuid(), '{metadata}', id FROM {schema}.domains WHERE name = 'IOC';
INSERT INTO {schema}.quality_violations (id, schema_id, schema_version, data_contract_id,
    record_identifier, record_data, field_name, error_type, error_message, severity, status)
VALUES (gen_random_uuid(), '{schema_id}', '1.0.0', '{contract}', 'user_123',
        '{{"REGISTRATION": "B-HRUAXXXXXX"}}', 'REGISTRATION', 'validation_error',
        'too long', 'warning', 'open');
SET LOCAL search_path TO {schema}, public;
"""

IDS = {
    "contract": "11111111-1111-4111-8111-111111111111",
    "schema_id": "22222222-2222-4222-8222-222222222222",
    "coercion": "33333333-3333-4333-8333-333333333333",
    "validation": "44444444-4444-4444-8444-444444444444",
    "metadata": "55555555-5555-4555-8555-555555555555",
}


def _write_whole_contract():
    with connection.cursor() as cursor:
        cursor.execute(WHOLE_CONTRACT_SQL.format(schema=settings.DB_SCHEMA, **IDS))


def _default_space():
    with scopes_disabled():
        return Space.objects.select_related("organization").get(is_default=True)


def test_a_whole_contract_written_with_plain_sql_shows_up_in_the_default_space(db):
    _write_whole_contract()

    default_space = _default_space()
    with space_scope(default_space):
        contract = (
            DataContract.objects.select_related(
                "schema", "coercion_rules", "validation_rules", "metadata_record"
            )
            .prefetch_related(
                "metadata_record__business_owners",
                "metadata_record__bu_sme",
                "metadata_record__it_application_owners",
                "metadata_record__it_sme",
                "metadata_record__support_lead",
                "metadata_record__pulls_from",
                "metadata_record__pushes_to",
                "metadata_record__system_sources",
                "metadata_record__domains",
            )
            .get(name="template_contract", version="1.0.0")
        )
        violation = QualityViolation.objects.get(record_identifier="user_123")
    record = contract.metadata_record

    assert contract.space_id == default_space.pk
    assert contract.created_at is not None and contract.updated_at is not None
    assert contract.schema.schema_data["properties"] == {"REGISTRATION": {"type": "string"}}
    assert contract.coercion_rules.rules == {"REGISTRATION": "coerce_to_string"}
    assert contract.validation_rules.schema_id == contract.schema_id
    assert record.governance_rules == {"data_retention": {"days": 2555}}
    assert [owner.id for owner in record.business_owners.all()] == ["andrew_"]
    assert [owner.id for owner in record.bu_sme.all()] == ["lincoln_mak"]
    assert [owner.id for owner in record.it_application_owners.all()] == ["lincoln_mak"]
    assert [owner.id for owner in record.it_sme.all()] == ["andrew_"]
    assert [owner.id for owner in record.support_lead.all()] == ["andrew_"]
    assert [system.name for system in record.pulls_from.all()] == ["1811"]
    assert [system.name for system in record.pushes_to.all()] == ["ICC"]
    assert [system.name for system in record.system_sources.all()] == ["1811"]
    assert [domain.name for domain in record.domains.all()] == ["IOC"]
    assert record.business_owners.get().organization_id == default_space.organization_id
    assert violation.space_id == default_space.pk
    assert violation.status == "open"


def test_writing_the_same_rows_again_with_on_conflict_changes_nothing(db):
    _write_whole_contract()

    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {settings.DB_SCHEMA}.owners (id, name) VALUES ('andrew_', 'Andrew')
            ON CONFLICT (id) DO NOTHING;
            INSERT INTO {settings.DB_SCHEMA}.metadata_record_business_owners
                (id, metadata_record_id, owner_id)
            VALUES (gen_random_uuid(), '{IDS["metadata"]}', 'andrew_')
            ON CONFLICT (metadata_record_id, owner_id) DO NOTHING;"""
        )
        cursor.execute(
            f"SELECT count(*) FROM {settings.DB_SCHEMA}.metadata_record_business_owners"
        )
        assert cursor.fetchone() == (1,)


def test_a_violation_written_for_a_contract_takes_the_contracts_space(db, unscoped, space):
    contract = factories.DataContractFactory(space=space)

    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {settings.DB_SCHEMA}.quality_violations
                (id, schema_id, data_contract_id, field_name, error_type)
            VALUES (gen_random_uuid(), 'user', %s, 'age', 'type_error')""",
            [contract.pk],
        )

    assert QualityViolation.objects.get().space_id == space.pk


def test_raw_updates_refresh_updated_at(db, unscoped):
    _write_whole_contract()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {settings.DB_SCHEMA}.data_contracts SET updated_at = '2000-01-01' "
            f"WHERE id = %s",
            [IDS["contract"]],
        )
        cursor.execute(
            f"UPDATE {settings.DB_SCHEMA}.data_contracts SET description = 'changed' "
            f"WHERE id = %s",
            [IDS["contract"]],
        )

    contract = DataContract.objects.get(pk=IDS["contract"])
    assert contract.description == "changed"
    assert contract.updated_at.year > 2000


def test_a_raw_delete_cascades_in_the_database(db, unscoped):
    _write_whole_contract()

    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {settings.DB_SCHEMA}.data_contracts WHERE id = %s", [IDS["contract"]]
        )
        counts = {}
        for table in ["schemas", "coercion_rules", "validation_rules", "metadata_records",
                      "metadata_record_business_owners", "metadata_record_system_pulls",
                      "metadata_record_domains"]:
            cursor.execute(f"SELECT count(*) FROM {settings.DB_SCHEMA}.{table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute(f"SELECT data_contract_id FROM {settings.DB_SCHEMA}.quality_violations")
        violation_contracts = cursor.fetchall()

    assert set(counts.values()) == {0}
    assert violation_contracts == [(None,)]


def test_a_raw_delete_of_a_system_cascades_to_its_links_only(db, unscoped):
    _write_whole_contract()

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {settings.DB_SCHEMA}.systems WHERE name = '1811'")
        cursor.execute(f"SELECT count(*) FROM {settings.DB_SCHEMA}.metadata_record_system_pulls")
        pulls = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {settings.DB_SCHEMA}.metadata_record_system_pushes")
        pushes = cursor.fetchone()[0]

    assert (pulls, pushes) == (0, 1)
