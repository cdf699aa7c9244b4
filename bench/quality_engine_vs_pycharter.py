#!/usr/bin/env python3
"""Side-by-side benchmark: our quality engine against PyCharter 0.0.67, whole process each.

    python bench/quality_engine_vs_pycharter.py [--n 1000000] [--csv] [--seed 42]

1. Creates ``bench/.venv-pycharter`` (never the project's virtualenv) with
   ``pycharter==0.0.67 pyyaml`` when it is missing.
2. Generates N records with ``bench/generate_members.py`` into ``bench/out/data``
   (kept for the next run with the same N and seed), for the contract
   ``bench/contracts/library_members.yaml``.
3. Runs ``bench/pycharter_runner.py`` (PyCharter's own ``QualityCheck``) inside that
   virtualenv on the JSON Lines file (and CSV with ``--csv``).
4. Runs our engine on the same file in a subprocess of its own: read, check and
   accumulate metrics, streaming.
5. Prints one table: records/s, valid and invalid counts, peak RSS, the speed ratio,
   and whether the counts match. Each side runs ``--repeat`` times (default 2),
   alternating, and its fastest run is shown: the machine may be shared.

Both sides are timed from process start to exit and their peak RSS read from
``wait4``. PyCharter's own figure for its check alone (records per second of
``QualityCheck.run``) is shown beside its whole-process figure.

Standard library and the engine only; the contract YAML is turned into JSON with
the PyCharter virtualenv's PyYAML.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

BENCH_DIRECTORY = Path(__file__).resolve().parent
REPOSITORY = BENCH_DIRECTORY.parent
GENERATOR = BENCH_DIRECTORY / "generate_members.py"
PYCHARTER_RUNNER = BENCH_DIRECTORY / "pycharter_runner.py"
CONTRACT_YAML = BENCH_DIRECTORY / "contracts" / "library_members.yaml"
PYCHARTER_VIRTUALENV = BENCH_DIRECTORY / ".venv-pycharter"
PYCHARTER_PYTHON = PYCHARTER_VIRTUALENV / "bin" / "python"
OUTPUT = BENCH_DIRECTORY / "out"
PYCHARTER_REQUIREMENTS = ("pycharter==0.0.67", "pyyaml")


def ensure_pycharter_virtualenv() -> None:
    if PYCHARTER_PYTHON.exists():
        return
    print(f"creating {PYCHARTER_VIRTUALENV} with {' '.join(PYCHARTER_REQUIREMENTS)}", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(PYCHARTER_VIRTUALENV)
    # Keep the virtualenv out of git whatever the repository's .gitignore says.
    (PYCHARTER_VIRTUALENV / ".gitignore").write_text("*\n")
    subprocess.run(
        [str(PYCHARTER_PYTHON), "-m", "pip", "install", "--quiet", *PYCHARTER_REQUIREMENTS],
        check=True,
    )


def generate_records(count: int, seed: int) -> Path:
    data = OUTPUT / "data"
    stem = data / f"members_{count}"
    manifest = stem.with_suffix(".manifest.json")
    if manifest.exists() and json.loads(manifest.read_text()).get("seed") == seed:
        return stem
    print(f"generating {count:,} records", flush=True)
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--n",
            str(count),
            "--out-dir",
            str(data),
            "--seed",
            str(seed),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return stem


def contract_as_json() -> Path:
    """The contract in JSON, so that the engine run needs nothing but the standard library."""
    target = OUTPUT / "library_members.json"
    converter = (
        "import json, sys, yaml; "
        "json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], 'w'))"
    )
    subprocess.run(
        [str(PYCHARTER_PYTHON), "-c", converter, str(CONTRACT_YAML), str(target)], check=True
    )
    return target


def measure(command: list[str], name: str) -> tuple[dict, float, float, float]:
    """Run a command that prints one JSON line; return that line, its wall seconds, its
    peak RSS in MB and its CPU seconds, read from ``wait4`` for that very process."""
    stdout_path, stderr_path = OUTPUT / f"{name}.stdout", OUTPUT / f"{name}.stderr"
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=REPOSITORY)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{name} failed:\n{stderr_path.read_text(errors='replace')[-3000:]}")
    lines = [line for line in stdout_path.read_text().splitlines() if line.startswith("{")]
    cpu_seconds = usage.ru_utime + usage.ru_stime
    return json.loads(lines[-1]), seconds, usage.ru_maxrss / 1024, cpu_seconds


def run_engine(data_path: str, data_format: str, contract_path: str) -> None:
    """The engine side, run in its own process: stream, check, accumulate, print one JSON line.

    As a quality check runs it: chunk by chunk, on every core for a large JSON Lines file.
    """
    sys.path.insert(0, str(REPOSITORY))
    from quality.engine import ChunkRules, MetricsAccumulator, checked_chunks, compile_contract

    contract = json.loads(Path(contract_path).read_text())
    compiled = compile_contract(
        contract["schema"],
        (contract.get("coercion_rules") or {}).get("rules"),
        (contract.get("validation_rules") or {}).get("rules"),
    )
    accumulator = MetricsAccumulator()
    for chunk in checked_chunks(
        data_path, data_format, ChunkRules(contract=compiled, keep_failures=False)
    ):
        accumulator.merge(chunk.metrics)
    metrics = accumulator.result()
    print(
        json.dumps(
            {
                "records": metrics.record_count,
                "valid": metrics.valid_count,
                "invalid": metrics.invalid_count,
                "violations": metrics.violation_count,
                "overall_score": metrics.overall_score,
            }
        )
    )


def compare(stem: Path, data_format: str, contract_json: Path, repeat: int) -> list[str]:
    """Run both sides ``repeat`` times, alternating, and keep each side's fastest run:
    the machine is shared, and alternating gives both the same chances."""
    data_path = f"{stem}.{data_format}"
    pycharter_command = [
        str(PYCHARTER_PYTHON),
        str(PYCHARTER_RUNNER),
        data_path,
        "--contract",
        str(CONTRACT_YAML),
    ]
    engine_command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--run-engine",
        data_path,
        data_format,
        str(contract_json),
    ]
    pycharter_runs, engine_runs = [], []
    for attempt in range(1, repeat + 1):
        print(f"run {attempt}/{repeat}: PyCharter 0.0.67 on {Path(data_path).name}", flush=True)
        pycharter_runs.append(measure(pycharter_command, f"pycharter-{data_format}"))
        if "error" in pycharter_runs[-1][0]:
            raise SystemExit(f"PyCharter failed: {pycharter_runs[-1][0]['error']}")
        print(f"run {attempt}/{repeat}: quality engine on {Path(data_path).name}", flush=True)
        engine_runs.append(measure(engine_command, f"engine-{data_format}"))
    pycharter, pycharter_seconds, pycharter_peak, pycharter_cpu = min(
        pycharter_runs, key=lambda run: run[1]
    )
    ours, our_seconds, our_peak, our_cpu = min(engine_runs, key=lambda run: run[1])
    records = ours["records"]
    pycharter_rate = pycharter["records"] / pycharter_seconds
    our_rate = records / our_seconds
    counts_match = all(
        (theirs["valid"], theirs["invalid"]) == (mine["valid"], mine["invalid"])
        for (theirs, *_), (mine, *_) in zip(pycharter_runs, engine_runs, strict=True)
    )
    note = ""
    if not counts_match and data_format == "csv":
        note = (
            ' (expected on CSV: an empty cell is a missing value here, "" for PyCharter\'s runner)'
        )
    return [
        f"{data_format}, {records:,} records, best of {repeat} alternating run(s) per side",
        f"  {'':32}{'PyCharter 0.0.67':>20}{'quality engine':>20}",
        f"  {'records/s, whole process':32}{pycharter_rate:>20,.0f}{our_rate:>20,.0f}",
        f"  {'records/s, check only':32}{pycharter['records_per_s']:>20,.0f}{'-':>20}",
        f"  {'wall seconds':32}{pycharter_seconds:>20.1f}{our_seconds:>20.1f}",
        f"  {'CPU seconds (user + system)':32}{pycharter_cpu:>20.1f}{our_cpu:>20.1f}",
        f"  {'valid':32}{pycharter['valid']:>20,}{ours['valid']:>20,}",
        f"  {'invalid':32}{pycharter['invalid']:>20,}{ours['invalid']:>20,}",
        f"  {'peak RSS (MB)':32}{pycharter_peak:>20,.0f}{our_peak:>20,.0f}",
        f"  speed ratio (whole process): {our_rate / pycharter_rate:.1f}x wall time, "
        f"{pycharter_cpu / pycharter['records'] / (our_cpu / records):.1f}x CPU time",
        f"  counts match: {'yes' if counts_match else 'NO'}{note}",
    ]


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n", type=int, default=1_000_000, help="records to generate (default 1,000,000)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--csv", action="store_true", help="also compare on the CSV file")
    parser.add_argument(
        "--repeat", type=int, default=2, help="alternating runs per side, best kept (default 2)"
    )
    parser.add_argument(
        "--run-engine", nargs=3, metavar=("DATA", "FORMAT", "CONTRACT_JSON"), help=argparse.SUPPRESS
    )
    options = parser.parse_args(arguments)
    if options.run_engine:
        run_engine(*options.run_engine)
        return 0
    OUTPUT.mkdir(parents=True, exist_ok=True)
    ensure_pycharter_virtualenv()
    stem = generate_records(options.n, options.seed)
    contract_json = contract_as_json()
    rows = [f"load average at start: {' '.join(f'{load:.2f}' for load in os.getloadavg())}"]
    rows += compare(stem, "jsonl", contract_json, options.repeat)
    if options.csv:
        rows += compare(stem, "csv", contract_json, options.repeat)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
