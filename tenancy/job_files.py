"""Files that jobs read and write, kept in the default storage under `jobs/`.

An upload waits for its job in a folder of its own (`jobs/<purpose>/<random>/<name>`), so
two uploads of the same name never meet and no name from a user reaches outside the
folder. These files are never served as they are: the job that owns one is scoped to its
space, and an export's file is only downloaded through its job's page.
"""

import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction

from tenancy.jobs import job_enqueue
from tenancy.safe_paths import path_inside

JOB_FILES_FOLDER = Path("jobs")


def job_file_name(*, purpose, name):
    """A fresh storage name for a file called `name`; ValueError for a name that is not one
    plain file name."""
    folder = path_inside(path_inside(JOB_FILES_FOLDER, purpose), uuid.uuid4().hex)
    return str(PurePosixPath(path_inside(folder, PurePosixPath(name).name or name)))


def job_upload_store(*, uploaded, purpose):
    """Keep an upload for its job; returns its storage name. A temporary upload (the usual
    case beyond FILE_UPLOAD_MAX_MEMORY_SIZE) is moved, never read into memory."""
    uploaded.seek(0)
    return default_storage.save(job_file_name(purpose=purpose, name=uploaded.name), uploaded)


def job_bytes_store(*, content, name, purpose):
    """Keep bytes made in the request (e.g. records posted over the API) for a job."""
    return default_storage.save(job_file_name(purpose=purpose, name=name),
                                ContentFile(content))


@transaction.atomic
def job_upload_enqueue(*, kind, space, user, uploaded, purpose, payload):
    """Keep an upload and queue the job `kind` that reads it; its payload names the stored
    file (`stored_name`) and the name the user knows it by (`file_name`)."""
    stored_name = job_upload_store(uploaded=uploaded, purpose=purpose)
    return job_enqueue(kind=kind, space=space, user=user, payload={
        **payload, "stored_name": stored_name, "file_name": PurePosixPath(
            str(uploaded.name).replace("\\", "/")).name,
    })


@contextmanager
def job_file_local_path(stored_name):
    """A path on this machine to read the stored file from: the file itself on local storage,
    else a temporary copy (S3)."""
    try:
        local = Path(default_storage.path(stored_name))
    except NotImplementedError:  # storage without local files
        local = None
    if local is not None and local.is_file():
        yield local
        return
    with tempfile.NamedTemporaryFile(suffix=PurePosixPath(stored_name).suffix) as copy, \
            default_storage.open(stored_name, "rb") as source:
        shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)


def job_file_delete_on_commit(stored_name):
    """Forget an uploaded file once the work that read it is committed (a failed job keeps it
    for its retry)."""
    transaction.on_commit(lambda: default_storage.delete(stored_name))


def job_file_write(*, purpose, name, write):
    """Write a job's output file: `write(binary_file)` fills a temporary file, which is then
    stored; returns the storage name."""
    with tempfile.TemporaryFile() as scratch:
        write(scratch)
        scratch.seek(0)
        return default_storage.save(job_file_name(purpose=purpose, name=name),
                                    File(scratch, name=name))
