"""What the load benchmarks share: a database to seed, gunicorn to serve the site, `wrk` to
drive it, and the CPU each request cost the site and PostgreSQL.

The CPU figures are read from /proc (the gunicorn workers, and the PostgreSQL backends of the
benchmark's database) before and after each run. On a machine that other jobs share they
stay close to what a quiet machine would show, while requests/s and latencies do not: they
tell whether a target missed for want of CPU or because a request costs too much.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN_CONFIG = REPOSITORY / "pycharter_site" / "gunicorn.conf.py"

# wrk's own report rounds and changes units; its `done` hook hands over the raw figures
# (latencies in microseconds). Errors: sockets that failed or timed out, and non-2xx/3xx.
REPORT_LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write("WRK-JSON ", string.format(
    '{"requests": %d, "seconds": %.3f, "p50_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}',
    summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout), "\\n")
end
"""


@dataclass(frozen=True)
class LoadRun:
    requests_per_second: float
    p50_milliseconds: float
    p99_milliseconds: float
    errors: int
    error_kinds: dict
    requests: int = 0


@dataclass(frozen=True)
class CpuPerRequest:
    site_milliseconds: float
    database_milliseconds: float


def parse_report(output):
    """The figures the `done` hook of REPORT_LUA printed into wrk's output."""
    line = next(line for line in output.splitlines() if line.startswith("WRK-JSON "))
    report = json.loads(line.removeprefix("WRK-JSON "))
    error_kinds = {kind: report[kind] for kind in ("connect", "read", "write", "status",
                                                   "timeout") if report[kind]}
    return LoadRun(
        requests_per_second=report["requests"] / report["seconds"],
        p50_milliseconds=report["p50_us"] / 1000,
        p99_milliseconds=report["p99_us"] / 1000,
        errors=sum(error_kinds.values()),
        error_kinds=error_kinds,
        requests=report["requests"],
    )


def wrk(url, script, *, duration, connections, timeout_seconds):
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s",
         "--timeout", f"{timeout_seconds}s", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout
    return parse_report(output)


def load_average():
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def psql(server, database, statement):
    subprocess.run(["psql", f"{server}/{database}", "-qc", statement], check=True)


def recreate_database(server, database):
    psql(server, "postgres", f"DROP DATABASE IF EXISTS {database}")
    psql(server, "postgres", f"CREATE DATABASE {database}")


def manage(arguments, environment, *, capture=False):
    """Runs `manage.py` with the benchmark's environment; its output when `capture`."""
    finished = subprocess.run([PYTHON, "manage.py", *arguments], cwd=REPOSITORY,
                              env=environment, check=True, capture_output=capture, text=True)
    return finished.stdout


@contextmanager
def gunicorn(environment, *, port, workers=None, ready_path="/admin/login/"):
    """The site served as the README deploys it (its gunicorn settings), until the block ends."""
    arguments = [PYTHON, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "pycharter_site.wsgi",
                 "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    if workers:
        arguments += ["--workers", str(workers)]
    server = subprocess.Popen(arguments, cwd=REPOSITORY, env=environment)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # it answers: it is up
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _cpu_ticks(process_ids):
    total = 0
    for process_id in process_ids:
        try:
            fields = Path(f"/proc/{process_id}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def _children(parent_id):
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == parent_id:
            children.append(int(entry.name))
    return children


def _database_backends(server, database):
    output = subprocess.run(
        ["psql", f"{server}/postgres", "-Atc",
         f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'"],
        capture_output=True, text=True, check=True,
    ).stdout
    return [int(process_id) for process_id in output.split()]


WARM_UP_SECONDS = 3


def measured_run(url, script, *, gunicorn_process, server, database, **wrk_options):
    """wrk's figures, and the CPU per request of the gunicorn workers and of PostgreSQL's
    backends of `database` (zero where /proc cannot see them: PostgreSQL on another host).

    A few seconds of the same load come first, unmeasured: each worker's first requests
    import code and compile templates, which a short run would count against the page."""
    wrk(url, script, **{**wrk_options, "duration": WARM_UP_SECONDS})
    workers = _children(gunicorn_process.pid)
    backends = _database_backends(server, database)
    site_before, database_before = _cpu_ticks(workers), _cpu_ticks(backends)
    measured = wrk(url, script, **wrk_options)
    # Backends opened during the run count from zero.
    backends = set(backends) | set(_database_backends(server, database))
    site_ticks = _cpu_ticks(workers) - site_before
    database_ticks = _cpu_ticks(backends) - database_before
    per_request = 1000 / os.sysconf("SC_CLK_TCK") / max(measured.requests, 1)
    return measured, CpuPerRequest(site_ticks * per_request, database_ticks * per_request)


def measured_rows(runs, *, gunicorn_process, options):
    """`runs`: (label, url, wrk script, budgeted); each measured with `measured_run` at the
    load options (`load_arguments`), as rows for `report`."""
    return [
        (label, *measured_run(url, script, gunicorn_process=gunicorn_process,
                              server=options.server, database=options.database,
                              duration=options.duration, connections=options.connections,
                              timeout_seconds=options.timeout), budgeted)
        for label, url, script, budgeted in runs
    ]


def report(rows, *, budget_milliseconds, what):
    """The table, the load average after, and whether `what` met the budget; the exit
    status (0 when it did)."""
    within_budget = print_table(rows, budget_milliseconds=budget_milliseconds)
    print(f"load average after: {load_average()}")
    print(f"{what} p99 < {budget_milliseconds} ms with no errors: "
          f"{'yes' if within_budget else 'NO'}")
    return 0 if within_budget else 1


def print_table(rows, *, budget_milliseconds):
    """rows: (label, LoadRun, CpuPerRequest, budgeted). True when every budgeted row met the
    p99 budget with no errors."""
    width = max(len(label) for label, *_ in rows)
    print(f"{'':{width}} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'CPU ms/request: site':>21} {'PostgreSQL':>10}")
    within_budget = True
    for label, measured, cpu, budgeted in rows:
        kinds = ", ".join(f"{kind} {count}" for kind, count in measured.error_kinds.items())
        verdict = ""
        if budgeted:
            met = measured.p99_milliseconds < budget_milliseconds and not measured.errors
            within_budget &= met
            verdict = f"  p99 < {budget_milliseconds} ms: {'yes' if met else 'NO'}"
        print(f"{label:{width}} {measured.requests_per_second:8.1f} "
              f"{measured.p50_milliseconds:8.1f} {measured.p99_milliseconds:8.1f} "
              f"{measured.errors:7d} {cpu.site_milliseconds:21.1f} "
              f"{cpu.database_milliseconds:10.1f}{verdict}{f'  ({kinds})' if kinds else ''}")
    return within_budget


def load_arguments(description, *, database):
    """The options both load benchmarks take; `database` is the default database name."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: pycharter_site/gunicorn.conf.py's).")
    parser.add_argument("--timeout", type=int, default=10,
                        help="Seconds before wrk gives up on a response (counted as an error).")
    parser.add_argument("--database", default=database)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    return parser.parse_args()
