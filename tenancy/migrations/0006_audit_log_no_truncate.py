"""The database refuses TRUNCATE of the audit log too (PostgreSQL): row triggers do not
fire for it, so a statement-level trigger does."""

from django.db import migrations

from tenancy.database import PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0005_shared_resources")]

    operations = [
        PostgreSQLOnly(
            sql=[
                "CREATE TRIGGER tenancy_auditlogentry_no_truncate "
                "BEFORE TRUNCATE ON tenancy_auditlogentry "
                "FOR EACH STATEMENT EXECUTE FUNCTION pycharter_refuse_audit_change();",
            ],
            reverse_sql=[
                "DROP TRIGGER IF EXISTS tenancy_auditlogentry_no_truncate "
                "ON tenancy_auditlogentry;",
            ],
        ),
    ]
