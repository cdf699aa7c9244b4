"""Indexes for the stewards' violation lists, built without locking the table.

quality_violations can hold millions of rows: on PostgreSQL these indexes are
created CONCURRENTLY, so pipelines keep writing while they build.
"""

from django.db import migrations, models

from tenancy.database import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("quality", "0003_triage_and_alerts")]

    operations = [
        AddIndexConcurrently(
            model_name="qualityviolation",
            index=models.Index(fields=['space', 'status', '-check_timestamp'], name='quality_viol_triage_idx'),
        ),
        AddIndexConcurrently(
            model_name="qualityviolation",
            index=models.Index(fields=['data_contract', 'status', '-check_timestamp'], name='quality_viol_contract_st_idx'),
        ),
        AddIndexConcurrently(
            model_name="qualityviolation",
            index=models.Index(fields=['assignee', 'status'], name='quality_viol_assignee_idx'),
        ),
        AddIndexConcurrently(
            model_name="qualityviolation",
            index=models.Index(fields=['data_contract', 'record_identifier', 'field_name', 'error_type'], name='quality_viol_identity_idx'),
        ),
    ]
