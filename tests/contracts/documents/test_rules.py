"""Inline per-property rules merged with top-level rules, conflicts reported, none dropped."""

from pathlib import Path

import pytest

from contracts.documents.errors import DocumentError
from contracts.documents.loading import load_document
from contracts.documents.rules import inline_rules, merge_rules

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pycharter"


def whole_contract() -> dict:
    return load_document(FIXTURES / "member_contract.yaml", max_bytes=1_000_000).data


def test_inline_rules_of_the_whole_contracts_schema():
    # given the whole contract's schema
    schema = whole_contract()["schema"]

    # when its inline rules are read
    coercions, validations = inline_rules(schema)

    # then every property's coercion and validations are found, by field
    assert coercions == {
        "card_number": "coerce_to_string",
        "full_name": "coerce_to_stripped_string",
        "email": "coerce_to_lowercase",
        "age": "coerce_to_integer",
        "membership": "coerce_to_lowercase",
        "joined_at": "coerce_to_datetime",
        "remarks": "coerce_to_nullable_string",
    }
    assert validations == {
        "card_number": {"non_empty_string": None},
        "full_name": {"non_empty_string": None, "max_length": {"threshold": 80}},
        "email": {"is_email": None},
        "age": {
            "greater_than_or_equal_to": {"threshold": 0},
            "less_than_or_equal_to": {"threshold": 120},
        },
        "membership": {"only_allow": {"allowed_values": ["standard", "student", "patron"]}},
        "remarks": {"max_length": {"threshold": 300}},
    }


def test_inline_rules_of_nested_objects_are_named_with_dots():
    # given a nested object property with its own inline rules
    schema = {
        "properties": {
            "author": {
                "type": "object",
                "properties": {"email": {"coercion": "coerce_to_lowercase"}},
                "validations": {"non_empty_string": None},
            }
        }
    }

    # when its inline rules are read
    coercions, validations = inline_rules(schema)

    # then the nested field is `author.email`, as top-level rules name it
    assert coercions == {"author.email": "coerce_to_lowercase"}
    assert validations == {"author": {"non_empty_string": None}}


def test_merging_the_whole_contract_finds_no_conflict_and_repeats_nothing():
    # given the whole contract, whose top-level rules repeat the inline ones
    contract = whole_contract()

    # when the rules are merged
    merged = merge_rules(
        contract["schema"],
        contract["coercion_rules"]["rules"],
        contract["validation_rules"]["rules"],
    )

    # then the merged rules are the top-level ones, and nothing conflicts
    assert merged.coercions == contract["coercion_rules"]["rules"]
    assert merged.validations == contract["validation_rules"]["rules"]
    assert merged.conflicts == ()


def test_merged_rules_keep_the_top_level_order_then_add_inline_ones():
    # given top-level and inline rules on overlapping fields
    schema = {
        "properties": {
            "age": {"coercion": "coerce_to_integer", "validations": {"is_positive": None}},
            "code": {"validations": {"matches_regex": {"pattern": "^[A-Z]+$"}}},
        }
    }
    coercions = {"name": "coerce_to_stripped_string", "age": "coerce_to_integer"}
    validations = {"age": {"less_than_or_equal_to": {"threshold": 150}}}

    # when they are merged
    merged = merge_rules(schema, coercions, validations)

    # then both apply, top-level first
    assert list(merged.coercions.items()) == [
        ("name", "coerce_to_stripped_string"),
        ("age", "coerce_to_integer"),
    ]
    assert merged.validations == {
        "age": {"less_than_or_equal_to": {"threshold": 150}, "is_positive": None},
        "code": {"matches_regex": {"pattern": "^[A-Z]+$"}},
    }
    assert list(merged.validations["age"]) == ["less_than_or_equal_to", "is_positive"]


def test_every_conflict_is_reported_with_its_field_and_rule():
    # given a different coercion and a validation with different parameters
    schema = {
        "properties": {
            "age": {"coercion": "coerce_to_integer"},
            "name": {"validations": {"max_length": {"threshold": 100}}},
        }
    }

    # when they are merged with top-level rules that disagree
    merged = merge_rules(
        schema,
        {"age": "coerce_to_float"},
        {"name": {"max_length": {"threshold": 50}}},
    )

    # then both conflicts are errors naming field and rule
    assert [str(conflict) for conflict in merged.conflicts] == [
        "<document>, field coercion_rules.rules.age: field 'age' has coercion "
        "'coerce_to_float' here but 'coerce_to_integer' inline in the schema",
        "<document>, field validation_rules.rules.name.max_length: field 'name', rule "
        "'max_length': parameters {'threshold': 50} here differ from {'threshold': 100} "
        "inline in the schema",
    ]


def test_a_rule_without_parameters_written_as_null_or_empty_is_the_same_rule():
    # given `is_email: null` inline and `is_email: {}` at the top level
    schema = {"properties": {"email": {"validations": {"is_email": None}}}}

    # when they are merged
    merged = merge_rules(schema, None, {"email": {"is_email": {}}})

    # then they do not conflict
    assert merged.conflicts == ()
    assert merged.validations == {"email": {"is_email": {}}}


def test_malformed_inline_validations_are_an_error_naming_the_property():
    # given inline validations written as a list
    schema = {"properties": {"email": {"validations": ["is_email"]}}}

    # when the inline rules are read
    with pytest.raises(DocumentError) as caught:
        inline_rules(schema)

    # then the error names the property's validations
    assert str(caught.value) == (
        "<document>, field schema.properties.email.validations: validations map a rule name "
        "to its parameters, got a list"
    )
