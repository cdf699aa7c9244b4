"""The deployment the README describes: gunicorn and workers against PostgreSQL, WhiteNoise,
/health/, and a queue that several workers share without running a job twice."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection, transaction
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from tenancy.jobs import job_enqueue
from tenancy.models import Attachment, Job, JobState
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

    def request(self, path, data=None):
        host = self.base.removeprefix("http://")
        headers = {"X-Forwarded-Proto": "https", "Referer": f"https://{host}{path}",
                   "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
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
