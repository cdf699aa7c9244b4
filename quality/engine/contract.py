"""Compiling a contract (schema, coercion rules, validation rules) into a record check.

Everything is validated once, up front, so that checking a record never meets a
configuration error: ``contract_problems`` lists every problem and
``compile_contract`` raises ``ContractDefinitionError`` with them.

Inline per-property ``coercion`` / ``validations`` and the top-level rule
mappings both apply. A field with one coercion inline and another at the top
level, or one validation rule with different parameters in the two places, is a
problem: no silent precedence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from quality.engine.coercions import KNOWN_COERCIONS
from quality.engine.readers import RecordProblem
from quality.engine.record_check import generate_record_check
from quality.engine.results import (
    RECORD_FIELD,
    TYPE_ERROR,
    FieldError,
    RecordResult,
)
from quality.engine.rule_specs import ParameterSpec
from quality.engine.schema import PropertyPlan, compile_properties, inline_rules
from quality.engine.validations import KNOWN_VALIDATIONS

CONTRACT_LEVEL = ""
"""The ``field`` of a problem that belongs to the contract as a whole."""

CHARTER_EXTENSION_KEYS = ("coercion", "validations")
SCHEMA_SHAPE_KEYS = ("type", "properties", "$ref", "anyOf", "oneOf", "allOf")
INTEGER_BOUND_KEYWORDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
)
MAXIMUM_REFERENCE_DEPTH = 32
METASCHEMA_VALIDATOR = Draft202012Validator(Draft202012Validator.META_SCHEMA)


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """Why a contract cannot be compiled: the field (``""`` for the contract as a whole),
    the rule or keyword at fault, and what is wrong."""

    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{where}{self.rule}: {self.message}"


class ContractDefinitionError(ValueError):
    """The contract cannot be compiled; ``problems`` lists every reason."""

    def __init__(self, problems: list[RuleProblem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


class CompiledContract:
    """A contract compiled into per-field checks: ``check`` one record at a time."""

    def __init__(self, plans: tuple[PropertyPlan, ...], forbid_unknown: bool):
        self._plans = plans
        self._check_record = generate_record_check(plans, forbid_unknown)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(plan.name for plan in self._plans)

    def check(self, record: dict | RecordProblem) -> RecordResult:
        """Coercion, then the JSON Schema step, then the validation rules, per field.

        Never raises: a record that could not be read (a ``RecordProblem``) or that
        is not an object is one violation of the pseudo-field ``_record``.
        """
        if record.__class__ is dict or isinstance(record, dict):
            return self._check_record(record)
        if isinstance(record, RecordProblem):
            return RecordResult({}, [FieldError(RECORD_FIELD, TYPE_ERROR, record.message)])
        message = f"a record must be an object, found {type(record).__name__}"
        return RecordResult({}, [FieldError(RECORD_FIELD, TYPE_ERROR, message)])


def compile_contract(
    schema: dict,
    coercion_rules: dict | None = None,
    validation_rules: dict | None = None,
) -> CompiledContract:
    """Compile a contract; raises ``ContractDefinitionError`` listing every problem.

    ``coercion_rules`` is ``{field: coercion_name}`` and ``validation_rules`` is
    ``{field: {rule_name: parameters or None}}``: the ``rules`` mappings of
    PyCharter's rule files.
    """
    problems = contract_problems(schema, coercion_rules, validation_rules)
    if problems:
        raise ContractDefinitionError(problems)
    resolved = resolve_references(schema)
    properties = resolved.get("properties") or {}
    rules_by_field = {
        name: _merged_validations(property_schema, (validation_rules or {}).get(name) or {})
        for name, property_schema in properties.items()
    }
    coercion_by_field = _merged_coercions(properties, coercion_rules or {})
    plans = compile_properties(resolved, rules_by_field, coercion_by_field)
    return CompiledContract(plans, forbid_unknown=resolved.get("additionalProperties") is False)


def contract_problems(
    schema: Any,
    coercion_rules: Any = None,
    validation_rules: Any = None,
) -> list[RuleProblem]:
    """Every reason the contract cannot be compiled (empty when it can).

    When the schema is not valid JSON Schema 2020-12, only those problems are
    listed: the rules cannot be checked against a schema that is not one.
    """
    if not isinstance(schema, dict):
        return [RuleProblem(CONTRACT_LEVEL, "schema", "the schema must be a mapping")]
    problems = list(_metaschema_problems(schema))
    try:
        resolved = resolve_references(schema)
    except RecursionError:
        return [*problems, RuleProblem(CONTRACT_LEVEL, "$ref", "the schema refers to itself")]
    if problems:
        return problems
    if resolved.get("type", "object") != "object":
        problems.append(
            RuleProblem(CONTRACT_LEVEL, "type", "the schema of a record must be of type object")
        )
    properties = resolved.get("properties") or {}
    for name, property_schema in properties.items():
        problems.extend(_property_problems(name, property_schema, top_level=True))
    problems.extend(_coercion_problems(properties, coercion_rules))
    problems.extend(_validation_problems(properties, validation_rules))
    return problems


def _metaschema_problems(schema: dict) -> Iterator[RuleProblem]:
    for error in METASCHEMA_VALIDATOR.iter_errors(_without_charter_extensions(schema)):
        path = list(error.absolute_path)
        field = str(path[1]) if len(path) > 1 and path[0] == "properties" else CONTRACT_LEVEL
        location = "/".join(str(part) for part in path) or "(root)"
        yield RuleProblem(
            field, "schema", f"not valid JSON Schema 2020-12 at {location}: {error.message}"
        )


def _without_charter_extensions(value: Any) -> Any:
    """The schema as the metaschema sees it: PyCharter's extension keys removed."""
    if isinstance(value, dict):
        return {
            key: _without_charter_extensions(item)
            for key, item in value.items()
            if key not in CHARTER_EXTENSION_KEYS
        }
    if isinstance(value, list):
        return [_without_charter_extensions(item) for item in value]
    return value


def resolve_references(schema: dict) -> dict:
    """Local ``$ref`` to ``$defs`` / ``definitions`` replaced by their target, sibling keys
    merged over it, as PyCharter resolves them before building its model."""
    definitions = {**(schema.get("definitions") or {}), **(schema.get("$defs") or {})}

    def resolve(value: Any, depth: int) -> Any:
        if depth > MAXIMUM_REFERENCE_DEPTH:
            raise RecursionError("$ref nesting too deep")
        if isinstance(value, dict):
            reference = value.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/"):
                parts = reference[2:].split("/")
                target_name = "/".join(parts[1:])
                if parts[0] in ("definitions", "$defs") and target_name in definitions:
                    target = resolve(definitions[target_name], depth + 1)
                    siblings = {key: item for key, item in value.items() if key != "$ref"}
                    return {**target, **siblings} if isinstance(target, dict) else target
            return {key: resolve(item, depth + 1) for key, item in value.items()}
        if isinstance(value, list):
            return [resolve(item, depth + 1) for item in value]
        return value

    return resolve(schema, 0)


def _property_problems(name: str, property_schema: Any, top_level: bool) -> Iterator[RuleProblem]:
    """What PyCharter refuses when it builds its model from a property."""
    if not isinstance(property_schema, dict):
        yield RuleProblem(name, "schema", "a property must be a mapping")
        return
    if not any(key in property_schema for key in SCHEMA_SHAPE_KEYS):
        yield RuleProblem(
            name,
            "type",
            "PyCharter needs type, properties, $ref, anyOf, oneOf or allOf on every property",
        )
    if not top_level and "coercion" in property_schema:
        yield RuleProblem(name, "coercion", "coercion applies to top-level fields only")
    if "integer" in _declared_types(property_schema):
        for keyword in INTEGER_BOUND_KEYWORDS:
            bound = property_schema.get(keyword)
            if bound is not None and not _is_whole_number(bound):
                yield RuleProblem(
                    name, keyword, f"an integer property needs a whole number, not {bound!r}"
                )
    pattern = property_schema.get("pattern")
    if isinstance(pattern, str):
        yield from _regular_expression_problems(name, "pattern", pattern)
    if not top_level:
        yield from _inline_validation_problems(name, property_schema)
    nested_properties = property_schema.get("properties")
    if isinstance(nested_properties, dict):
        for nested_name, nested_schema in nested_properties.items():
            yield from _property_problems(f"{name}.{nested_name}", nested_schema, top_level=False)
    items = property_schema.get("items")
    if isinstance(items, dict):
        yield from _property_problems(f"{name}[]", items, top_level=False)


def _declared_types(property_schema: dict) -> set[str]:
    declared = property_schema.get("type")
    return set(declared) if isinstance(declared, list) else {declared}


def _is_whole_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or (math.isfinite(value) and value == int(value))


def _regular_expression_problems(field: str, rule: str, pattern: str) -> Iterator[RuleProblem]:
    try:
        re.compile(pattern)
    except re.error as error:
        yield RuleProblem(field, rule, f"not a valid regular expression: {error}")


def _inline_validation_problems(field: str, property_schema: dict) -> Iterator[RuleProblem]:
    validations = property_schema.get("validations")
    if validations is None:
        return
    if not isinstance(validations, dict):
        yield RuleProblem(field, "validations", "validations must map rule names to parameters")
        return
    for rule, parameters in validations.items():
        yield from _rule_problems(field, rule, parameters)


def _coercion_problems(properties: dict, coercion_rules: Any) -> Iterator[RuleProblem]:
    if coercion_rules is not None and not isinstance(coercion_rules, dict):
        yield RuleProblem(
            CONTRACT_LEVEL, "coercion_rules", "coercion rules must map fields to coercion names"
        )
        return
    for name, property_schema in properties.items():
        inline = property_schema.get("coercion") if isinstance(property_schema, dict) else None
        if inline is not None:
            yield from _coercion_name_problems(name, inline)
        top_level = (coercion_rules or {}).get(name)
        if inline is not None and top_level is not None and inline != top_level:
            yield RuleProblem(
                name,
                "coercion",
                f"the schema says {inline!r} and coercion_rules says {top_level!r}; keep one",
            )
    for name, coercion in (coercion_rules or {}).items():
        if name not in properties:
            yield RuleProblem(str(name), "coercion", "the schema has no such field")
        yield from _coercion_name_problems(str(name), coercion)


def _coercion_name_problems(field: str, coercion: Any) -> Iterator[RuleProblem]:
    if not isinstance(coercion, str) or coercion not in KNOWN_COERCIONS:
        yield RuleProblem(field, str(coercion), "unknown coercion")


def _validation_problems(properties: dict, validation_rules: Any) -> Iterator[RuleProblem]:
    if validation_rules is not None and not isinstance(validation_rules, dict):
        yield RuleProblem(
            CONTRACT_LEVEL,
            "validation_rules",
            "validation rules must map fields to {rule: parameters}",
        )
        return
    for name, property_schema in properties.items():
        if isinstance(property_schema, dict):
            yield from _inline_validation_problems(name, property_schema)
    for name, rules in (validation_rules or {}).items():
        field = str(name)
        if name not in properties:
            yield RuleProblem(field, "validation_rules", "the schema has no such field")
        if not isinstance(rules, dict):
            yield RuleProblem(
                field, "validation_rules", "rules of a field must map rule names to parameters"
            )
            continue
        for rule, parameters in rules.items():
            yield from _rule_problems(field, rule, parameters)
        property_schema = properties.get(name)
        inline = property_schema.get("validations") if isinstance(property_schema, dict) else None
        if isinstance(inline, dict):
            for rule, parameters in rules.items():
                if rule in inline and (inline[rule] or {}) != (parameters or {}):
                    yield RuleProblem(
                        field,
                        str(rule),
                        f"the schema gives {inline[rule]!r} and validation_rules gives "
                        f"{parameters!r}; keep one",
                    )


def _rule_problems(field: str, rule: Any, parameters: Any) -> Iterator[RuleProblem]:
    spec = KNOWN_VALIDATIONS.get(rule) if isinstance(rule, str) else None
    if spec is None:
        yield RuleProblem(field, str(rule), "unknown validation")
        return
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        example = ", ".join(f"{parameter.name}: ..." for parameter in spec.parameters) or "null"
        yield RuleProblem(
            field, rule, f"parameters must be a mapping ({{{example}}}), not {parameters!r}"
        )
        return
    names = {parameter.name for parameter in spec.parameters}
    for parameter in spec.parameters:
        if parameter.name not in parameters:
            if parameter.required:
                yield RuleProblem(field, rule, f"missing parameter {parameter.name!r}")
        elif not _parameter_fits(parameter, parameters[parameter.name]):
            yield RuleProblem(
                field,
                rule,
                f"parameter {parameter.name!r} must be {_kind_text(parameter.kind)}, "
                f"not {parameters[parameter.name]!r}",
            )
    for key in parameters:
        if key not in names:
            yield RuleProblem(field, rule, f"unexpected parameter {key!r}")
    if rule == "matches_regex" and isinstance(parameters.get("pattern"), str):
        yield from _regular_expression_problems(field, rule, parameters["pattern"])


def _parameter_fits(parameter: ParameterSpec, value: Any) -> bool:
    if parameter.kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if parameter.kind == "number":
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )
    if parameter.kind == "string":
        return isinstance(value, str)
    if parameter.kind == "list":
        return isinstance(value, list)
    return True


def _kind_text(kind: str) -> str:
    return {
        "integer": "an integer",
        "number": "a number",
        "string": "a string",
        "list": "a list",
    }.get(kind, "a value")


def _merged_validations(
    property_schema: dict, top_level_rules: dict
) -> list[tuple[str, dict | None]]:
    """Inline rules first, in their order, then the top-level rules they do not repeat."""
    merged = inline_rules(property_schema)
    written = {rule for rule, _ in merged}
    merged.extend(
        (rule, parameters) for rule, parameters in top_level_rules.items() if rule not in written
    )
    return merged


def _merged_coercions(properties: dict, coercion_rules: dict) -> dict[str, str]:
    merged = {
        name: property_schema["coercion"]
        for name, property_schema in properties.items()
        if property_schema.get("coercion") is not None
    }
    merged.update(coercion_rules)
    return merged
