"""The gunicorn settings the README deploys with: synchronous workers, one per core and one."""

import os
import runpy
import subprocess
import sys
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


def test_a_worker_freezes_what_it_loaded_and_collects_less_often():
    checked = subprocess.run(
        [sys.executable, "-c",
         "import gc, runpy, sys; hook = runpy.run_path(sys.argv[1])['post_worker_init']; "
         "hook(None); print(gc.get_freeze_count() > 0, gc.get_threshold())", str(CONFIG)],
        capture_output=True, text=True, check=True,
    )

    assert checked.stdout.split(None, 1) == ["True", "(5000, 10, 10)\n"]
