#!/usr/bin/env python3
"""One run, side by side: PyCharter 0.0.67, our engine alone, and `manage.py run_quality_check`
on PostgreSQL (a first run and a re-run), all whole process, on the same generated file.

    .venv/bin/python bench/quality_check_vs_pycharter.py [--n 1000000] [--repeat 2]
        [--database pycharter_bench_quality] [--seed 42]

1. Creates ``bench/.venv-pycharter`` with ``pycharter==0.0.67 pyyaml`` when it is missing,
   and generates N JSON Lines records with ``bench/generate_members.py`` (kept for the
   next run with the same N and seed), for ``bench/contracts/library_members.yaml``.
2. Creates the PostgreSQL database ``<database>_template`` (``postgres@127.0.0.1:5432``,
   or ``--server``), migrates it and imports the contract into it, once per run.
3. Each attempt, in turn: PyCharter's own ``QualityCheck`` (``bench/pycharter_runner.py``);
   our engine alone (read, check, accumulate metrics; no database); then a fresh copy
   of the template as ``<database>``, ``manage.py run_quality_check`` on it (the metric
   and every violation written) and the same command again (every violation found
   again and refreshed).
4. Prints one table: records/s, wall and CPU seconds, valid and invalid counts, the
   violations written, peak RSS and the ratio to PyCharter of each column, each
   column's fastest of ``--repeat`` attempts (the machine may be shared), the re-run's
   time against the first run's, and whether every count equals PyCharter's.

Every figure is from process start to exit; peak RSS and CPU come from ``wait4`` for
that very process (the database server's own work is not in the CPU column).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from quality_engine_vs_pycharter import (
    CONTRACT_YAML,
    OUTPUT,
    PYCHARTER_PYTHON,
    PYCHARTER_RUNNER,
    REPOSITORY,
    contract_as_json,
    ensure_pycharter_virtualenv,
    generate_records,
)

ENGINE_SCRIPT = Path(__file__).resolve().parent / "quality_engine_vs_pycharter.py"
COLUMNS = ("PyCharter 0.0.67", "engine alone", "check, first run", "check, re-run")
THRESHOLDS_FAILED = 1


class Run:
    """One process: what it printed, its wall and CPU seconds, its peak RSS in MB."""

    def __init__(self, summary: dict, seconds: float, cpu_seconds: float, peak_mb: float):
        self.summary = summary
        self.seconds = seconds
        self.cpu_seconds = cpu_seconds
        self.peak_mb = peak_mb

    @property
    def records(self) -> int:
        return self.summary["records"]

    @property
    def rate(self) -> float:
        return self.records / self.seconds


def measure(command: list[str], name: str, environment: dict | None = None) -> Run:
    """Run a command that prints JSON (one line, or the whole output); time it."""
    stdout_path, stderr_path = OUTPUT / f"{name}.stdout", OUTPUT / f"{name}.stderr"
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=REPOSITORY,
                                   env=environment)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, THRESHOLDS_FAILED):
        raise SystemExit(f"{name} failed:\n{stderr_path.read_text(errors='replace')[-3000:]}")
    output = stdout_path.read_text()
    try:
        summary = json.loads(output)
    except json.JSONDecodeError:
        summary = json.loads([line for line in output.splitlines() if line.startswith("{")][-1])
    if "error" in summary:
        raise SystemExit(f"{name} failed: {summary['error']}")
    return Run(summary, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def psql(server: str, *statements: str) -> None:
    commands = [argument for statement in statements for argument in ("-c", statement)]
    subprocess.run(["psql", f"{server}/postgres", "-q", *commands], check=True,
                   stderr=subprocess.DEVNULL)


def prepare_template(server: str, database: str) -> dict:
    """The template database, migrated, with the contract; the environment to use it."""
    template = f"{database}_template"
    psql(server, f"DROP DATABASE IF EXISTS {database}", f"DROP DATABASE IF EXISTS {template}",
         f"CREATE DATABASE {template}")
    environment = {**os.environ, "DATABASE_URL": f"{server}/{template}", "SECRET_KEY": "bench",
                   "DEBUG": "1"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=REPOSITORY, env=environment, check=True)
    subprocess.run([*manage, "import_contract", str(CONTRACT_YAML)], cwd=REPOSITORY,
                   env=environment, check=True, stdout=subprocess.DEVNULL)
    return {**environment, "DATABASE_URL": f"{server}/{database}"}


def command_runs(data_path: str, server: str, database: str, environment: dict) -> tuple:
    """A first run on a fresh copy of the template, then a re-run of the same file."""
    psql(server, f"DROP DATABASE IF EXISTS {database}",
         f"CREATE DATABASE {database} TEMPLATE {database}_template")
    command = [sys.executable, "manage.py", "run_quality_check", "library_members", data_path,
               "--record-id", "card_number", "--json"]
    runs = []
    for name in ("check-first", "check-rerun"):
        run = measure(command, name, environment)
        run.summary["records"] = run.summary["record_count"]
        run.summary["valid"] = run.summary["valid_count"]
        run.summary["invalid"] = run.summary["invalid_count"]
        runs.append(run)
    return tuple(runs)


def table(best: list[Run], counts_match: bool, repeat: int) -> list[str]:
    pycharter = best[0]
    first, rerun = best[2], best[3]

    def row(label: str, cells) -> str:
        return f"  {label:30}" + "".join(f"{cell:>19}" for cell in cells)

    def written(run: Run) -> str:
        if "record_count" not in run.summary:  # not the command
            return "-"
        violations = run.summary["violations"]
        return f"{violations['opened']:,} / {violations['updated']:,}"

    return [
        f"jsonl, {pycharter.records:,} records, best of {repeat} attempt(s) per column",
        row("", COLUMNS),
        row("records/s, whole process", (f"{run.rate:,.0f}" for run in best)),
        row("ratio to PyCharter", (f"{run.rate / pycharter.rate:.1f}x" for run in best)),
        row("wall seconds", (f"{run.seconds:.1f}" for run in best)),
        row("CPU seconds (user + system)", (f"{run.cpu_seconds:.1f}" for run in best)),
        row("valid", (f"{run.summary['valid']:,}" for run in best)),
        row("invalid", (f"{run.summary['invalid']:,}" for run in best)),
        row("violations opened / refreshed", (written(run) for run in best)),
        row("peak RSS (MB)", (f"{run.peak_mb:,.0f}" for run in best)),
        f"  re-run time / first run time: {rerun.seconds / first.seconds:.2f}",
        f"  valid and invalid counts equal PyCharter's in every attempt: "
        f"{'yes' if counts_match else 'NO'}",
    ]


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000,
                        help="records to generate (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=2,
                        help="attempts, each column's fastest kept (default 2)")
    parser.add_argument("--database", default="pycharter_bench_quality",
                        help="the database to create (and <name>_template)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    options = parser.parse_args(arguments)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    ensure_pycharter_virtualenv()
    data_path = f"{generate_records(options.n, options.seed)}.jsonl"
    contract_json = contract_as_json()
    environment = prepare_template(options.server, options.database)
    load_at_start = os.getloadavg()
    attempts = []
    for attempt in range(1, options.repeat + 1):
        print(f"attempt {attempt}/{options.repeat}: PyCharter, engine, check, re-check",
              flush=True)
        pycharter = measure([str(PYCHARTER_PYTHON), str(PYCHARTER_RUNNER), data_path,
                             "--contract", str(CONTRACT_YAML)], "pycharter")
        engine = measure([sys.executable, str(ENGINE_SCRIPT), "--run-engine", data_path, "jsonl",
                          str(contract_json)], "engine")
        attempts.append((pycharter, engine,
                         *command_runs(data_path, options.server, options.database, environment)))
    best = [min(column, key=lambda run: run.seconds) for column in zip(*attempts, strict=True)]
    counts_match = all(
        (run.summary["valid"], run.summary["invalid"])
        == (runs[0].summary["valid"], runs[0].summary["invalid"])
        for runs in attempts for run in runs
    )
    loads = " / ".join(" ".join(f"{load:.2f}" for load in figures)
                       for figures in (load_at_start, os.getloadavg()))
    print("\n".join([f"load average at start / end: {loads}",
                     *table(best, counts_match, options.repeat)]))
    return 0 if counts_match else 1


if __name__ == "__main__":
    sys.exit(main())
