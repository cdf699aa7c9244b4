"""`export_data --filter`: the API list's FilterSet narrows the export, with the same names."""

import json

import pytest

from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")


def test_violations_export_takes_the_api_violation_filters(run, space, space_argument, flights,
                                                           other_tenant):
    # given violations of flights that differ in field, severity and priority
    factories.QualityViolationFactory(data_contract=flights, record_identifier="wanted",
                                      field_name="gate", severity="critical", priority="high")
    factories.QualityViolationFactory(data_contract=flights, record_identifier="other_field",
                                      field_name="age", severity="critical", priority="high")
    factories.QualityViolationFactory(data_contract=flights, record_identifier="other_severity",
                                      field_name="gate", severity="warning", priority="high")

    # when the critical gate violations are exported with the API's filter names
    result = run("export_data", "violations", "--space", space_argument, "--format", "json",
                 "--filter", "field=gate", "--filter", "severity=critical",
                 "--filter", "priority=high")

    # then only that violation of this space is exported
    assert [row["record_identifier"] for row in json.loads(result.stdout)] == ["wanted"]


def test_contracts_export_takes_the_api_contract_filters(run, space, space_argument,
                                                         other_tenant):
    factories.DataContractFactory(space=space, name="flights", version="1.0.0", status="active")
    factories.DataContractFactory(space=space, name="cargo", version="1.0.0", status="active")

    result = run("export_data", "contracts", "--space", space_argument, "--format", "json",
                 "--filter", "name_contains=arg")

    assert [(row["name"], row["version"]) for row in json.loads(result.stdout)] == [
        ("cargo", "1.0.0")]


def test_an_unknown_filter_and_a_bad_value_name_the_filter(run, space_argument):
    unknown = run("export_data", "violations", "--space", space_argument, "--filter", "colour=red")
    bad_value = run("export_data", "violations", "--space", space_argument,
                    "--filter", "severity=dire")
    not_filterable = run("export_data", "ownership-links", "--space", space_argument,
                         "--filter", "name=x")

    assert unknown.stderr == (
        "CommandError: --filter 'colour=red': expected NAME=VALUE with NAME one of assignee, "
        "checked_after, checked_before, contract, error_type, field, priority, severity, status, "
        "version.\n")
    assert bad_value.stderr == ("CommandError: --filter severity: Select a valid choice. dire is "
                                "not one of the available choices.\n")
    assert not_filterable.stderr == "CommandError: --filter does not apply to ownership-links.\n"
