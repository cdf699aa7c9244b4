"""PostgreSQL specifics: the schema all tables live in, and the SQL that lets other
PyCharter tools write the tables with plain SQL (database defaults, ON DELETE
actions, triggers). Django 5.2 emulates ON DELETE in Python only; the ERD's
cascades must hold for raw SQL deletes too, so the migrations add them here.
"""

from django.conf import settings
from django.db import connections
from django.db.migrations.operations import AddIndex, RemoveIndex, RunSQL


def create_schema(using="default", **kwargs):
    """Create the `DB_SCHEMA` schema before migrate creates its first table (pre_migrate)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        schema = connection.ops.quote_name(settings.DB_SCHEMA)
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")


class PostgreSQLOnly(RunSQL):
    """RunSQL that applies on PostgreSQL and is a no-op elsewhere (SQLite has no writers)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def foreign_key_on_delete(table, column, referenced_table, action):
    """Replace Django's foreign key on `table.column` by one with a database ON DELETE action.

    The new constraint gets PostgreSQL's conventional name `<table>_<column>_fkey`.
    """
    name = f"{table}_{column}_fkey"
    drop_django_constraint = f"""
DO $$
DECLARE constraint_name text;
BEGIN
    SELECT con.conname INTO constraint_name
    FROM pg_constraint con
    JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY (con.conkey)
    WHERE con.conrelid = '{table}'::regclass AND con.contype = 'f' AND att.attname = '{column}';
    EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', constraint_name);
END $$;"""
    add = (
        f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) "
        f"REFERENCES {referenced_table} (id) ON DELETE {action} DEFERRABLE INITIALLY DEFERRED;"
    )
    restore = (
        f"ALTER TABLE {table} DROP CONSTRAINT {name}; "
        f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) "
        f"REFERENCES {referenced_table} (id) DEFERRABLE INITIALLY DEFERRED;"
    )
    return PostgreSQLOnly(sql=[drop_django_constraint, add], reverse_sql=[restore])


def column_default(table, column, expression):
    """A database default for a column that Django always fills itself."""
    return PostgreSQLOnly(
        sql=f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {expression};",
        reverse_sql=f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT;",
    )


def random_uuid_default(table):
    """Let other tools omit the UUID primary key as well as pass gen_random_uuid()."""
    return column_default(table, "id", "gen_random_uuid()")


TOUCH_UPDATED_AT_FUNCTION = PostgreSQLOnly(
    sql="""
CREATE OR REPLACE FUNCTION pycharter_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END $$;""",
    reverse_sql="DROP FUNCTION IF EXISTS pycharter_touch_updated_at();",
)


def touch_updated_at(table):
    """Keep `updated_at` current when another tool updates a row without setting it."""
    trigger = f"{table}_touch_updated_at"
    return PostgreSQLOnly(
        sql=f"CREATE TRIGGER {trigger} BEFORE UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION pycharter_touch_updated_at();",
        reverse_sql=f"DROP TRIGGER IF EXISTS {trigger} ON {table};",
    )


class AddIndexConcurrently(AddIndex):
    """AddIndex that builds the index without blocking writes on PostgreSQL.

    For indexes on tables that can hold millions of rows (quality violations).
    The migration must declare `atomic = False`. Elsewhere a plain CREATE INDEX.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


class RemoveIndexConcurrently(RemoveIndex):
    """RemoveIndex that drops the index without blocking writes on PostgreSQL (and builds it
    back the same way). The migration must declare `atomic = False`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, index, concurrently=True)
        else:
            schema_editor.remove_index(model, index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, index, concurrently=True)
        else:
            schema_editor.add_index(model, index)
