"""Print the SQL of every unapplied migration, in order, for a DBA to review and apply.

Unlike `sqlmigrate`, which prints one migration, this prints the whole pending
plan, each migration in its own transaction, and records each one in
`django_migrations` so that Django sees the hand-applied state afterwards.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder


class Command(BaseCommand):
    help = (
        "Print the SQL of all unapplied migrations in the order migrate would apply them, "
        "ready for review and `psql -v ON_ERROR_STOP=1 -f`. Nothing is executed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        connection = connections[database]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if not plan:
            self.stderr.write("No unapplied migrations.")
            return
        if connection.vendor == "postgresql":
            schema = connection.ops.quote_name(settings.DB_SCHEMA)
            self.stdout.write(f"CREATE SCHEMA IF NOT EXISTS {schema};")
            self.stdout.write(f"SET search_path TO {schema}, public;")
        recorder = MigrationRecorder(connection)
        if not recorder.has_table():
            with connection.schema_editor(collect_sql=True, atomic=False) as editor:
                editor.create_model(MigrationRecorder.Migration)
            self.stdout.write("\n".join(editor.collected_sql))
        table = connection.ops.quote_name(MigrationRecorder.Migration._meta.db_table)
        for migration, backwards in plan:
            self.stdout.write(f"\n-- {migration.app_label}.{migration.name}")
            if migration.atomic:
                self.stdout.write("BEGIN;")
            for statement in executor.loader.collect_sql([(migration, backwards)]):
                self.stdout.write(statement)
            self.stdout.write(
                f"INSERT INTO {table} (app, name, applied) "
                f"VALUES ('{migration.app_label}', '{migration.name}', CURRENT_TIMESTAMP);"
            )
            if migration.atomic:
                self.stdout.write("COMMIT;")
