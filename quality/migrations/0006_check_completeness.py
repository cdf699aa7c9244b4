"""Checks that saw only part of their input, violations a check no longer finds, one
tracked violation per identity.

The identity key is a partial unique index over the violations a check keeps up to
date: rows other PyCharter tools insert (history, `tracked_by_checks` false by the
column's default) may repeat an identity as they always could. Before it is built,
the oldest row of each existing identity becomes the tracked one, so existing
duplicates cannot make the index fail. On PostgreSQL it is built CONCURRENTLY, so
pipelines keep writing while it builds.
"""

from django.db import migrations, models

TRACK_ONE_PER_IDENTITY = """
UPDATE quality_violations SET tracked_by_checks = TRUE WHERE id IN (
    SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (
            PARTITION BY data_contract_id, record_identifier, field_name, error_type
            ORDER BY created_at, id
        ) AS position
        FROM quality_violations
        WHERE data_contract_id IS NOT NULL AND record_identifier IS NOT NULL
            AND field_name IS NOT NULL AND error_type IS NOT NULL
    ) AS ranked WHERE position = 1
)"""


class AddUniqueConstraintConcurrently(migrations.AddConstraint):
    """AddConstraint for a conditional unique constraint, built CONCURRENTLY on PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.add_constraint(model, self.constraint)
            return
        statement = str(self.constraint.create_sql(model, schema_editor))
        schema_editor.execute(
            statement.replace("CREATE UNIQUE INDEX", "CREATE UNIQUE INDEX CONCURRENTLY", 1)
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.remove_constraint(model, self.constraint)
            return
        schema_editor.execute(
            f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(self.constraint.name)}"
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("quality", "0005_alert_channels")]

    operations = [
        migrations.AddField(
            model_name='qualitymetric',
            name='is_complete',
            field=models.BooleanField(db_default=True, default=True, help_text='False when the check could not read all of its input (it ended early, could not be decoded, or records were over the size limit): such a check resolves nothing.', verbose_name='complete'),
        ),
        migrations.AddField(
            model_name='qualityviolation',
            name='not_found_since',
            field=models.DateTimeField(blank=True, help_text='When a complete quality check first did not find this violation that someone has taken on; empty once a check finds it again.', null=True, verbose_name='not found since'),
        ),
        migrations.AddField(
            model_name='qualityviolation',
            name='tracked_by_checks',
            field=models.BooleanField(db_default=False, default=False, help_text='The violation quality checks keep up to date for its contract, record, field and error type: there is at most one. Rows other tools insert are not tracked.', verbose_name='tracked by checks'),
        ),
        migrations.RunSQL(TRACK_ONE_PER_IDENTITY, reverse_sql=migrations.RunSQL.noop),
        AddUniqueConstraintConcurrently(
            model_name='qualityviolation',
            constraint=models.UniqueConstraint(condition=models.Q(('tracked_by_checks', True)), fields=('data_contract', 'record_identifier', 'field_name', 'error_type'), name='quality_viol_tracked_identity_key'),
        ),
    ]
