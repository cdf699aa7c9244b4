"""The database refuses TRUNCATE of the audit log too (PostgreSQL): row triggers do not
fire for it, so a statement-level trigger does.

A superuser may still truncate (as the test runner's flush does): a superuser can drop
the trigger anyway. The site runs as a role that is neither superuser nor owner (README).
"""

from django.db import migrations

from tenancy.database import PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0005_shared_resources")]

    operations = [
        PostgreSQLOnly(
            sql=[
                """
CREATE OR REPLACE FUNCTION pycharter_refuse_audit_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;""",
                "CREATE TRIGGER tenancy_auditlogentry_no_truncate "
                "BEFORE TRUNCATE ON tenancy_auditlogentry "
                "FOR EACH STATEMENT EXECUTE FUNCTION pycharter_refuse_audit_truncate();",
            ],
            reverse_sql=[
                "DROP TRIGGER IF EXISTS tenancy_auditlogentry_no_truncate "
                "ON tenancy_auditlogentry;",
                "DROP FUNCTION IF EXISTS pycharter_refuse_audit_truncate();",
            ],
        ),
    ]
