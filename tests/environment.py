"""The one place tests override the environment, loaded as a pytest plugin (-p) before Django.

Tests run with production settings (DEBUG off), so they need a SECRET_KEY and no
HTTPS redirect for the test client. Values already in the environment win, so
CI's DATABASE_URL picks PostgreSQL.
"""

import atexit
import os
import shutil
import site
import sys
import tempfile
from pathlib import Path

os.environ.setdefault(
    "SECRET_KEY", "tests-only-secret-key-that-is-long-and-random-enough-0123456789"
)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

REPOSITORY = Path(__file__).resolve().parents[1]
_ENCLOSING_FOLDER = str(REPOSITORY.parent) + os.sep
_PATH_EVENTS = {"open": 0, "os.listdir": 0, "os.scandir": 0}


def _holds(folder, path):
    """Whether `path` is `folder` or lies anywhere under it."""
    folder = str(Path(folder).resolve())
    return path == folder or path.startswith(folder + os.sep)


# A checkout placed inside the temporary folder (as CI's copy is) would let every
# neighbour of the repository pass for a temporary file: give this run a temporary
# folder of its own instead, beside nothing.
if _holds(tempfile.gettempdir(), str(REPOSITORY.parent)):
    os.environ["TMPDIR"] = tempfile.mkdtemp(prefix="pycharter-tests-")
    tempfile.tempdir = None
    atexit.register(shutil.rmtree, os.environ["TMPDIR"], ignore_errors=True)
_ALLOWED_FOLDERS = tuple(
    form + os.sep
    for folder in (
        REPOSITORY,
        sys.prefix,
        sys.base_prefix,
        *site.getsitepackages(),
        tempfile.gettempdir(),
    )
    if not _holds(folder, str(REPOSITORY.parent))
    for form in {os.path.abspath(folder), str(Path(folder).resolve())}
)


class OutsideRepositoryError(RuntimeError):
    """A test touched a file beside the repository, which a fresh clone does not have."""


def _refuse_paths_beside_the_repository(event, arguments):
    """Audit hook: files next to the checkout are not part of it, so no test may read them.

    Only the folder that holds the repository is watched; the interpreter, its
    packages and the temporary folder stay allowed wherever they are.
    """
    index = _PATH_EVENTS.get(event)
    if index is None or not arguments:
        return
    path = arguments[index]
    if path is None or isinstance(path, int):
        return
    try:
        text = os.path.abspath(os.fsdecode(path)) + os.sep
    except (TypeError, ValueError):
        return
    if text.startswith(_ENCLOSING_FOLDER) and not text.startswith(_ALLOWED_FOLDERS):
        raise OutsideRepositoryError(
            f"{text.rstrip(os.sep)} is outside the repository {REPOSITORY}: tests may only "
            "read files that the repository holds"
        )


sys.addaudithook(_refuse_paths_beside_the_repository)
os.environ.setdefault("STATIC_FILES_HASHED", "false")
