"""Violation counts (quality_violation_counts) for lists and summaries, counted once from the
violations already there; indexes that serve the violations list newest first.

The list orders by check time and id (one check stamps thousands of violations with
the same time), so its indexes end with both; they replace the three that ended with the
check time alone, or before it (a steward's assigned violations). On PostgreSQL the indexes are built and dropped CONCURRENTLY, so
pipelines keep writing meanwhile.
"""

import django.db.models.deletion
from django.db import migrations, models

from tenancy.database import AddIndexConcurrently, PostgreSQLOnly, RemoveIndexConcurrently

COUNT_EXISTING_VIOLATIONS = """
INSERT INTO quality_violation_counts
    (space_id, data_contract_id, field_name, error_type, severity, status, is_assigned, count)
SELECT space_id, data_contract_id, field_name, error_type, severity, status,
       assignee_id IS NOT NULL, COUNT(*)
FROM quality_violations
GROUP BY space_id, data_contract_id, field_name, error_type, severity, status,
         assignee_id IS NOT NULL
"""


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("contracts", "0009_review_outdated"),
        ("quality", "0007_alert_outbox"),
        ("tenancy", "0009_space_requires_review"),
    ]

    operations = [
        migrations.CreateModel(
            name="ViolationCount",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("space", models.ForeignKey(
                    db_index=False, on_delete=django.db.models.deletion.CASCADE,
                    related_name="+", to="tenancy.space", verbose_name="space")),
                ("data_contract", models.ForeignKey(
                    blank=True, db_constraint=False, db_index=False, null=True,
                    on_delete=django.db.models.deletion.SET_NULL,
                    related_name="violation_counts", to="contracts.datacontract",
                    verbose_name="data contract")),
                ("field_name", models.CharField(blank=True, max_length=255, null=True,
                                                verbose_name="field")),
                ("error_type", models.CharField(blank=True, max_length=100, null=True,
                                                verbose_name="error type")),
                ("severity", models.CharField(blank=True, max_length=50, null=True,
                                              verbose_name="severity")),
                ("status", models.CharField(choices=[
                    ("open", "Open"), ("acknowledged", "Acknowledged"),
                    ("assigned", "Assigned"), ("resolved", "Resolved"), ("ignored", "Ignored"),
                ], max_length=50, verbose_name="status")),
                ("is_assigned", models.BooleanField(default=False, verbose_name="assigned")),
                ("count", models.BigIntegerField(default=0, verbose_name="violations")),
            ],
            options={
                "verbose_name": "violation count",
                "db_table": "quality_violation_counts",
                "indexes": [
                    models.Index(fields=["space", "status"], name="quality_count_space_idx"),
                    models.Index(fields=["data_contract", "status"],
                                 name="quality_count_contract_idx"),
                ],
            },
        ),
        # A contract deleted with plain SQL leaves its counts, like its violations, without one.
        PostgreSQLOnly(
            sql="ALTER TABLE quality_violation_counts ADD CONSTRAINT "
                "quality_violation_counts_data_contract_id_fkey FOREIGN KEY (data_contract_id) "
                "REFERENCES data_contracts (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED",
            reverse_sql="ALTER TABLE quality_violation_counts DROP CONSTRAINT "
                        "quality_violation_counts_data_contract_id_fkey",
        ),
        migrations.RunSQL(COUNT_EXISTING_VIOLATIONS,
                          reverse_sql="DELETE FROM quality_violation_counts"),
        AddIndexConcurrently(
            model_name="qualityviolation",
            index=models.Index(fields=["space", "-check_timestamp", "-id"],
                               name="quality_viol_list_space_idx"),
        ),
        AddIndexConcurrently(
            model_name="qualityviolation",
            index=models.Index(fields=["space", "status", "-check_timestamp", "-id"],
                               name="quality_viol_list_space_st_idx"),
        ),
        AddIndexConcurrently(
            model_name="qualityviolation",
            index=models.Index(fields=["data_contract", "-check_timestamp", "-id"],
                               name="quality_viol_list_contract_idx"),
        ),
        AddIndexConcurrently(
            model_name="qualityviolation",
            index=models.Index(fields=["data_contract", "status", "-check_timestamp", "-id"],
                               name="quality_viol_list_contr_st_idx"),
        ),
        AddIndexConcurrently(
            model_name="qualityviolation",
            index=models.Index(fields=["assignee", "status", "-check_timestamp", "-id"],
                               name="quality_viol_list_assignee_idx"),
        ),
        RemoveIndexConcurrently(model_name="qualityviolation", name="quality_viol_triage_idx"),
        RemoveIndexConcurrently(model_name="qualityviolation", name="quality_viol_assignee_idx"),
        RemoveIndexConcurrently(model_name="qualityviolation",
                                name="quality_viol_contract_st_idx"),
    ]
