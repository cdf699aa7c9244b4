#!/usr/bin/env python3
"""Background jobs under gunicorn and real worker processes, on PostgreSQL.

    .venv/bin/python bench/jobs.py [--megabytes 100] [--workers 2] [--alerts 100]
        [--database pycharter_bench_jobs] [--server postgres://postgres@127.0.0.1:5432]

1. (Re)creates the database, migrates it, and imports `bench/contracts/library_members.yaml`
   into one space with a steward; writes a JSON Lines file of at least `--megabytes` MB
   with `bench/generate_members.py`.
2. Serves the site with gunicorn (DEBUG off, 2 processes) and starts `--workers`
   `run_worker` processes.
3. (a) Signs in to the admin over HTTP (a real session, CSRF token) and posts the file
   to the contract's run-check form, timing the request until its redirect to the job:
   the request stores the upload and queues the check, it does not wait for it.
   (b) Follows the job over the API until it is done: the worker's records/s from the
   job's start and end.
   (c) Raises `--alerts` alerts on as many contracts with one webhook channel whose URL
   is a small HTTP server in this script, and counts what reaches it: delivered,
   duplicates, losses, and the time from the commit to the last delivery.

The load average is printed beside every figure.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = 8766
PASSWORD = "bench-jobs-password-0123"
BYTES_PER_RECORD = 198  # generate_members.py's JSON Lines, a little under its average


def load_average():
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


class AdminSession:
    """A browser's session against gunicorn behind a (pretended) TLS proxy: Secure cookies
    kept by hand, CSRF tokens read from the pages, uploads streamed from disk."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def _send(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"X-Forwarded-Proto": "https",
                   "Referer": f"https://127.0.0.1:{self.port}{path}",
                   "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
                   **(headers or {})}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.headers, content.decode("utf-8", "replace")

    def get(self, path):
        return self._send("GET", path)

    def post(self, path, fields):
        return self._send("POST", path, urllib.parse.urlencode(fields).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path, fields, input_name, file_path):
        """POST multipart/form-data with the file streamed in 1 MB pieces."""
        boundary = f"----bench-{secrets.token_hex(8)}"
        head = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode() for name, value in fields.items()
        ) + (f'--{boundary}\r\nContent-Disposition: form-data; name="{input_name}"; '
             f'filename="{file_path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
             ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def body():
            yield head
            with open(file_path, "rb") as source:
                while piece := source.read(1024 * 1024):
                    yield piece
            yield tail

        length = len(head) + file_path.stat().st_size + len(tail)
        return self._send("POST", path, body(), {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
        })

    @staticmethod
    def csrf_token(page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


class WebhookReceiver:
    """Counts the alert ids POSTed to it, with the time of the last one."""

    def __init__(self):
        self.received = []
        self.last_at = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(json.loads(body)["id"])
                receiver.last_at = time.monotonic()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/quality"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def wait_for_server(port):
    for _ in range(300):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET",
                                                                              "/admin/login/")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def prepare(options, environment, folder):
    """The database, the contract, the steward; returns (space, contract, steward)."""
    subprocess.run(["psql", f"{options.server}/postgres", "-qc",
                    f"DROP DATABASE IF EXISTS {options.database}"], check=True)
    subprocess.run(["psql", f"{options.server}/postgres", "-qc",
                    f"CREATE DATABASE {options.database}"], check=True)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=REPOSITORY,
                   env=environment, check=True)
    os.environ.update(environment)
    sys.path.insert(0, str(REPOSITORY))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from contracts.models import DataContract
    from tenancy.models import Membership, Organization, Space

    with scopes_disabled():
        organization = Organization.objects.create(name="Bench", slug="bench")
        space = Space.objects.create(organization=organization, name="Library", slug="library")
        steward = get_user_model().objects.create_user("steward", password=PASSWORD,
                                                       is_staff=True)
        Membership.objects.create(space=space, user=steward, role="steward")
        call_command("import_contract", str(REPOSITORY / "bench/contracts/library_members.yaml"),
                     space="bench/library", stdout=io.StringIO())
        contract = DataContract.objects.get(space=space, name="library_members")
    return space, contract, steward


def generate(megabytes, folder):
    records = -(-megabytes * 1024 * 1024 // BYTES_PER_RECORD)
    subprocess.run([PYTHON, str(REPOSITORY / "bench/generate_members.py"), "--n", str(records),
                    "--out-dir", str(folder)], check=True, capture_output=True)
    path = Path(folder) / f"members_{records}.jsonl"
    for other in Path(folder).glob(f"members_{records}.*"):
        if other != path:
            other.unlink()
    return path


def measure_upload(port, contract, data_file):
    session = AdminSession(port)
    _, _, login_page = session.get("/admin/login/")
    status, _, _ = session.post("/admin/login/", {
        "csrfmiddlewaretoken": AdminSession.csrf_token(login_page), "username": "steward",
        "password": PASSWORD, "next": "/admin/",
    })
    assert status == 302, f"sign-in answered {status}"
    _, _, contract_page = session.get(f"/admin/contracts/datacontract/{contract.pk}/change/")
    before = load_average()
    started = time.monotonic()
    status, headers, _ = session.upload(
        f"/admin/quality/qualityviolation/run-check/{contract.pk}/",
        {"csrfmiddlewaretoken": AdminSession.csrf_token(contract_page),
         "quality_check_record_id": "card_number", "quality_check_partial": "on"},
        "quality_check_file", data_file,
    )
    seconds = time.monotonic() - started
    location = headers.get("Location", "")
    assert status == 302 and "/admin/tenancy/job/" in location, (status, location)
    job_id = location.rstrip("/").split("/")[-2]
    size = data_file.stat().st_size
    print(f"(a) admin accepts a {size / 2**20:.1f} MiB ({size / 10**6:.1f} MB) upload: "
          f"{seconds:.2f} s until the redirect to its job (load average {before} before, "
          f"{load_average()} after)")
    return session, job_id


def measure_check(session, job_id, contract):
    before = load_average()
    while True:
        _, _, body = session.get(f"/api/v1/jobs/{job_id}/")
        job = json.loads(body)
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.5)
    if job["state"] == "failed":
        raise SystemExit(f"the check failed: {job['error']}")
    _, _, body = session.get(f"/api/v1/quality/metrics/?contract={contract.pk}")
    metric = json.loads(body)["results"][0]
    from django.utils.dateparse import parse_datetime

    seconds = (parse_datetime(job["finished_at"]) - parse_datetime(job["started_at"])
               ).total_seconds()
    print(f"(b) worker checks {metric['record_count']:,} records ({metric['invalid_count']:,} "
          f"invalid) in {seconds:.1f} s: {metric['record_count'] / seconds:,.0f} records/s "
          f"(load average {before} before, {load_average()} after)")


def measure_alerts(space, count):
    from django.db import transaction

    from quality.alerting.services import alert_raise
    from quality.models import AlertChannel
    from tenancy.scoping import space_scope
    from tests.factories import DataContractFactory

    receiver = WebhookReceiver()
    try:
        with space_scope(space):
            contracts = [DataContractFactory(space=space, name=f"feed_{number}")
                         for number in range(count)]
            AlertChannel.objects.create(space=space, name="Bench hook", kind="webhook",
                                        config={"url": receiver.url})
            before = load_average()
            with transaction.atomic():
                for contract in contracts:
                    alert_raise(space=space, contract=contract, kind="quality_check_failed",
                                message=f"{contract.name} failed")
            committed = time.monotonic()
        deadline = committed + 300
        while len(set(receiver.received)) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # a duplicate would arrive now
    finally:
        receiver.close()
    delivered = len(set(receiver.received))
    took = (receiver.last_at - committed) if receiver.last_at else float("nan")
    print(f"(c) {count} alerts to a local webhook: delivered {delivered}, duplicates "
          f"{len(receiver.received) - delivered}, lost {count - delivered}, "
          f"{took:.2f} s from commit to the last delivery (load average {before} before, "
          f"{load_average()} after)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--alerts", type=int, default=100)
    parser.add_argument("--database", default="pycharter_bench_jobs")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        environment = {
            **os.environ, "DATABASE_URL": f"{options.server}/{options.database}", "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0", "MEDIA_ROOT": str(Path(folder) / "media"),
            "STATIC_ROOT": str(Path(folder) / "static"),
            "STATIC_FILES_HASHED": "0", "LOG_LEVEL": "WARNING",
            "PYCHARTER_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "pycharter_site.settings",
        }
        (Path(folder) / "static").mkdir()
        space, contract, _ = prepare(options, environment, folder)
        data_file = generate(options.megabytes, folder)
        print(f"{os.cpu_count()} cores; gunicorn -w 2, {options.workers} workers; PostgreSQL "
              f"{options.server}/{options.database}; load average {load_average()}")
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "pycharter_site.wsgi", "-b", f"127.0.0.1:{PORT}",
             "-w", "2", "--timeout", "600", "--log-level", "warning"],
            cwd=REPOSITORY, env=environment,
        )
        workers = [subprocess.Popen(
            [PYTHON, "manage.py", "run_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.1", "--worker-id", f"bench-{number}"],
            cwd=REPOSITORY, env=environment, stdout=subprocess.DEVNULL,
        ) for number in range(options.workers)]
        try:
            wait_for_server(PORT)
            session, job_id = measure_upload(PORT, contract, data_file)
            measure_check(session, job_id, contract)
            measure_alerts(space, options.alerts)
        finally:
            for process in (server, *workers):
                process.send_signal(signal.SIGTERM)
            for process in (server, *workers):
                process.wait(timeout=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
