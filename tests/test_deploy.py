"""The deployment the README describes: gunicorn and workers against PostgreSQL, WhiteNoise,
/health/, and a queue that several workers share without running a job twice."""

import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from contracts.models import DataContract, Owner
from tenancy.job_files import job_upload_enqueue
from tenancy.jobs import ORPHANED_ERROR, job_enqueue, job_retry, job_run, jobs_orphaned_fail
from tenancy.models import Attachment, Job, JobState
from tenancy.scoping import space_scope
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a-long-deploy-test-password"


def _environment(tmp_path, **extra):
    settings_dict = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:"
                        f"{settings_dict['PORT']}/{settings_dict['NAME']}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        **extra,
    }


def _worker(environment, worker_id):
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--worker-id", worker_id, "--interval",
         "0.05", "--no-startup-delay", "--no-reload"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _wait_for_line(process, text, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if text in line:
            return
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"the process never printed {text!r}")


def _stop(*processes):
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def _wait_until_done(job_ids, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with scopes_disabled():
            states = set(Job.objects.filter(pk__in=job_ids).values_list("state", flat=True))
        if states <= {JobState.DONE, JobState.FAILED}:
            return
        time.sleep(0.2)
    raise AssertionError(f"jobs still {states} after {timeout} s")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_run_every_job_exactly_once(requires_postgresql, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    with scopes_disabled():
        space = factories.SpaceFactory(name="Flights", slug="flights")
        steward = factories.MembershipFactory(space=space, role="steward").user
    environment = _environment(tmp_path)
    workers = [_worker(environment, "worker-a"), _worker(environment, "worker-b")]
    try:
        for worker in workers:
            _wait_for_line(worker, "Starting worker")
        with transaction.atomic(), scopes_disabled():
            jobs = [job_enqueue(kind="tenancy.audit_export", space=space, user=steward,
                                payload={}) for _ in range(40)]
        _wait_until_done([job.pk for job in jobs])
    finally:
        _stop(*workers)

    with scopes_disabled():
        finished = list(Job.objects.values_list("state", "attempts"))
        exports = Attachment.objects.count()
    runs = DBTaskResult.objects.filter(task_path="tenancy.jobs.job_task")
    workers_of_runs = [tuple(run.worker_ids) for run in runs]
    assert finished == [(JobState.DONE, 1)] * 40
    assert exports == 40
    assert len(workers_of_runs) == 40
    assert all(len(worker_ids) == 1 for worker_ids in workers_of_runs)
    assert {worker_ids[0] for worker_ids in workers_of_runs} == {"worker-a", "worker-b"}


class Browser:
    """A client of the real server behind a TLS proxy: cookies are Secure, so it keeps them."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}

    def request(self, path, data=None, content_type=None):
        host = self.base.removeprefix("http://")
        headers = {"X-Forwarded-Proto": "https", "Referer": f"https://{host}{path}",
                   "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        if content_type is not None:
            headers["Content-Type"] = content_type
            body = data
        else:
            body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, response.read().decode()

    def upload(self, path, fields, files):
        """POST multipart/form-data, as a browser's file input sends it: `files` maps an
        input's name to (file name, bytes)."""
        boundary = f"----deploy-test-{secrets.token_hex(8)}"
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                         f"\r\n\r\n{value}\r\n".encode())
        for name, (file_name, content) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                         f'filename="{file_name}"\r\nContent-Type: application/octet-stream'
                         "\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(path, b"".join(parts),
                            content_type=f"multipart/form-data; boundary={boundary}")

    def csrf_token(self, page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gunicorn_and_a_worker_run_a_job_started_over_http(requires_postgresql, tmp_path,
                                                           settings):
    # The server checks the password with production's hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    with scopes_disabled():
        space = factories.SpaceFactory(name="Flights", slug="flights")
        steward = factories.MembershipFactory(space=space, role="steward").user
    steward.set_password(PASSWORD)
    steward.save()
    environment = _environment(tmp_path, STATIC_FILES_HASHED="true")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=environment, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "pycharter_site/gunicorn.conf.py",
         "pycharter_site.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    worker = _worker(environment, "worker-http")
    try:
        _wait_for_line(server, "Booting worker")
        _wait_for_line(worker, "Starting worker")
        browser = Browser(f"http://127.0.0.1:{port}")
        _, _, login_page = browser.request("/admin/login/")
        status, headers, _ = browser.request("/admin/login/", {
            "csrfmiddlewaretoken": browser.csrf_token(login_page),
            "username": steward.username, "password": PASSWORD, "next": "/admin/",
        })
        assert (status, headers["Location"]) == (302, "/admin/")
        _, _, jobs_page = browser.request("/admin/tenancy/job/")
        stylesheet = re.search(r'href="(/static/pycharter/jobs\.[0-9a-f]{12}\.css)"',
                               jobs_page).group(1)

        status, headers, _ = browser.request("/admin/tenancy/job/audit-export/", {
            "csrfmiddlewaretoken": browser.csrf_token(jobs_page), "space": str(space.pk),
        })
        job_id = headers["Location"].split("/")[-3]
        assert status == 302
        _wait_until_done([job_id])
        _, _, status_json = browser.request(f"/admin/tenancy/job/{job_id}/status/")
        result = json.loads(status_json)
        download_status, _, exported = browser.request(result["result_url"])
        static_status, static_headers, _ = browser.request(stylesheet)
        health_status, _, health = browser.request("/health/")
    finally:
        _stop(server, worker)

    assert result["state"] == "done"
    assert download_status == 200
    assert exported.splitlines()[0] == "created_at,actor_name,source,action,object_repr"
    assert static_status == 200
    assert "max-age=315360000" in static_headers["Cache-Control"]
    assert health_status == 200
    assert json.loads(health)["status"] == "ok"


def _server(environment):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "pycharter_site.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    return server, f"http://127.0.0.1:{port}"


def _signed_in(base, user):
    browser = Browser(base)
    _, _, login_page = browser.request("/admin/login/")
    status, _, _ = browser.request("/admin/login/", {
        "csrfmiddlewaretoken": browser.csrf_token(login_page),
        "username": user.username, "password": PASSWORD, "next": "/admin/",
    })
    assert status == 302
    return browser


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_quality_check_uploaded_in_the_admin_over_http_is_run_by_a_worker(
    requires_postgresql, tmp_path, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    with scopes_disabled():
        space = factories.SpaceFactory(name="Library", slug="library")
        steward = factories.MembershipFactory(space=space, role="steward").user
        call_command("import_contract", str(ROOT / "bench" / "contracts" / "library_members.yaml"),
                     space=f"{space.organization.slug}/{space.slug}", stdout=io.StringIO())
        contract = DataContract.objects.get(name="library_members")
    steward.set_password(PASSWORD)
    steward.save()
    subprocess.run([sys.executable, "bench/generate_members.py", "--n", "3000", "--out-dir",
                    str(tmp_path / "data")], cwd=ROOT, check=True, capture_output=True)
    data = (tmp_path / "data" / "members_3000.jsonl").read_bytes()
    environment = _environment(tmp_path, PYCHARTER_QUALITY_JOB_THRESHOLD_BYTES="100000")
    assert len(data) > 100_000
    server, base = _server(environment)
    worker = _worker(environment, "worker-check")
    try:
        _wait_for_line(server, "Booting worker")
        _wait_for_line(worker, "Starting worker")
        browser = _signed_in(base, steward)
        _, _, contract_page = browser.request(
            f"/admin/contracts/datacontract/{contract.pk}/change/")
        status, headers, _ = browser.upload(
            f"/admin/quality/qualityviolation/run-check/{contract.pk}/",
            {"csrfmiddlewaretoken": browser.csrf_token(contract_page),
             "quality_check_record_id": "card_number", "quality_check_partial": "on"},
            {"quality_check_file": ("members.jsonl", data)},
        )
        job_id = headers["Location"].split("/")[-3]
        _wait_until_done([job_id])
        _, _, job_json = browser.request(f"/api/v1/jobs/{job_id}/")
        job = json.loads(job_json)
        _, _, metric_json = browser.request(f"/api/v1/quality/metrics/?contract={contract.pk}")
        _, _, violations_json = browser.request(
            f"/api/v1/quality/violations/?contract={contract.pk}&page_size=1000")
    finally:
        _stop(server, worker)

    [metric] = json.loads(metric_json)["results"]
    violations = json.loads(violations_json)["results"]
    assert (status, headers["Location"]) == (302, f"/admin/tenancy/job/{job_id}/change/")
    assert (job["state"], job["error"], job["percent"]) == ("done", "", 100)
    assert job["result"] == {"type": "quality.qualitymetric", "id": metric["id"]}
    assert metric["record_count"] == 3000
    assert 0 < metric["invalid_count"] < 3000
    assert len(violations) == metric["violation_count"]
    assert {violation["contract"] for violation in violations} == {str(contract.pk)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_job_wrote_nothing_and_the_retried_job_writes_once(
    requires_postgresql, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    with scopes_disabled():
        space = factories.SpaceFactory(name="Library", slug="library")
        steward = factories.MembershipFactory(space=space, role="steward").user
    rows = "".join(f"owner_{number},Owner {number}\n" for number in range(4000))
    with transaction.atomic(), space_scope(space):
        job = job_upload_enqueue(
            kind="quality.file_import", space=space, user=steward,
            uploaded=SimpleUploadedFile("owners.csv", f"id,name\n{rows}".encode()),
            purpose="imports", payload={"resource": "owners", "format": "csv",
                                        "result_url": ""},
        )
    worker = _worker(_environment(tmp_path), "worker-killed")
    try:
        _wait_for_line(worker, "Starting worker")
        _wait_for(lambda: _job(job.pk).progress_done > 0)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        _wait_for(lambda: jobs_orphaned_fail() == 1)
    finally:
        if worker.poll() is None:
            _stop(worker)
    failed = _job(job.pk)
    with scopes_disabled():
        owners_after_the_kill = Owner.objects.count()

    with space_scope(space):
        job_retry(job=failed, user=steward)
    job_run(job_id=job.pk)

    done = _job(job.pk)
    with scopes_disabled():
        owners = Owner.objects.count()
    assert 0 < failed.progress_done < 4000
    assert (failed.state, failed.error) == (JobState.FAILED, ORPHANED_ERROR)
    assert owners_after_the_kill == 0
    assert (done.state, done.attempts, done.error) == (JobState.DONE, 2, "")
    assert owners == 4000


def _job(job_id):
    with scopes_disabled():
        return Job.objects.get(pk=job_id)


def _wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"still not so after {timeout} s")
