"""Files kept for jobs: each upload in a folder of its own, read back on any storage."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tenancy.job_files import job_file_local_path, job_file_name, job_upload_store


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_two_uploads_of_one_name_are_kept_apart_and_unchanged(media):
    first = job_upload_store(uploaded=SimpleUploadedFile("members.csv", b"a\n1\n"),
                             purpose="imports")
    second = job_upload_store(uploaded=SimpleUploadedFile("members.csv", b"a\n2\n"),
                              purpose="imports")

    assert first != second
    assert [first.split("/")[:2], first.split("/")[-1]] == [["jobs", "imports"], "members.csv"]
    assert (media / first).read_bytes() == b"a\n1\n"
    assert (media / second).read_bytes() == b"a\n2\n"


@pytest.mark.parametrize("name", ["..", "", "."])
def test_a_name_that_is_no_file_name_is_refused(name):
    with pytest.raises(ValueError):
        job_file_name(purpose="imports", name=name)


def test_a_stored_file_is_read_from_a_temporary_copy_when_the_storage_has_no_local_files(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.InMemoryStorage"}}  # no file on disk, like S3
    stored = job_upload_store(uploaded=SimpleUploadedFile("members.jsonl", b'{"a": 1}\n'),
                              purpose="quality-checks")

    with job_file_local_path(stored) as path:
        copied = (path.read_bytes(), path.suffix)

    assert copied == (b'{"a": 1}\n', ".jsonl")
    assert not path.exists()
    assert default_storage.exists(stored)
