"""Database-side behaviour of the quality tables for plain-SQL writers (PostgreSQL only).

A metric or violation written with a `data_contract_id` takes that contract's
space (trigger); without one it lands in the default space (column default).
Deleting a contract keeps its quality history: ON DELETE SET NULL, as the ERD says.
"""

from django.db import migrations

from tenancy.database import (
    PostgreSQLOnly,
    column_default,
    foreign_key_on_delete,
    random_uuid_default,
    touch_updated_at,
)

QUALITY_TABLES = ["quality_metrics", "quality_violations"]

SPACE_FROM_CONTRACT_FUNCTION = """
CREATE OR REPLACE FUNCTION pycharter_space_from_contract() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.data_contract_id IS NOT NULL THEN
        SELECT space_id INTO NEW.space_id FROM data_contracts WHERE id = NEW.data_contract_id;
    END IF;
    RETURN NEW;
END $$;"""


def space_from_contract(table):
    trigger = f"{table}_space_from_contract"
    return PostgreSQLOnly(
        sql=f"CREATE TRIGGER {trigger} BEFORE INSERT OR UPDATE OF data_contract_id ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION pycharter_space_from_contract();",
        reverse_sql=f"DROP TRIGGER IF EXISTS {trigger} ON {table};",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0001_initial"),
        ("contracts", "0002_database_defaults"),
    ]

    operations = [
        *[
            foreign_key_on_delete(table, "data_contract_id", "data_contracts", "SET NULL")
            for table in QUALITY_TABLES
        ],
        *[random_uuid_default(table) for table in QUALITY_TABLES],
        *[
            column_default(table, "space_id", "pycharter_default_space_id()")
            for table in QUALITY_TABLES
        ],
        PostgreSQLOnly(
            sql=SPACE_FROM_CONTRACT_FUNCTION,
            reverse_sql="DROP FUNCTION IF EXISTS pycharter_space_from_contract();",
        ),
        *[space_from_contract(table) for table in QUALITY_TABLES],
        *[touch_updated_at(table) for table in QUALITY_TABLES],
    ]
