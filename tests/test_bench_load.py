"""The load benchmarks read their figures from the line wrk's `done` hook prints."""

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "wrk_load.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("wrk_load", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


WRK_OUTPUT = """Running 30s test @ http://127.0.0.1:8765/api/v1/quality/violations/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   412.11ms  301.09ms   2.00s    71.02%
  4660 requests in 30.03s, 151.12MB read
  Socket errors: connect 0, read 0, write 0, timeout 12
Requests/sec:    155.17
Transfer/sec:      5.03MB
WRK-JSON {"requests": 4660, "seconds": 30.030, "p50_us": 351200, "p99_us": 1987004, \
"max_us": 2000123, "connect": 0, "read": 0, "write": 0, "status": 3, "timeout": 12}
"""


def test_the_report_gives_percentiles_in_milliseconds_and_every_kind_of_error():
    measured = _load_bench().parse_report(WRK_OUTPUT)

    assert round(measured.requests_per_second, 2) == 155.18
    assert (measured.p50_milliseconds, measured.p99_milliseconds) == (351.2, 1987.004)
    assert (measured.errors, measured.error_kinds) == (15, {"status": 3, "timeout": 12})
    assert measured.requests == 4660
