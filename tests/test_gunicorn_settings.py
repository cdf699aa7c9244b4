"""The gunicorn settings the README deploys with: synchronous workers, one per core and one."""

import os
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / "pycharter_site" / "gunicorn.conf.py"


def test_one_synchronous_worker_per_core_and_one_more(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    settings = runpy.run_path(str(CONFIG))

    assert settings["worker_class"] == "sync"
    assert settings["workers"] == len(os.sched_getaffinity(0)) + 1


def test_web_concurrency_sets_another_number(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")

    assert runpy.run_path(str(CONFIG))["workers"] == 5
