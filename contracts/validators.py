"""Model-layer validators for the contract graph; errors name the field they concern."""

import semver
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError


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
