"""The quality engine answers as PyCharter 0.0.67 does, on every measured edge input.

The measured answers live in `pycharter_semantics`; each pair of a built-in and an
input is one test, and the counts are asserted so that no row is lost on the way.
"""

import ast
import math
import time
from pathlib import Path

import pytest
import yaml

from quality.engine import compile_contract
from quality.engine.coercions import COERCION_FUNCTIONS
from quality.engine.results import FieldFailure
from quality.engine.validations import VALIDATION_FACTORIES
from tests.quality.engine.pycharter_semantics import (
    ABSENT,
    COERCION_ANSWERS,
    COERCION_INPUTS,
    MEMBER,
    MEMBER_RECORDS,
    VALIDATION_ANSWERS,
    VALIDATION_INPUTS,
)

MEMBER_CONTRACT = (
    Path(__file__).resolve().parents[2] / "fixtures" / "pycharter" / "member_contract.yaml"
)
TRUNCATED_CELL_LENGTH = 40

#: Where the engine departs from PyCharter on purpose: an empty optional value counts
#: as absent (PyCharter reads an empty CSV cell as null but checks "" in JSON as text,
#: so the same data would score differently as CSV and as JSON).
EMPTY_VALUE_DEPARTURES = {"age ''": True}


def python_value(cell: str):
    if cell == "float('nan')":
        return float("nan")
    return ast.literal_eval(cell)


def coercion_cases():
    return [
        pytest.param(name, cell, expected, id=f"{name}-{cell}")
        for name, answers in COERCION_ANSWERS.items()
        for cell, expected in zip(COERCION_INPUTS, answers, strict=True)
    ]


def validation_cases():
    return [
        pytest.param(name, parameters, cell, expected, id=f"{name}-{cell}")
        for name, parameters, answers in VALIDATION_ANSWERS
        for cell, expected in zip(VALIDATION_INPUTS, answers, strict=True)
    ]


def record_rows():
    return [
        pytest.param(label, EMPTY_VALUE_DEPARTURES.get(label, valid), id=label)
        for label, _, valid in MEMBER_RECORDS
    ]


def test_the_tables_hold_every_measured_row():
    # given the measured answers / when they become cases / then nothing is lost on the way
    assert len(coercion_cases()) == 39 * 14
    assert len(validation_cases()) == 16 * 10
    assert len(record_rows()) == 51
    assert len({label for label, _, _ in MEMBER_RECORDS}) == 51
    measured = {label: valid for label, _, valid in MEMBER_RECORDS}
    assert {label: measured[label] for label in EMPTY_VALUE_DEPARTURES} == {"age ''": False}


@pytest.fixture
def utc_local_time(monkeypatch):
    """Epoch numbers become local datetimes in PyCharter; the tables were measured in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("coercion", "input_cell", "expected"), coercion_cases())
def test_coercion_gives_the_measured_answer(coercion, input_cell, expected, utc_local_time):
    # given a value from the table
    value = python_value(input_cell)
    coerce = COERCION_FUNCTIONS[coercion]
    # when it is coerced / then the answer is PyCharter's
    if expected.startswith("raises "):
        exception = {"ValueError": ValueError, "OverflowError": OverflowError}[expected.split()[1]]
        with pytest.raises(exception):
            coerce(value)
        return
    result = coerce(value)
    if expected == "nan":
        assert isinstance(result, float) and math.isnan(result)
    elif expected.startswith("'"):
        assert type(result) is str and result == ast.literal_eval(expected)
    else:
        shown = f"{type(result).__name__}:{result!r}"
        if len(expected) == TRUNCATED_CELL_LENGTH:
            assert shown.startswith(expected)
        else:
            assert shown == expected


@pytest.mark.parametrize(("rule", "parameters", "input_cell", "expected"), validation_cases())
def test_validation_gives_the_measured_answer(rule, parameters, input_cell, expected):
    # given a rule compiled with the table's parameters
    check = VALIDATION_FACTORIES[rule](**parameters)
    value = python_value(input_cell)
    # when it checks the value / then it passes or fails as in PyCharter
    if expected == "ok":
        assert check(value) == value
    else:
        assert expected == "raises ValueError"
        with pytest.raises(FieldFailure) as failure:
            check(value)
        assert failure.value.error_type == "validation_error"


def member_record(changes):
    record = dict(MEMBER)
    for field, value in changes.items():
        if value == ABSENT:
            del record[field]
        else:
            record[field] = value
    return record


@pytest.fixture(scope="module")
def member_contract():
    document = yaml.safe_load(MEMBER_CONTRACT.read_text(encoding="utf-8"))
    return compile_contract(
        document["schema"],
        document["coercion_rules"]["rules"],
        document["validation_rules"]["rules"],
    )


@pytest.mark.parametrize(("label", "valid"), record_rows())
def test_member_record_is_valid_as_in_pycharter(label, valid, member_contract):
    # given the record the row describes / when the members contract checks it
    changes = next(changes for row_label, changes, _ in MEMBER_RECORDS if row_label == label)
    result = member_contract.check(member_record(changes))
    # then its validity is PyCharter's, and a failing record names what failed
    assert result.valid is valid
    assert len(result.errors) == (0 if valid else 1)
