"""Every row of the edge tables of PYCHARTER-SEMANTICS.md, as measured on PyCharter 0.0.67.

The tables are read from the shared specification itself, so a row added there is
a test here; the row counts are asserted so that a parsing slip cannot drop rows.
"""

import ast
import json
import math
import time
from pathlib import Path

import pytest
import yaml

from quality.engine import compile_contract
from quality.engine.coercions import COERCION_FUNCTIONS
from quality.engine.results import FieldFailure
from quality.engine.validations import VALIDATION_FACTORIES

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
SEMANTICS = SHARED / "PYCHARTER-SEMANTICS.md"
TEMPLATE_CONTRACT = SHARED / "fixtures" / "pycharter" / "template_contract.yaml"
TRUNCATED_CELL_LENGTH = 40


def section_tables(heading: str) -> list[list[list[str]]]:
    """The markdown tables under a heading, each as rows of cells (header row first)."""
    text = SEMANTICS.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n### ", 1)[0]
    tables, current = [], []
    for line in section.splitlines():
        if line.startswith("| "):
            if not line.startswith("| ---"):
                current.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def unquote(cell: str) -> str:
    return cell[1:-1] if cell.startswith("`") and cell.endswith("`") else cell


def python_value(cell: str):
    text = unquote(cell)
    if text == "float('nan')":
        return float("nan")
    return ast.literal_eval(text)


def coercion_cases():
    cases = []
    for table in section_tables("### Coercions"):
        names = [unquote(cell) for cell in table[0][1:]]
        for row in table[1:]:
            for name, expected in zip(names, row[1:], strict=True):
                cases.append(pytest.param(name, row[0], unquote(expected), id=f"{name}-{row[0]}"))
    return cases


def validation_cases():
    cases = []
    for table in section_tables("### Validations"):
        rules = []
        for header in table[0][1:]:
            name, _, parameters = header.partition(" ")
            rules.append((unquote(name), json.loads(parameters)))
        for row in table[1:]:
            for (name, parameters), expected in zip(rules, row[1:], strict=True):
                cases.append(
                    pytest.param(name, parameters, row[0], unquote(expected), id=f"{name}-{row[0]}")
                )
    return cases


def record_rows():
    (table,) = section_tables("### Whole records")
    return [pytest.param(label, valid == "True", id=label) for label, valid in table[1:]]


def test_the_tables_hold_every_measured_row():
    # given the specification / when it is read / then nothing is lost on the way
    assert len(coercion_cases()) == 39 * 14
    assert len(validation_cases()) == 16 * 10
    assert len(record_rows()) == 49


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


BASE_RECORD = {
    "user_id": "u0001",
    "name": "Alice Smith",
    "email": "alice.smith@example.com",
    "age": 42,
    "status": "active",
    "created_at": "2024-03-05T12:34:56Z",
    "notes": "Prefers e-mail contact.",
}
ABSENT = object()


def changed(field, value):
    record = dict(BASE_RECORD)
    if value is ABSENT:
        del record[field]
    else:
        record[field] = value
    return record


RECORDS = {
    "base (clean JSON types)": BASE_RECORD,
    "all values as CSV strings": {key: str(value) for key, value in BASE_RECORD.items()},
    "user_id int 123": changed("user_id", 123),
    "user_id ''": changed("user_id", ""),
    "user_id absent": changed("user_id", ABSENT),
    "user_id None": changed("user_id", None),
    "name '  Alice  '": changed("name", "  Alice  "),
    "name ''": changed("name", ""),
    "name '   '": changed("name", "   "),
    "name absent": changed("name", ABSENT),
    "name None": changed("name", None),
    "name 101 chars": changed("name", "n" * 101),
    "name int 5": changed("name", 5),
    "email upper": changed("email", BASE_RECORD["email"].upper()),
    "email 'a@b'": changed("email", "a@b"),
    "email 'a.example.com'": changed("email", "a.example.com"),
    "email 'a@@b.com'": changed("email", "a@@b.com"),
    "email 'a b@c.com'": changed("email", "a b@c.com"),
    "email ''": changed("email", ""),
    "age '42'": changed("age", "42"),
    "age ' 42 '": changed("age", " 42 "),
    "age '42.0'": changed("age", "42.0"),
    "age '42.7'": changed("age", "42.7"),
    "age 42.7": changed("age", 42.7),
    "age True": changed("age", True),
    "age ''": changed("age", ""),
    "age None": changed("age", None),
    "age absent": changed("age", ABSENT),
    "age 'N/A'": changed("age", "N/A"),
    "age -3": changed("age", -3),
    "age 200": changed("age", 200),
    "age '150.9'": changed("age", "150.9"),
    "age '1e2'": changed("age", "1e2"),
    "age 'inf'": changed("age", "inf"),
    "status 'ACTIVE'": changed("status", "ACTIVE"),
    "status ' active '": changed("status", " active "),
    "status 'banned'": changed("status", "banned"),
    "status absent": changed("status", ABSENT),
    "created_at '2024-03-05'": changed("created_at", "2024-03-05"),
    "created_at '2024-03-05 12:34:56'": changed("created_at", "2024-03-05 12:34:56"),
    "created_at 'not-a-date'": changed("created_at", "not-a-date"),
    "created_at ''": changed("created_at", ""),
    "created_at absent": changed("created_at", ABSENT),
    "notes ''": changed("notes", ""),
    "notes 'null'": changed("notes", "null"),
    "notes 501 chars": changed("notes", "n" * 501),
    "notes 500 chars": changed("notes", "n" * 500),
    "notes int 7": changed("notes", 7),
    "extra field 'foo'": {**BASE_RECORD, "extra": "foo"},
}


@pytest.fixture(scope="module")
def template_contract():
    document = yaml.safe_load(TEMPLATE_CONTRACT.read_text(encoding="utf-8"))
    return compile_contract(
        document["schema"],
        document["coercion_rules"]["rules"],
        document["validation_rules"]["rules"],
    )


@pytest.mark.parametrize(("label", "valid"), record_rows())
def test_template_record_is_valid_as_in_pycharter(label, valid, template_contract):
    # given the record the table describes / when the template contract checks it
    result = template_contract.check(RECORDS[label])
    # then its validity is PyCharter's, and a failing record names what failed
    assert result.valid is valid
    assert len(result.errors) == (0 if valid else 1)
