"""The JSON Schema step as PyCharter 0.0.67's lax pydantic model applies it.

Each expectation was measured on PyCharter 0.0.67 itself (its ``Validator`` on a
one-field contract).
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from quality.engine import compile_contract


def check_one(property_schema, value, required=True, coercion=None, rules=None):
    schema = {
        "type": "object",
        "properties": {"f": property_schema},
        "required": ["f"] if required else [],
    }
    contract = compile_contract(
        schema, {"f": coercion} if coercion else None, {"f": rules} if rules else None
    )
    return contract.check({"f": value} if value is not ABSENT else {})


ABSENT = object()


def accepted(property_schema, value, **options):
    result = check_one(property_schema, value, **options)
    return result.coerced.get("f") if result.valid else REFUSED


REFUSED = "<refused>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (" 42 ", 42),
        ("\t42\n", 42),
        ("\xa042", 42),
        ("42.0", 42),
        ("42.00", 42),
        ("-0", 0),
        ("+42", 42),
        ("00042", 42),
        ("1_000.0", 1000),
        ("1_2_3", 123),
        (42.0, 42),
        (True, 1),
        (False, 0),
        (10**20, 10**20),
        ("42.7", REFUSED),
        ("1e3", REFUSED),
        ("_5", REFUSED),
        ("5_", REFUSED),
        ("5__0", REFUSED),
        ("42.", REFUSED),
        (".0", REFUSED),
        ("0x10", REFUSED),
        ("\x1c42", REFUSED),
        ("١٢", REFUSED),
        ("", REFUSED),
        (42.5, REFUSED),
        (float("nan"), REFUSED),
        (float("inf"), REFUSED),
        ([1], REFUSED),
        (None, REFUSED),
    ],
)
def test_integer_type_is_lax(value, expected):
    assert accepted({"type": "integer"}, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1e3", 1000.0),
        (" 1.5 ", 1.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("1_0.5", 10.5),
        ("1_e3", 1000.0),
        ("Infinity", float("inf")),
        ("-inf", float("-inf")),
        ("1e400", float("inf")),
        (True, 1.0),
        (7, 7.0),
        ("_5", REFUSED),
        ("1__0", REFUSED),
        ("0x1p3", REFUSED),
        ("1d3", REFUSED),
        ("nan(1)", REFUSED),
        ("", REFUSED),
    ],
)
def test_number_type_is_lax(value, expected):
    assert accepted({"type": "number"}, value) == expected


def test_number_type_accepts_nan():
    result = check_one({"type": "number"}, "NAN")
    assert result.valid and result.coerced["f"] != result.coerced["f"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("oN", True),
        ("y", True),
        ("t", True),
        ("1", True),
        ("off", False),
        ("n", False),
        ("0", False),
        (1, True),
        (0.0, False),
        (-0.0, False),
        (" true ", REFUSED),
        ("1.0", REFUSED),
        ("2", REFUSED),
        (2, REFUSED),
        (0.5, REFUSED),
        ("", REFUSED),
    ],
)
def test_boolean_type_is_lax(value, expected):
    assert accepted({"type": "boolean"}, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", "abc"),
        (b"abc", "abc"),
        (42, REFUSED),
        (4.2, REFUSED),
        (True, REFUSED),
        ([], REFUSED),
        ({"a": 1}, REFUSED),
        (b"\xff", REFUSED),
    ],
)
def test_string_type_takes_no_numbers(value, expected):
    assert accepted({"type": "string"}, value) == expected


UTC = UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T12:34:56Z", datetime(2024, 3, 5, 12, 34, 56, tzinfo=UTC)),
        ("2024-03-05t12:34:56z", datetime(2024, 3, 5, 12, 34, 56, tzinfo=UTC)),
        ("2024-03-05 12:34:56", datetime(2024, 3, 5, 12, 34, 56)),
        ("2024-03-05_12:34:56", datetime(2024, 3, 5, 12, 34, 56)),
        ("2024-03-05", datetime(2024, 3, 5)),
        ("2024-03-05T12:34", datetime(2024, 3, 5, 12, 34)),
        ("2024-03-05T12:34:56,123", datetime(2024, 3, 5, 12, 34, 56, 123000)),
        ("2024-03-05T12:34:56.123456789Z", datetime(2024, 3, 5, 12, 34, 56, 123456, tzinfo=UTC)),
        (
            "2024-03-05T12:34:56+0200",
            datetime(2024, 3, 5, 12, 34, 56, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("20240305", datetime(1970, 8, 23, 6, 18, 25, tzinfo=UTC)),
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000.5", datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
        (1e12, datetime(2001, 9, 9, 1, 46, 40, tzinfo=UTC)),
        ("+5", datetime(1970, 1, 1, 0, 0, 5, tzinfo=UTC)),
        (date(2024, 3, 5), datetime(2024, 3, 5)),
        ("2024-03-05T12", REFUSED),
        ("2024-3-5", REFUSED),
        ("03/05/2024", REFUSED),
        ("2024-03-05T12:34:56+02", REFUSED),
        ("2024-03-05T24:00:00", REFUSED),
        ("2024-02-30", REFUSED),
        (" 2024-03-05", REFUSED),
        ("0000-01-01", REFUSED),
        ("1e3", REFUSED),
        ("", REFUSED),
        (True, REFUSED),
        (float("nan"), REFUSED),
    ],
)
def test_date_time_format_is_a_lax_datetime(value, expected):
    assert accepted({"type": "string", "format": "date-time"}, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        (0, date(1970, 1, 1)),
        ("2024-03-05T12:34:56Z", REFUSED),
        (1700000000, REFUSED),
        ("03/05/2024", REFUSED),
    ],
)
def test_date_format_is_a_lax_date(value, expected):
    assert accepted({"type": "string", "format": "date"}, value) == expected


def test_a_property_without_type_is_a_string_and_anyof_is_not_enforced():
    # the template's notes: anyOf string (maxLength 500) or null, default null
    notes = {"anyOf": [{"type": "string", "maxLength": 500}, {"type": "null"}], "default": None}
    assert accepted(notes, "n" * 600) == "n" * 600
    assert accepted(notes, None) is None
    assert accepted(notes, 7) == REFUSED
    assert accepted({"anyOf": [{"type": "integer"}, {"type": "null"}]}, 1) == REFUSED


@pytest.mark.parametrize(
    ("property_schema", "value", "expected"),
    [
        ({"type": "string", "enum": ["a", "b"]}, "a", "a"),
        ({"type": "string", "enum": ["a", "b"]}, "A", REFUSED),
        ({"type": "integer", "enum": [1, 2]}, 2.0, 2),
        ({"type": "integer", "enum": [1, 2]}, True, 1),
        ({"type": "integer", "enum": [1, 2]}, "1", REFUSED),
        ({"type": "boolean", "enum": [True]}, 1, True),
        ({"type": "string", "const": "x"}, "x", "x"),
        ({"type": "integer", "const": 1}, "1", REFUSED),
    ],
)
def test_enum_and_const_replace_the_type(property_schema, value, expected):
    assert accepted(property_schema, value) == expected


def test_null_passes_an_optional_field_but_not_its_enum():
    # pydantic's after validators (enum, const, only_allow) run on null too
    assert accepted({"type": "string", "enum": ["a"]}, None, required=False) == REFUSED
    assert accepted({"type": "string", "const": "a"}, None, required=False) == REFUSED
    assert (
        accepted(
            {"type": "string"},
            None,
            required=False,
            rules={"only_allow": {"allowed_values": ["a"]}},
        )
        == REFUSED
    )
    assert accepted({"type": "string", "enum": ["a"]}, ABSENT, required=False) is None
    assert accepted({"type": "string"}, None, required=False) is None


def test_required_means_listed_and_without_default():
    assert accepted({"type": "string", "default": "x"}, ABSENT) == "x"
    assert accepted({"type": "string", "default": "x"}, None) is None
    assert check_one({"type": "string"}, ABSENT).errors[0].error_type == "missing_field"
    assert check_one({"type": "string"}, None).errors[0].error_type == "type_error"
    assert accepted({"type": ["string", "null"]}, None) == REFUSED


@pytest.mark.parametrize(
    ("value", "expected"),
    [("a", "a"), (1, 1), (1.0, 1), ("1", "1"), (True, 1), (1.5, REFUSED), (None, REFUSED)],
)
def test_several_types_make_a_smart_union(value, expected):
    assert accepted({"type": ["string", "integer"]}, value) == expected


@pytest.mark.parametrize(
    ("property_schema", "value", "expected"),
    [
        ({"type": "string", "minLength": 2, "maxLength": 3}, "é", REFUSED),
        ({"type": "string", "minLength": 2, "maxLength": 3}, "a\u0301", "a\u0301"),
        ({"type": "string", "minLength": 2, "maxLength": 3}, "abcd", REFUSED),
        ({"type": "integer", "minLength": 3}, 1, 1),
        ({"type": "string", "pattern": "b+"}, "bbc", "bbc"),
        ({"type": "string", "pattern": "b+"}, "abb", REFUSED),
        ({"type": "string", "pattern": "^[a-z]+$"}, "abc\n", REFUSED),
        ({"type": "string", "format": "email"}, "a b@c.com", "a b@c.com"),
        ({"type": "string", "format": "email"}, "a@b", REFUSED),
        ({"type": "string", "format": "email", "pattern": "^x"}, "y@b.c", REFUSED),
        ({"type": "string", "format": "uuid"}, "12345678-1234-5678-1234-56781234567A", REFUSED),
        ({"type": "string", "format": "hostname"}, "not a host", "not a host"),
        ({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10}, 10, REFUSED),
        ({"type": "number", "maximum": 10}, float("nan"), REFUSED),
        ({"type": "number", "multipleOf": 0.1}, 0.3, 0.3),
        ({"type": "number", "multipleOf": 0.1}, 0.35, REFUSED),
        ({"type": "number", "multipleOf": 0.5}, float("inf"), float("inf")),
        ({"type": "integer", "multipleOf": 3}, "6", 6),
    ],
)
def test_keywords_apply_as_pycharter_applies_them(property_schema, value, expected):
    assert accepted(property_schema, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([1], [1]),
        (["1"], [1]),
        ((1,), [1]),
        ([], REFUSED),
        ([1, 2, 3], REFUSED),
        ([1, 1], REFUSED),
        ([None], REFUSED),
        ("ab", REFUSED),
    ],
)
def test_arrays_check_their_items_and_size(value, expected):
    array = {
        "type": "array",
        "items": {"type": "integer"},
        "minItems": 1,
        "maxItems": 2,
        "uniqueItems": True,
    }
    assert accepted(array, value) == expected


def test_an_absent_optional_array_is_empty_and_items_default_to_strings():
    assert accepted({"type": "array"}, ABSENT, required=False) == []
    assert accepted({"type": "array"}, [1, "a"]) == REFUSED


def test_nested_objects_are_checked_and_name_the_failing_path():
    nested = {
        "type": "object",
        "properties": {"a": {"type": "integer", "minimum": 1}},
        "required": ["a"],
    }
    assert accepted(nested, {"a": "2", "b": 1}) == {"a": 2}
    result = check_one(nested, {"a": 0})
    assert [(error.field, error.error_type, error.message) for error in result.errors] == [
        ("f", "validation_error", "a: Input should be greater than or equal to 1, found 0")
    ]
    assert check_one(nested, {}).errors[0].error_type == "missing_field"
    assert accepted({"type": "object"}, {"a": 1}) == {}
    # rules see a model instance, not a dict: min_length ignores it
    assert accepted({"type": "object"}, {}, rules={"min_length": {"threshold": 2}}) == {}


def test_additional_properties_false_refuses_unknown_keys():
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "additionalProperties": False,
    }
    result = compile_contract(schema).check({"a": "x", "b": 1})
    assert [(error.field, error.error_type) for error in result.errors] == [
        ("b", "validation_error")
    ]


def test_a_coerced_value_of_another_type_fails_the_type():
    # coerce_to_uuid gives a UUID, which a string field refuses, as in PyCharter
    assert (
        accepted(
            {"type": "string", "format": "uuid"},
            "12345678-1234-5678-1234-567812345678",
            coercion="coerce_to_uuid",
        )
        == REFUSED
    )
    assert accepted(
        {"type": "string", "format": "date"}, "03/05/2024", coercion="coerce_to_date"
    ) == date(2024, 3, 5)
    assert accepted({"type": "string"}, "x", coercion="coerce_to_nullable_integer") == REFUSED
    result = check_one({"type": "integer"}, "x", coercion="coerce_to_integer")
    assert result.errors[0].error_type == "type_error"
    assert result.errors[0].message.startswith(
        "coercion coerce_to_integer failed: Cannot coerce 'x' to integer"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/05/2024", datetime(2024, 3, 5)),
        ("13/05/2024", datetime(2024, 5, 13)),
        ("05.03.2024", datetime(2024, 5, 3)),
        ("2024/03/05", datetime(2024, 3, 5)),
        ("March 5, 2024", datetime(2024, 3, 5)),
        ("5 March 2024", datetime(2024, 3, 5)),
        ("Tue, 05 Mar 2024 12:34:56 GMT", datetime(2024, 3, 5, 12, 34, 56, tzinfo=UTC)),
        ("2024Q2", datetime(2024, 4, 1)),
        ("2024", datetime(2024, 1, 1)),
        ("Mar 2024", datetime(2024, 3, 1)),
        ("1000", datetime(1000, 1, 1)),
        ("0042", datetime(42, 1, 1)),
        ("12/31/99", datetime(1999, 12, 31)),
    ],
)
def test_coerce_to_datetime_falls_back_to_a_month_first_parser(text, expected):
    assert (
        accepted({"type": "string", "format": "date-time"}, text, coercion="coerce_to_datetime")
        == expected
    )


@pytest.mark.parametrize(
    "text", ["42", "999", "1.5", "a", "T", "nan", "NaT", "N/A", "1e3", "1700000000", "2024-13-01"]
)
def test_coerce_to_datetime_refuses_what_pandas_refuses(text):
    assert (
        accepted({"type": "string", "format": "date-time"}, text, coercion="coerce_to_datetime")
        == REFUSED
    )
