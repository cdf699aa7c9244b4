"""The default organization and space, and the SQL functions other tools' rows rely on.

Rows that other PyCharter tools insert without naming a space (or an
organization, for reference data) land in the default space. The functions
below are used as column defaults by the contracts and quality migrations.
"""

from django.db import migrations

from tenancy.database import PostgreSQLOnly


def create_default_space(apps, schema_editor):
    Organization = apps.get_model("tenancy", "Organization")
    Space = apps.get_model("tenancy", "Space")
    if Space.objects.filter(is_default=True).exists():
        return
    organization, _ = Organization.objects.get_or_create(
        slug="default", defaults={"name": "Default organization"}
    )
    Space.objects.create(
        organization=organization,
        name="Default space",
        slug="default",
        is_default=True,
        description="Contracts that other PyCharter tools write without naming a space.",
    )


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [
        migrations.RunPython(create_default_space, migrations.RunPython.noop),
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
