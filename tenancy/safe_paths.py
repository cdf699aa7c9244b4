"""File names the project writes, kept inside the folder they are written to.

Names that reach a file name come from stored data (a contract's name, an upload's
name); whatever they hold, a written file must not land outside its folder.
"""

from pathlib import Path


def path_inside(folder: Path, name: str) -> Path:
    """`folder / name`; ValueError when `name` is not one plain file name within `folder`."""
    if not name or "\x00" in name or "/" in name or "\\" in name or name in (".", ".."):
        raise ValueError(f"{name!r} is not a file name: it would be written outside {folder}")
    resolved_folder = folder.resolve()
    if (resolved_folder / name).resolve().parent != resolved_folder:
        raise ValueError(f"{name!r} would be written outside {folder}")
    return folder / name
