"""The generated record check remembers the outcome of values that repeat, and stops
looking values up for a field whose values do not repeat: the answers never change."""

from quality.engine import compile_contract, record_check

SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "maxLength": 3},
        "kind": {"type": "string", "enum": ["a", "b"]},
    },
}


def test_a_field_of_unique_values_is_checked_the_same_once_it_stops_remembering(monkeypatch):
    monkeypatch.setattr(record_check, "REMEMBERED_VALUES", 4)
    monkeypatch.setattr(record_check, "WORTH_REMEMBERING_RECORDS", 8)
    contract = compile_contract(SCHEMA)
    codes = [str(number) for number in range(995, 1010)] + ["999", "1000", "999", "1000"]

    results = [contract.check({"code": code, "kind": "c" if code == "1000" else "a"})
               for code in codes]

    assert [[error.field for error in result.errors] for result in results] == [
        [] if len(code) <= 3 else ["code", "kind"] if code == "1000" else ["code"]
        for code in codes
    ]
    assert [result.coerced["code"] for result in results] == codes
