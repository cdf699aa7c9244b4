"""What changed between two contract versions, and whether it breaks the consumers."""

import ast
from pathlib import Path

import pytest

from contracts.diff import (
    ADDED,
    CHANGED,
    COERCION_RULES,
    REMOVED,
    SCHEMA,
    VALIDATION_RULES,
    ContractTerms,
    contract_diff,
)

BASE_SCHEMA = {
    "type": "object",
    "title": "Booking",
    "properties": {
        "booking_id": {"type": "string", "minLength": 6, "maxLength": 12},
        "fare": {"type": "number", "minimum": 0},
        "cabin": {"type": "string", "enum": ["economy", "business"]},
        "note": {"type": "string", "description": "Free text"},
    },
    "required": ["booking_id", "fare"],
}


def _schema(**property_changes):
    """BASE_SCHEMA with properties replaced (None removes one)."""
    properties = dict(BASE_SCHEMA["properties"])
    for name, definition in property_changes.items():
        if definition is None:
            properties.pop(name)
        else:
            properties[name] = definition
    return {**BASE_SCHEMA, "properties": properties}


def _changes(old, new):
    return [
        (change.component, change.field, change.subject, change.kind, change.breaking)
        for change in contract_diff(old, new).changes
    ]


def test_the_same_terms_have_no_changes():
    terms = ContractTerms(schema=BASE_SCHEMA, coercion_rules={"fare": "coerce_to_float"})

    diff = contract_diff(terms, terms)

    assert diff.changes == ()
    assert diff.is_breaking is False


def test_a_removed_field_is_breaking():
    diff = contract_diff(ContractTerms(schema=BASE_SCHEMA),
                         ContractTerms(schema=_schema(note=None)))

    assert [(change.field, change.kind, change.breaking) for change in diff.changes] == [
        ("note", REMOVED, True)
    ]
    assert diff.is_breaking is True
    assert diff.breaking_changes[0].explanation == "field removed"


def test_a_new_optional_field_is_not_breaking_and_a_new_required_one_is():
    loyalty = {"type": "string"}
    optional = _schema(loyalty=loyalty)
    required = {**optional, "required": [*BASE_SCHEMA["required"], "loyalty"]}

    assert _changes(ContractTerms(schema=BASE_SCHEMA), ContractTerms(schema=optional)) == [
        (SCHEMA, "loyalty", "field", ADDED, False)
    ]
    assert _changes(ContractTerms(schema=BASE_SCHEMA), ContractTerms(schema=required)) == [
        (SCHEMA, "loyalty", "field", ADDED, True)
    ]


def test_making_a_field_required_is_breaking_and_optional_is_not():
    cabin_required = {**BASE_SCHEMA, "required": [*BASE_SCHEMA["required"], "cabin"]}
    fare_optional = {**BASE_SCHEMA, "required": ["booking_id"]}

    assert _changes(ContractTerms(schema=BASE_SCHEMA), ContractTerms(schema=cabin_required)) == [
        (SCHEMA, "cabin", "required", CHANGED, True)
    ]
    assert _changes(ContractTerms(schema=BASE_SCHEMA), ContractTerms(schema=fare_optional)) == [
        (SCHEMA, "fare", "required", CHANGED, False)
    ]


@pytest.mark.parametrize(
    ("old_type", "new_type", "breaking"),
    [
        ("number", "integer", True),
        ("integer", "number", False),
        (["string", "null"], "string", True),
        ("string", ["string", "null"], False),
        ("string", "integer", True),
    ],
)
def test_a_narrowed_type_is_breaking_and_a_wider_one_is_not(old_type, new_type, breaking):
    old = _schema(fare={"type": old_type})
    new = _schema(fare={"type": new_type})

    assert _changes(ContractTerms(schema=old), ContractTerms(schema=new)) == [
        (SCHEMA, "fare", "type", CHANGED, breaking)
    ]


def test_dropping_an_enum_value_is_breaking_and_adding_one_is_not():
    narrowed = _schema(cabin={"type": "string", "enum": ["economy"]})
    widened = _schema(cabin={"type": "string", "enum": ["economy", "business", "first"]})

    narrowing = contract_diff(ContractTerms(schema=BASE_SCHEMA), ContractTerms(schema=narrowed))
    widening = contract_diff(ContractTerms(schema=BASE_SCHEMA), ContractTerms(schema=widened))

    assert [(change.subject, change.breaking) for change in narrowing.changes] == [("enum", True)]
    assert narrowing.changes[0].explanation == 'enum: no longer allows "business"'
    assert [(change.subject, change.breaking) for change in widening.changes] == [("enum", False)]
    assert widening.changes[0].explanation == 'enum: now also allows "first"'


@pytest.mark.parametrize(
    ("keyword", "old_value", "new_value", "breaking"),
    [
        ("maxLength", 12, 8, True),
        ("maxLength", 12, 20, False),
        ("minLength", 6, 8, True),
        ("minLength", 6, 4, False),
    ],
)
def test_string_length_bounds_break_only_when_tighter(keyword, old_value, new_value, breaking):
    booking_id = dict(BASE_SCHEMA["properties"]["booking_id"])
    old = _schema(booking_id={**booking_id, keyword: old_value})
    new = _schema(booking_id={**booking_id, keyword: new_value})

    assert _changes(ContractTerms(schema=old), ContractTerms(schema=new)) == [
        (SCHEMA, "booking_id", keyword, CHANGED, breaking)
    ]


def test_a_larger_minimum_is_breaking_and_a_removed_one_is_not():
    larger = _schema(fare={"type": "number", "minimum": 1})
    removed = _schema(fare={"type": "number"})

    assert _changes(ContractTerms(schema=BASE_SCHEMA), ContractTerms(schema=larger)) == [
        (SCHEMA, "fare", "minimum", CHANGED, True)
    ]
    assert _changes(ContractTerms(schema=BASE_SCHEMA), ContractTerms(schema=removed)) == [
        (SCHEMA, "fare", "minimum", REMOVED, False)
    ]


def test_a_new_pattern_is_breaking_and_a_description_change_is_not():
    new = _schema(note={"type": "string", "description": "Anything", "pattern": "^[A-Z]"})

    assert _changes(ContractTerms(schema=BASE_SCHEMA), ContractTerms(schema=new)) == [
        (SCHEMA, "note", "description", CHANGED, False),
        (SCHEMA, "note", "pattern", ADDED, True),
    ]


def test_nested_objects_and_array_items_are_compared_field_by_field():
    old = _schema(address={"type": "object", "properties": {"city": {"type": "string"}},
                           "required": ["city"]},
                  tags={"type": "array", "items": {"type": "string", "maxLength": 20}})
    new = _schema(address={"type": "object", "properties": {}, "required": []},
                  tags={"type": "array", "items": {"type": "string", "maxLength": 10}})

    assert _changes(ContractTerms(schema=old), ContractTerms(schema=new)) == [
        (SCHEMA, "address.city", "field", REMOVED, True),
        (SCHEMA, "tags[]", "maxLength", CHANGED, True),
    ]


@pytest.mark.parametrize(
    ("rule", "old_parameters", "new_parameters", "breaking"),
    [
        ("max_length", {"threshold": 12}, {"threshold": 8}, True),
        ("max_length", {"threshold": 12}, {"threshold": 30}, False),
        ("min_length", {"threshold": 2}, {"threshold": 3}, True),
        ("greater_than_or_equal_to", {"threshold": 0}, {"threshold": 1}, True),
        ("greater_than_or_equal_to", {"threshold": 1}, {"threshold": 0}, False),
        ("less_than_or_equal_to", {"threshold": 100}, {"threshold": 50}, True),
        ("only_allow", {"allowed_values": ["a", "b"]}, {"allowed_values": ["a"]}, True),
        ("only_allow", {"allowed_values": ["a"]}, {"allowed_values": ["a", "b"]}, False),
        ("matches_regex", {"pattern": "^A"}, {"pattern": "^B"}, True),
    ],
)
def test_a_tighter_validation_rule_is_breaking_and_a_looser_one_is_not(
    rule, old_parameters, new_parameters, breaking
):
    old = ContractTerms(schema=BASE_SCHEMA, validation_rules={"booking_id": {rule: old_parameters}})
    new = ContractTerms(schema=BASE_SCHEMA, validation_rules={"booking_id": {rule: new_parameters}})

    assert _changes(old, new) == [(VALIDATION_RULES, "booking_id", rule, CHANGED, breaking)]


def test_an_added_rule_is_breaking_and_a_removed_one_is_not():
    no_rule = ContractTerms(schema=BASE_SCHEMA)
    with_rule = ContractTerms(schema=BASE_SCHEMA,
                              validation_rules={"note": {"non_empty_string": None}})

    assert _changes(no_rule, with_rule) == [
        (VALIDATION_RULES, "note", "non_empty_string", ADDED, True)
    ]
    assert _changes(with_rule, no_rule) == [
        (VALIDATION_RULES, "note", "non_empty_string", REMOVED, False)
    ]


def test_a_rule_moved_from_the_schema_to_the_rule_set_is_no_change():
    inline = _schema(note={"type": "string", "description": "Free text",
                           "validations": {"max_length": {"threshold": 5}}})
    old = ContractTerms(schema=inline)
    new = ContractTerms(schema=BASE_SCHEMA,
                        validation_rules={"note": {"max_length": {"threshold": 5}}})

    assert contract_diff(old, new).changes == ()


def test_a_removed_or_replaced_coercion_is_breaking_and_a_new_one_is_not():
    old = ContractTerms(schema=BASE_SCHEMA,
                        coercion_rules={"fare": "coerce_to_float", "note": "coerce_to_string"})
    new = ContractTerms(
        schema=BASE_SCHEMA,
        coercion_rules={"fare": "coerce_to_integer", "cabin": "coerce_to_lowercase"},
    )

    assert _changes(old, new) == [
        (COERCION_RULES, "fare", "coerce_to_integer", CHANGED, True),
        (COERCION_RULES, "note", "coerce_to_string", REMOVED, True),
        (COERCION_RULES, "cabin", "coerce_to_lowercase", ADDED, False),
    ]


def test_a_change_it_cannot_judge_counts_as_breaking():
    old = _schema(note={"type": "string", "anyOf": [{"maxLength": 5}]})
    new = _schema(note={"type": "string", "anyOf": [{"maxLength": 50}]})

    assert _changes(ContractTerms(schema=old), ContractTerms(schema=new)) == [
        (SCHEMA, "note", "anyOf", CHANGED, True)
    ]


def test_a_change_is_recorded_as_plain_json():
    change = contract_diff(ContractTerms(schema=BASE_SCHEMA),
                           ContractTerms(schema=_schema(note=None))).changes[0]

    assert change.as_dict() == {
        "component": "schema", "field": "note", "subject": "field", "kind": "removed",
        "before": {"type": "string", "description": "Free text"}, "after": None,
        "breaking": True, "explanation": "field removed",
    }


def test_the_diff_module_imports_neither_django_nor_the_apps():
    tree = ast.parse((Path(__file__).resolve().parents[2] / "contracts" / "diff.py").read_text())
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
        for alias in node.names
    }

    assert {module.split(".")[0] for module in modules} == {
        "__future__", "collections", "dataclasses", "json", "math", "typing"
    }
