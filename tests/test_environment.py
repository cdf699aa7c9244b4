"""The test run refuses files beside the repository: a fresh clone has none of them."""

import os

import pytest

from tests.environment import REPOSITORY, OutsideRepositoryError


def test_opening_a_file_beside_the_repository_fails_loudly():
    # given a path in the folder that holds the repository, outside it
    path = REPOSITORY.parent / "neighbour" / "x"

    # when a test opens it / then the guard names the path and the repository
    with pytest.raises(OutsideRepositoryError) as caught:
        open(path)  # noqa: SIM115
    assert str(caught.value) == (
        f"{path} is outside the repository {REPOSITORY}: tests may only read files "
        "that the repository holds"
    )


def test_listing_the_folder_around_the_repository_fails_loudly():
    with pytest.raises(OutsideRepositoryError):
        os.listdir(REPOSITORY.parent)
    with pytest.raises(OutsideRepositoryError):
        os.scandir(REPOSITORY.parent / "neighbour")


def test_a_path_that_climbs_out_of_the_repository_is_caught():
    with pytest.raises(OutsideRepositoryError):
        (REPOSITORY / "tests" / ".." / ".." / "neighbour" / "notes.md").read_text()


def test_the_repository_the_interpreter_and_temporary_files_stay_readable(tmp_path):
    # given files inside the repository, of the interpreter, and in a temporary folder
    (tmp_path / "data.txt").write_text("ok")

    # when they are read / then nothing is refused
    assert (REPOSITORY / "pyproject.toml").read_text().startswith("[project]")
    assert os.listdir(REPOSITORY / "tests" / "fixtures" / "pycharter")
    with open(os.__file__, "rb") as module:
        assert module.read(1)
    assert (tmp_path / "data.txt").read_text() == "ok"
