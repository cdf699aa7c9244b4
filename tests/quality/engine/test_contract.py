"""Compiling contracts: names, parameters, fields, schema validity, inline and top-level rules."""

import re
from pathlib import Path

import pytest
import yaml

from quality.engine import (
    KNOWN_COERCIONS,
    KNOWN_VALIDATIONS,
    ContractDefinitionError,
    FieldError,
    RecordProblem,
    RuleProblem,
    compile_contract,
    contract_problems,
    record_identifier,
)
from quality.engine.schema import check_properties, compile_properties

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pycharter"


def load(name):
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))


def documented_names(name):
    """The rule names a template's header comment lists ("#   - name ...")."""
    header = (FIXTURES / name).read_text(encoding="utf-8").split("\ntitle:", 1)[0]
    return set(re.findall(r"^#\s+-\s+(\w+)", header, flags=re.MULTILINE))


def test_known_coercions_are_the_documented_ones_and_nullable_boolean():
    # given the coercion template's header / when compared with the engine's names
    documented = documented_names("loan_coercion_rules.yaml")
    # then they are the same, plus coerce_to_nullable_boolean that the semantics measure
    assert len(documented) == 20
    assert set(KNOWN_COERCIONS) == documented | {"coerce_to_nullable_boolean"}


def test_known_validations_are_exactly_the_documented_ones():
    documented = documented_names("loan_validation_rules.yaml")
    assert len(documented) == 15
    assert set(KNOWN_VALIDATIONS) == documented


def test_validation_specs_give_their_parameters():
    assert [(p.name, p.kind, p.required) for p in KNOWN_VALIDATIONS["max_length"].parameters] == [
        ("threshold", "integer", True)
    ]
    assert [p.name for p in KNOWN_VALIDATIONS["only_allow_if"].parameters] == [
        "condition_field",
        "condition_value",
        "allowed_values",
    ]
    assert KNOWN_VALIDATIONS["is_email"].parameters == ()
    assert KNOWN_COERCIONS["coerce_to_integer"].parameters == ()


def test_template_contract_compiles_with_inline_and_top_level_rules():
    # given the whole contract, whose inline rules repeat its top-level ones
    document = load("member_contract.yaml")
    # when it is compiled
    contract = compile_contract(
        document["schema"],
        document["coercion_rules"]["rules"],
        document["validation_rules"]["rules"],
    )
    # then every property is a field
    assert contract.field_names == (
        "card_number",
        "full_name",
        "email",
        "age",
        "membership",
        "joined_at",
        "remarks",
    )


def test_template_rule_files_compile_against_the_template_schema():
    # given the split files (the rules name loan_id, renewals, fine_amount... of its schema)
    schema = load("loan_schema.yaml")
    coercions = load("loan_coercion_rules.yaml")["rules"]
    validations = load("loan_validation_rules.yaml")["rules"]
    # when / then they make one contract
    contract = compile_contract(schema, coercions, validations)
    assert "copy_uuid" in contract.field_names


def test_inline_rules_apply_without_top_level_rules():
    # given only the schema of the whole contract, with its inline coercion and validations
    schema = load("member_contract.yaml")["schema"]
    contract = compile_contract(schema)
    # when a record needs the inline coercion and breaks an inline validation
    result = contract.check(
        {
            "card_number": 5,
            "full_name": "  Bob  ",
            "email": "BOB@EXAMPLE.COM",
            "membership": "Student",
            "joined_at": "2024-03-05",
            "remarks": "n" * 301,
        }
    )
    # then both were applied
    assert result.coerced["card_number"] == "5"
    assert result.coerced["full_name"] == "Bob"
    assert result.coerced["membership"] == "student"
    assert result.errors == [
        FieldError(
            "remarks", "validation_error", "String must be at most 300 characters long, got 301"
        )
    ]


def test_top_level_rules_apply_to_a_schema_without_inline_rules():
    schema = {"type": "object", "properties": {"age": {"type": "integer"}}}
    contract = compile_contract(
        schema, {"age": "coerce_to_integer"}, {"age": {"is_positive": None}}
    )
    assert contract.check({"age": "7.9"}).coerced == {"age": 7}
    assert contract.check({"age": "0"}).errors == [
        FieldError("age", "validation_error", "Value must be greater than 0, got 0")
    ]


def test_contract_problems_lists_every_problem():
    # given a contract with one of each kind of mistake
    schema = {
        "type": "object",
        "properties": {
            "name": {
                "type": "string",
                "coercion": "coerce_to_stripped_string",
                "validations": {"max_length": {"threshold": 10}},
            },
            "age": {"type": "integer", "minimum": "zero"},
        },
    }
    coercions = {"name": "coerce_to_lowercase", "ghost": "coerce_to_string", "age": "coerce_to_int"}
    validations = {
        "name": {"max_length": {"threshold": 20}, "only_allow": {"allowed_values": "a,b"}},
        "age": {
            "greater_than": {"threshold": 1},
            "less_than_or_equal_to": {"threshold": 1, "strict": True},
        },
    }
    # when the problems are listed
    problems = contract_problems(schema, coercions, validations)
    # then the schema error comes alone first (the rest is not checked against a broken schema)
    assert len(problems) == 1
    assert problems[0].field == "age"
    assert problems[0].rule == "schema"
    assert "'zero' is not of type 'number'" in problems[0].message
    # and with the schema fixed, every rule problem is listed
    schema["properties"]["age"]["minimum"] = 0
    assert contract_problems(schema, coercions, validations) == [
        RuleProblem(
            "name",
            "coercion",
            "the schema says 'coerce_to_stripped_string' and coercion_rules says "
            "'coerce_to_lowercase'; keep one",
        ),
        RuleProblem("ghost", "coercion", "the schema has no such field"),
        RuleProblem("age", "coerce_to_int", "unknown coercion"),
        RuleProblem("name", "only_allow", "parameter 'allowed_values' must be a list, not 'a,b'"),
        RuleProblem(
            "name",
            "max_length",
            "the schema gives {'threshold': 10} and validation_rules gives {'threshold': 20}; "
            "keep one",
        ),
        RuleProblem("age", "greater_than", "unknown validation"),
        RuleProblem("age", "less_than_or_equal_to", "unexpected parameter 'strict'"),
    ]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            {"max_length": {"threshold": "100"}},
            "parameter 'threshold' must be an integer, not '100'",
        ),
        ({"max_length": {"threshold": 1.5}}, "parameter 'threshold' must be an integer, not 1.5"),
        ({"max_length": {"threshold": True}}, "parameter 'threshold' must be an integer, not True"),
        ({"max_length": None}, "missing parameter 'threshold'"),
        ({"max_length": 100}, "parameters must be a mapping ({threshold: ...}), not 100"),
        (
            {"greater_than_or_equal_to": {"threshold": "0"}},
            "parameter 'threshold' must be a number, not '0'",
        ),
        (
            {"only_allow": {"allowed_values": "active"}},
            "parameter 'allowed_values' must be a list, not 'active'",
        ),
        (
            {"matches_regex": {"pattern": "(["}},
            "not a valid regular expression: unterminated character set at position 1",
        ),
        (
            {"only_allow_if": {"condition_field": "x", "allowed_values": [1]}},
            "missing parameter 'condition_value'",
        ),
        ({"is_email": {"strict": True}}, "unexpected parameter 'strict'"),
    ],
)
def test_bad_parameters_are_problems(rules, message):
    schema = {"type": "object", "properties": {"field": {"type": "string"}}}
    (problem,) = contract_problems(schema, None, {"field": rules})
    assert problem.field == "field"
    assert problem.message == message


def test_compile_contract_raises_with_the_problems():
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    with pytest.raises(ContractDefinitionError) as raised:
        compile_contract(schema, {"a": "coerce_to_nothing"}, {"b": {"is_email": None}})
    assert raised.value.problems == [
        RuleProblem("a", "coerce_to_nothing", "unknown coercion"),
        RuleProblem("b", "validation_rules", "the schema has no such field"),
    ]
    assert str(raised.value) == (
        "a: coerce_to_nothing: unknown coercion; b: validation_rules: the schema has no such field"
    )


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "object", "properties": {"a": {"type": "text"}}}, RuleProblem("a", "schema", "")),
        ({"type": "object", "required": "a"}, RuleProblem("", "schema", "")),
        (
            {"type": "array"},
            RuleProblem("", "type", "the schema of a record must be of type object"),
        ),
        (
            {"type": "object", "properties": {"a": {"enum": [1, 2]}}},
            RuleProblem(
                "a",
                "type",
                "PyCharter needs type, properties, $ref, anyOf, oneOf or allOf on every property",
            ),
        ),
        (
            {"type": "object", "properties": {"a": {"type": "integer", "maximum": 2.5}}},
            RuleProblem("a", "maximum", "an integer property needs a whole number, not 2.5"),
        ),
        (
            {"type": "object", "properties": {"a": {"type": "string", "pattern": "(("}}},
            RuleProblem(
                "a",
                "pattern",
                "not a valid regular expression: missing ), unterminated subpattern at position 1",
            ),
        ),
        (
            {
                "type": "object",
                "properties": {
                    "a": {
                        "type": "object",
                        "properties": {"b": {"type": "string", "coercion": "coerce_to_string"}},
                    }
                },
            },
            RuleProblem("a.b", "coercion", "coercion applies to top-level fields only"),
        ),
        (
            {
                "type": "object",
                "properties": {
                    "a": {
                        "type": "object",
                        "properties": {"b": {"type": "string", "validations": {"nope": None}}},
                    }
                },
            },
            RuleProblem("a.b", "nope", "unknown validation"),
        ),
    ],
)
def test_schemas_pycharter_refuses_are_problems(schema, expected):
    (problem,) = contract_problems(schema)
    assert (problem.field, problem.rule) == (expected.field, expected.rule)
    if expected.message:
        assert problem.message == expected.message
    else:
        assert problem.message.startswith("not valid JSON Schema 2020-12 at ")


def test_references_to_definitions_are_resolved():
    schema = {
        "type": "object",
        "$defs": {"code": {"type": "string", "pattern": "^[A-Z]{2}$"}},
        "properties": {"country": {"$ref": "#/$defs/code", "description": "ISO code"}},
        "required": ["country"],
    }
    contract = compile_contract(schema)
    assert contract.check({"country": "FR"}).valid
    assert [error.error_type for error in contract.check({"country": "fr"}).errors] == [
        "validation_error"
    ]


def test_every_failing_field_is_reported_with_its_error_type():
    # given the whole contract
    document = load("member_contract.yaml")
    contract = compile_contract(
        document["schema"],
        document["coercion_rules"]["rules"],
        document["validation_rules"]["rules"],
    )
    # when a record fails on several fields at once (PyCharter 0.0.67 would stop at the first)
    result = contract.check(
        {
            "full_name": 5,
            "email": "a@b",
            "age": "N/A",
            "membership": "banned",
            "joined_at": "2024-03-05",
            "remarks": None,
        }
    )
    # then each failing field has exactly one error of the right type
    assert [(error.field, error.error_type) for error in result.errors] == [
        ("card_number", "missing_field"),
        ("full_name", "type_error"),
        ("email", "validation_error"),
        ("age", "type_error"),
        ("membership", "validation_error"),
    ]
    assert result.valid is False
    assert result.severity == "warning"


def test_severity_follows_the_number_of_errors():
    schema = {
        "type": "object",
        "properties": {name: {"type": "integer"} for name in "abcdef"},
        "required": list("abcdef"),
    }
    contract = compile_contract(schema)
    assert contract.check({name: 1 for name in "abcdef"}).severity == "info"
    assert contract.check({"a": 1, "b": 1, "c": 1, "d": 1}).severity == "info"
    assert contract.check({"a": 1, "b": 1, "c": 1}).severity == "warning"
    assert contract.check({}).severity == "critical"


def test_coerced_record_holds_converted_values_and_defaults_only_for_schema_fields():
    schema = {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "kind": {"type": "string", "default": "plain"},
            "note": {"type": "string"},
        },
    }
    result = compile_contract(schema).check({"count": "12", "unknown": 1})
    assert result.coerced == {"count": 12, "tags": [], "kind": "plain", "note": None}


def test_a_record_that_could_not_be_read_is_a_record_violation():
    contract = compile_contract({"type": "object", "properties": {"a": {"type": "string"}}})
    assert contract.check(RecordProblem("not valid JSON: Expecting value at column 1")).errors == [
        FieldError("_record", "type_error", "not valid JSON: Expecting value at column 1")
    ]
    assert contract.check(["a"]).errors == [
        FieldError("_record", "type_error", "a record must be an object, found list")
    ]


def test_a_check_never_raises_on_hostile_values():
    # given a contract with coercions and rules / when values no JSON file holds arrive
    schema = load("member_contract.yaml")["schema"]
    contract = compile_contract(schema)
    deep = []
    for _ in range(100_000):
        deep = [deep]
    result = contract.check(
        {
            "card_number": {"a": {1, 2}},
            "full_name": deep,
            "email": b"\xff",
            "age": 10**5000,
            "membership": object(),
            "joined_at": float("inf"),
            "remarks": [1, 2],
        }
    )
    # then every field is a violation, and nothing raised
    assert [error.field for error in result.errors] == [
        "card_number",
        "full_name",
        "email",
        "age",
        "membership",
        "joined_at",
        "remarks",
    ]


@pytest.mark.parametrize(
    ("record", "field", "expected"),
    [
        ({"id": 7, "uuid": "u"}, None, "7"),
        ({"_id": "a", "record_id": "b"}, None, "a"),
        ({"record_id": "b", "uuid": "c"}, None, "b"),
        ({"uuid": "c"}, None, "c"),
        ({"id": None, "name": "x"}, None, "record_12"),
        ({"id": 7, "code": "X1"}, "code", "X1"),
        ({"id": 7}, "code", "record_12"),
        ({"id": "", "uuid": "c"}, None, "c"),
        ({"code": ""}, "code", "record_12"),
        (RecordProblem("unreadable"), None, "record_12"),
    ],
)
def test_record_identifier(record, field, expected):
    assert record_identifier(record, 12, field) == expected


def test_repeated_values_give_the_same_outcome():
    # given a field whose outcome is remembered per value
    contract = compile_contract(
        {"type": "object", "properties": {"status": {"type": "string", "enum": ["active"]}}},
        {"status": "coerce_to_lowercase"},
    )
    # when the same values come again
    first = [contract.check({"status": value}) for value in ("ACTIVE", "banned", 7)]
    second = [contract.check({"status": value}) for value in ("ACTIVE", "banned", 7)]
    # then the answers are the same
    assert [result.coerced for result in second] == [
        {"status": "active"},
        {"status": "banned"},
        {"status": 7},
    ]
    assert [result.errors for result in second] == [result.errors for result in first]
    assert [len(result.errors) for result in second] == [0, 1, 1]


def test_records_never_share_a_mutable_value():
    contract = compile_contract(
        {"type": "object", "properties": {"tags": {"type": "array"}}}, {"tags": "coerce_to_list"}
    )
    first, second = contract.check({"tags": "a"}), contract.check({"tags": "a"})
    assert first.coerced == second.coerced == {"tags": ["a"]}
    assert first.coerced["tags"] is not second.coerced["tags"]


def test_time_dependent_coercions_are_not_remembered():
    contract = compile_contract(
        {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}},
        {"at": "coerce_to_datetime"},
    )
    first, second = contract.check({"at": "now"}), contract.check({"at": "now"})
    assert first.coerced["at"] is not second.coerced["at"]


EMPTY_VALUE_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "email": {"type": "string", "format": "email"},
        "band": {"type": "string", "enum": ["a", "b"]},
        "remarks": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": "none"},
        "nickname": {"type": "string"},
        "shelf": {"type": "string", "minLength": 2},
        "branch": {"type": "string"},
    },
    "required": ["code"],
    "additionalProperties": False,
}
EMPTY_VALUE_COERCIONS = {"age": "coerce_to_integer", "email": "coerce_to_lowercase"}
EMPTY_VALUE_RULES = {
    "email": {"is_email": None},
    "nickname": {"non_empty_string": None},
    "branch": {"min_length": {"threshold": 1}},
}


def empty_value_outcomes(check, record):
    coerced, errors = check(record)
    return coerced, [(error.field, error.error_type, error.message) for error in errors]


def generated_check():
    contract = compile_contract(EMPTY_VALUE_SCHEMA, EMPTY_VALUE_COERCIONS, EMPTY_VALUE_RULES)

    def check(record):
        result = contract.check(record)
        return result.coerced, result.errors

    return check


def plans_check():
    rules = {name: list(field_rules.items()) for name, field_rules in EMPTY_VALUE_RULES.items()}
    plans = compile_properties(EMPTY_VALUE_SCHEMA, rules, EMPTY_VALUE_COERCIONS)
    return lambda record: check_properties(plans, record, forbid_unknown=True)


@pytest.mark.parametrize("make_check", [generated_check, plans_check])
def test_an_empty_optional_value_is_absent_unless_a_rule_forbids_empty(make_check):
    # given optional fields whose coercion, type, format or enum would refuse "",
    # three whose rules forbid empty text, and a required field; checked by the
    # generated record check and by the property plans
    check = make_check()
    # when every field, and a key the schema does not name, holds the empty value
    coerced, errors = empty_value_outcomes(
        check, {name: "" for name in [*EMPTY_VALUE_SCHEMA["properties"], "unknown"]}
    )
    # then the optional fields take their defaults, the required one is empty, and only
    # the rules that forbid empty text report the optional ones
    assert errors == [
        ("code", "missing_field", "required field is empty"),
        ("nickname", "validation_error", "String must not be empty"),
        ("shelf", "validation_error", "String should have at least 2 characters"),
        ("branch", "validation_error", "String must be at least 1 characters long, got 0"),
    ]
    assert coerced == {
        "code": "",
        "age": None,
        "email": None,
        "band": None,
        "remarks": "none",
        "nickname": "",
        "shelf": "",
        "branch": "",
    }


def test_an_absent_required_field_is_missing_and_whitespace_is_a_value():
    assert empty_value_outcomes(generated_check(), {"age": " "})[1] == [
        ("code", "missing_field", "required field is missing"),
        (
            "age",
            "type_error",
            "coercion coerce_to_integer failed: Cannot coerce ' ' to integer: "
            "could not convert string to float: ' '",
        ),
    ]
