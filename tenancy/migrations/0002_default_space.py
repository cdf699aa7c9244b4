"""The default organization and space, and the SQL functions other tools' rows rely on.

Rows that other PyCharter tools insert without naming a space (or an
organization, for reference data) land in the default space. The functions
below are used as column defaults by the contracts and quality migrations.
"""

from django.db import migrations

from tenancy.database import PostgreSQLOnly


# Fixed ids, written as plain SQL so that a DBA applying the printed SQL gets them too.
DEFAULT_ORGANIZATION_ID = "00000000000040008000000000000001"
DEFAULT_SPACE_ID = "00000000000040008000000000000002"

CREATE_DEFAULT_SPACE = [
    "INSERT INTO tenancy_organization (id, name, slug) "
    f"VALUES ('{DEFAULT_ORGANIZATION_ID}', 'Default organization', 'default') "
    "ON CONFLICT DO NOTHING;",
    "INSERT INTO tenancy_space (id, organization_id, name, slug, description, is_default) "
    f"VALUES ('{DEFAULT_SPACE_ID}', '{DEFAULT_ORGANIZATION_ID}', 'Default space', 'default', "
    "'Contracts that other PyCharter tools write without naming a space.', TRUE) "
    "ON CONFLICT DO NOTHING;",
]
DELETE_DEFAULT_SPACE = [
    f"DELETE FROM tenancy_space WHERE id = '{DEFAULT_SPACE_ID}';",
    f"DELETE FROM tenancy_organization WHERE id = '{DEFAULT_ORGANIZATION_ID}';",
]


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE_DEFAULT_SPACE, DELETE_DEFAULT_SPACE),
        PostgreSQLOnly(
            sql=[
                """
CREATE OR REPLACE FUNCTION pycharter_default_space_id() RETURNS uuid
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT id FROM tenancy_space WHERE is_default
$$;""",
                """
CREATE OR REPLACE FUNCTION pycharter_default_organization_id() RETURNS uuid
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT organization_id FROM tenancy_space WHERE is_default
$$;""",
            ],
            reverse_sql=[
                "DROP FUNCTION IF EXISTS pycharter_default_space_id();",
                "DROP FUNCTION IF EXISTS pycharter_default_organization_id();",
            ],
        ),
    ]
