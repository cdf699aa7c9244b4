"""The database itself refuses to change or delete audit log entries (PostgreSQL)."""

from django.db import migrations

from tenancy.database import PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0003_audit_log")]

    operations = [
        PostgreSQLOnly(
            sql=[
                """
CREATE OR REPLACE FUNCTION pycharter_refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;""",
                "CREATE TRIGGER tenancy_auditlogentry_append_only "
                "BEFORE UPDATE OR DELETE ON tenancy_auditlogentry "
                "FOR EACH ROW EXECUTE FUNCTION pycharter_refuse_audit_change();",
            ],
            reverse_sql=[
                "DROP TRIGGER IF EXISTS tenancy_auditlogentry_append_only ON tenancy_auditlogentry;",
                "DROP FUNCTION IF EXISTS pycharter_refuse_audit_change();",
            ],
        ),
    ]
