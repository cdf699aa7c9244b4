"""Quality checks too large to wait for: the data is kept in storage and a worker checks it.

The admin's upload form and the API's check endpoint both hand their data here; the
worker runs `quality.jobs.quality_check_job`, the same check the request would have run.
"""

import json

from django.db import transaction

from tenancy.job_files import job_bytes_store, job_upload_store
from tenancy.jobs import job_enqueue

#: Uploads and posted records wait for their job under jobs/quality-checks/.
JOB_UPLOADS_PURPOSE = "quality-checks"
CHECK_JOB_KIND = "quality.check_run"


@transaction.atomic
def quality_check_enqueue(*, contract, stored_name, file_name, data_format, record_id_field,
                          full_dataset, user, actor):
    """Queue the check of a stored data file against `contract`, as `actor` (the name its
    metric records as writer); returns the job."""
    return job_enqueue(
        kind=CHECK_JOB_KIND, space=contract.space, user=user,
        payload={"contract_id": str(contract.pk), "stored_name": stored_name,
                 "file_name": file_name, "format": data_format,
                 "record_id_field": record_id_field, "full_dataset": full_dataset,
                 "actor": actor},
    )


def quality_check_upload_enqueue(*, contract, uploaded, data_format, record_id_field,
                                 full_dataset, user):
    """Keep an uploaded data file (moved, not read) and queue its check."""
    stored_name = job_upload_store(uploaded=uploaded, purpose=JOB_UPLOADS_PURPOSE)
    return quality_check_enqueue(
        contract=contract, stored_name=stored_name, file_name=uploaded.name,
        data_format=data_format, record_id_field=record_id_field, full_dataset=full_dataset,
        user=user, actor=user.get_username(),
    )


def quality_check_records_enqueue(*, contract, records, record_id_field, full_dataset, user,
                                  actor):
    """Keep records posted over the API as a JSON file and queue their check."""
    stored_name = job_bytes_store(content=json.dumps(records).encode("utf-8"),
                                  name="api-records.json", purpose=JOB_UPLOADS_PURPOSE)
    return quality_check_enqueue(
        contract=contract, stored_name=stored_name, file_name="api", data_format="json",
        record_id_field=record_id_field, full_dataset=full_dataset, user=user, actor=actor,
    )
