"""The same records as CSV and as JSON Lines give the same score and the same violations.

CSV cannot tell an empty cell from an absent value; an empty value of an optional
field counts as absent, so a JSON file saying "", null or nothing agrees with it.
"""

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from contracts.documents.parsing import parse_contract_file
from contracts.services import contract_import
from quality.models import QualityMetric, QualityViolation
from tenancy.scoping import space_scope
from tests.quality.admin.helpers import signed_in

pytestmark = pytest.mark.usefixtures("unscoped")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pycharter"
COLUMNS = ("card_number", "full_name", "email", "age", "membership", "joined_at", "remarks",
           "nickname", "shelf")
VALID = {"full_name": "Ada Lovelace", "email": "ada@example.org", "age": 36,
         "membership": "student", "joined_at": "2024-03-05T12:34:56Z", "remarks": "North branch.",
         "nickname": "Ada", "shelf": "B12"}
ABSENT = object()
RECORDS = [
    {"card_number": "c01"},
    {"card_number": "c02", "age": ""},
    {"card_number": "c03", "age": None, "remarks": ABSENT},
    {"card_number": "c04", "remarks": ""},
    {"card_number": "c05", "full_name": ""},
    {"card_number": "c06", "email": ""},
    {"card_number": "c07", "nickname": ""},
    {"card_number": "c08", "shelf": ""},
    {"card_number": "c09", "age": "N/A"},
    {"card_number": "c10", "membership": ""},
    {"card_number": "c11", "age": ABSENT, "remarks": None},
]
METRIC_FIGURES = ("overall_score", "violation_rate", "completeness", "accuracy", "record_count",
                  "valid_count", "invalid_count", "violation_count", "field_scores",
                  "threshold_breaches", "passed")


def _contract(space, tmp_path):
    """The members contract with two optional fields whose rules forbid empty text."""
    document = yaml.safe_load((FIXTURES / "member_contract.yaml").read_text())
    document["schema"]["properties"]["nickname"] = {"type": "string"}
    document["schema"]["properties"]["shelf"] = {
        "type": "string", "validations": {"min_length": {"threshold": 2}}}
    document["validation_rules"]["rules"]["nickname"] = {"non_empty_string": None}
    # Owner ids are global (the ERD's key): the contracts of this test name none.
    del document["metadata"]["ownership"]
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(document))
    bundle = replace(parse_contract_file(path, max_bytes=10**6).bundles[0], status="draft")
    with space_scope(space):
        return contract_import(space=space, bundle=bundle).contract


def _full_records():
    return [{**VALID, **changes} for changes in RECORDS]


def _write_jsonl(tmp_path):
    path = tmp_path / "members.jsonl"
    lines = [json.dumps({key: value for key, value in record.items() if value is not ABSENT})
             for record in _full_records()]
    path.write_text("\n".join(lines) + "\n")
    return path


def _write_csv(tmp_path):
    path = tmp_path / "members.csv"
    with path.open("w", newline="") as table:
        rows = csv.writer(table)
        rows.writerow(COLUMNS)
        for record in _full_records():
            rows.writerow(["" if record[key] in (None, ABSENT) else record[key]
                           for key in COLUMNS])
    return path


def _check(space, path):
    output = io.StringIO()
    arguments = ["run_quality_check", "library_members", str(path), "--json",
                 "--record-id", "card_number",
                 "--space", f"{space.organization.slug}/{space.slug}"]
    with pytest.raises(SystemExit) as exit_info:
        call_command(*arguments, stdout=output)
    assert exit_info.value.code == 1
    return json.loads(output.getvalue())


def _figures(summary):
    metric = QualityMetric.objects.get(pk=summary["quality_metric_id"])
    return {name: getattr(metric, name) for name in METRIC_FIGURES}


def _violations(contract):
    return sorted(QualityViolation.objects.filter(data_contract=contract)
                  .values_list("record_identifier", "field_name", "error_type", "error_message",
                               "status"))


def test_csv_and_json_lines_of_the_same_records_give_the_same_figures_and_violations(
    space, other_space, tmp_path
):
    # given the same records as CSV in one space and as JSON Lines in another
    csv_contract = _contract(space, tmp_path)
    json_contract = _contract(other_space, tmp_path)

    # when each file is checked
    csv_summary = _check(space, _write_csv(tmp_path))
    json_summary = _check(other_space, _write_jsonl(tmp_path))

    # then the metrics and the violations are the same
    assert _figures(csv_summary) == _figures(json_summary)
    assert _violations(csv_contract) == _violations(json_contract)
    assert (csv_summary["record_count"], csv_summary["invalid_count"]) == (11, 6)


def test_a_second_format_of_the_same_records_opens_and_resolves_nothing(space, tmp_path):
    # given a check of the CSV file
    contract = _contract(space, tmp_path)
    _check(space, _write_csv(tmp_path))
    before = _violations(contract)

    # when the JSON Lines file of the same records is checked
    summary = _check(space, _write_jsonl(tmp_path))

    # then it finds exactly the violations the CSV check found
    assert summary["violations"] == {"opened": 0, "updated": 6, "reopened": 0, "resolved": 0,
                                     "not_found": 0}
    assert _violations(contract) == before


@pytest.mark.parametrize("write", [_write_csv, _write_jsonl])
def test_an_empty_value_is_a_violation_only_when_required_or_forbidden_by_a_rule(
    write, space, tmp_path
):
    # given records with empty values of optional fields, of required fields, and of
    # optional fields whose rules forbid empty text
    contract = _contract(space, tmp_path)

    # when they are checked
    _check(space, write(tmp_path))

    # then only the required fields and the forbidding rules report them
    assert _violations(contract) == [
        ("c05", "full_name", "missing_field", "required field is empty", "open"),
        ("c06", "email", "missing_field", "required field is empty", "open"),
        ("c07", "nickname", "validation_error", "String must not be empty", "open"),
        ("c08", "shelf", "validation_error", "String must be at least 2 characters long, got 0",
         "open"),
        ("c09", "age", "type_error",
         "coercion coerce_to_integer failed: Cannot coerce 'N/A' to integer: could not convert "
         "string to float: 'N/A'", "open"),
        ("c10", "membership", "missing_field", "required field is empty", "open"),
    ]


def test_the_contract_page_tells_a_steward_what_an_empty_value_means(space, steward, tmp_path):
    contract = _contract(space, tmp_path)

    page = signed_in(steward).get(reverse("admin:contracts_datacontract_change",
                                          args=[contract.pk]))

    assert page.status_code == 200
    assert (
        'Empty values: an empty CSV cell and <code>""</code> in JSON count as no value, so every '
        "format gives the same score. An empty optional field is no violation unless a rule "
        "forbids empty text (<code>non_empty_string</code>, <code>min_length</code> or "
        "<code>minLength</code> of 1 or more); an empty required field is a violation, "
        '"required field is empty".'
    ) in page.content.decode()
