"""Model-layer validators for the contract graph; errors name the field they concern."""

import semver
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from contracts.documents.names import (
    display_name_problem,
    name_problem,
    owner_id_problem,
    quoted,
)


def validate_semantic_version(value):
    """Versions are semantic versions (MAJOR.MINOR.PATCH), as PyCharter writes them."""
    if not isinstance(value, str) or not semver.Version.is_valid(value):
        raise ValidationError(
            "%(value)s is not a semantic version such as 1.0.0.",
            code="invalid_version",
            params={"value": value},
        )


def validate_json_schema(value):
    """`schema_data` must itself be a valid JSON Schema (Draft 2020-12 metaschema)."""
    if not isinstance(value, dict):
        raise ValidationError("A JSON Schema must be an object.", code="invalid_schema")
    try:
        Draft202012Validator.check_schema(value)
    except SchemaError as error:
        location = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise ValidationError(
            "Not a valid JSON Schema (Draft 2020-12) at %(location)s: %(message)s",
            code="invalid_schema",
            params={"location": location, "message": error.message},
        ) from None


def validate_json_object(value):
    """Rule and governance columns hold a JSON object (a mapping), never a list or scalar."""
    if value is not None and not isinstance(value, dict):
        raise ValidationError("Must be a JSON object.", code="not_an_object")


def _raise_problem(problem):
    if problem is not None:
        raise ValidationError(problem, code="invalid_name")


def validate_name(value):
    """Contract, system and domain names: letters, digits, "_", "-" and "."."""
    _raise_problem(name_problem(value))


def validate_owner_id(value):
    """Owner ids: as names, plus "@" and "+" so that an email can be an id."""
    _raise_problem(owner_id_problem(value))


def validate_display_name(value):
    """Display names are free text, but never control or bidi-override characters."""
    _raise_problem(display_name_problem(value))


# Which columns follow which rule: (app label, model name) -> {field: problem finder}.
NAME_RULES = {
    ("contracts", "DataContract"): {"name": name_problem},
    ("contracts", "Owner"): {"id": owner_id_problem, "name": display_name_problem},
    ("contracts", "System"): {"name": name_problem},
    ("contracts", "Domain"): {"name": name_problem},
}


def name_report(apps):
    """Rows of every tenant whose names break the rules, as (table, id, field, problem).

    Rows written before the rules existed, or by other tools with plain SQL, are only
    reported: renaming a contract or an owner id is a steward's decision. `apps` is
    the app registry, so that migrations can pass their historical one.
    """
    problems = []
    for (app_label, model_name), rules in NAME_RULES.items():
        model = apps.get_model(app_label, model_name)
        rows = model._base_manager.order_by("pk").values_list("pk", *rules)
        for row_id, *values in rows.iterator():
            for field_name, value in zip(rules, values, strict=True):
                problem = rules[field_name](value)
                if problem is not None:
                    problems.append((model._meta.db_table, row_id, field_name, problem))
    return problems


def name_report_lines(apps):
    """`name_report` as one line per problem, for a person to read."""
    return [
        f"{table} {quoted(row_id)}: field {field_name}: {problem}"
        for table, row_id, field_name, problem in name_report(apps)
    ]
