#!/usr/bin/env python3
"""PyCharter's own quality check on one data file; prints one JSON line.

    bench/.venv-pycharter/bin/python bench/pycharter_runner.py DATA --contract CONTRACT

Runs inside ``bench/.venv-pycharter`` (PyCharter is never a project dependency) and
uses PyCharter's public API only: ``pycharter.quality.QualityCheck().run(contract=...,
data=[...])`` with its default options. DATA is ``.jsonl``, ``.json`` or ``.csv``
(read with the csv module, so every value is text and an empty cell is ``""``).

The contract file is in the whole-contract shape this project imports (``schema:``,
identity at the top). PyCharter 0.0.67 reads another shape (``json_schema:``,
identity inside ``metadata``), so the keys are moved and PyCharter's own
``migrate_contract_v0_to_v1`` finishes the conversion.

Timed: building ``QualityCheck()`` and ``run()``, after an untimed warm-up on the
first records (``run()`` imports pandas lazily). The line holds: version, records,
valid, invalid, violations, overall_score, seconds, records_per_s, load_seconds,
max_rss_mb; or ``error`` when PyCharter raised.
"""

import argparse
import copy
import csv
import json
import resource
import sys
import time
from importlib.metadata import version

IDENTITY = ("name", "version", "status", "description")


def read_records(path: str) -> list[dict]:
    if path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8") as table:
            return list(csv.DictReader(table))
    with open(path, encoding="utf-8") as source:
        if path.endswith(".jsonl"):
            return [json.loads(line) for line in source if line.strip()]
        data = json.load(source)
    return data if isinstance(data, list) else [data]


def pycharter_contract(path: str) -> dict:
    """The contract as the installed PyCharter reads it."""
    import yaml  # a PyCharter dependency

    with open(path, encoding="utf-8") as source:
        contract = yaml.safe_load(source)
    try:
        from pycharter.contract_migrations import migrate_contract_v0_to_v1
    except ImportError:  # releases before json_schema read the schema: shape as it is
        return contract
    contract = copy.deepcopy(contract)
    contract["json_schema"] = contract.pop("schema")
    metadata = contract.setdefault("metadata", {})
    for key in IDENTITY:
        if key in contract:
            metadata.setdefault(key, contract.pop(key))
    contract.pop("versions", None)
    return migrate_contract_v0_to_v1(contract)


def main(arguments=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data")
    parser.add_argument("--contract", required=True)
    parser.add_argument("--warmup", type=int, default=100, help="untimed records first")
    options = parser.parse_args(arguments)

    from pycharter.quality import QualityCheck

    started = time.perf_counter()
    records = read_records(options.data)
    load_seconds = time.perf_counter() - started
    line = {"tool": "pycharter", "version": version("pycharter"), "records": len(records)}
    try:
        contract = pycharter_contract(options.contract)
        if options.warmup and records:
            QualityCheck().run(contract=contract, data=records[: options.warmup])
        started = time.perf_counter()
        report = QualityCheck().run(contract=contract, data=records)
        seconds = time.perf_counter() - started
    except Exception as error:  # PyCharter's failure is a result too
        line["error"] = f"{type(error).__name__}: {error}"[:2000]
        print(json.dumps(line))
        return 2
    score = report.quality_score
    line.update(
        records=report.record_count,
        valid=report.valid_count,
        invalid=report.invalid_count,
        violations=report.violation_count,
        overall_score=score.overall_score if score else None,
        seconds=round(seconds, 4),
        records_per_s=round(report.record_count / seconds, 1) if seconds else None,
        load_seconds=round(load_seconds, 4),
        max_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
