"""Provider types of systems (seed 004, "Provider Models"): one table, a JSON config per type.

Each provider type has a JSON Schema for its `config`. Secrets are never stored:
a config names the environment variable that holds a secret (`password_env`,
`credentials_env`, ...), and a key that looks like a secret itself is refused.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from jsonschema import Draft202012Validator


class ProviderType(models.TextChoices):
    POSTGRES = "postgres", "PostgreSQL"
    SNOWFLAKE = "snowflake", "Snowflake"
    BIGQUERY = "bigquery", "BigQuery"
    S3 = "s3", "S3"
    KAFKA = "kafka", "Kafka"
    HTTP_API = "http_api", "HTTP API"
    OTHER = "other", "Other"


_ENV_NAME = {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"}


def _object(required, **properties):
    return {
        "type": "object",
        "required": list(required),
        "properties": properties,
        "additionalProperties": False,
    }


CONFIG_SCHEMAS = {
    ProviderType.POSTGRES: _object(
        ["host", "database"],
        host={"type": "string", "minLength": 1},
        port={"type": "integer", "minimum": 1, "maximum": 65535},
        database={"type": "string", "minLength": 1},
        schema={"type": "string"},
        user={"type": "string"},
        password_env=_ENV_NAME,
    ),
    ProviderType.SNOWFLAKE: _object(
        ["account", "database"],
        account={"type": "string", "minLength": 1},
        warehouse={"type": "string"},
        database={"type": "string", "minLength": 1},
        schema={"type": "string"},
        role={"type": "string"},
        user={"type": "string"},
        password_env=_ENV_NAME,
        private_key_env=_ENV_NAME,
    ),
    ProviderType.BIGQUERY: _object(
        ["project", "dataset"],
        project={"type": "string", "minLength": 1},
        dataset={"type": "string", "minLength": 1},
        location={"type": "string"},
        credentials_env=_ENV_NAME,
    ),
    ProviderType.S3: _object(
        ["bucket"],
        bucket={"type": "string", "minLength": 3},
        prefix={"type": "string"},
        region={"type": "string"},
        endpoint_url={"type": "string", "format": "uri"},
        access_key_id_env=_ENV_NAME,
        secret_access_key_env=_ENV_NAME,
    ),
    ProviderType.KAFKA: _object(
        ["bootstrap_servers", "topic"],
        bootstrap_servers={"type": "array", "items": {"type": "string"}, "minItems": 1},
        topic={"type": "string", "minLength": 1},
        security_protocol={"enum": ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]},
        sasl_username_env=_ENV_NAME,
        sasl_password_env=_ENV_NAME,
    ),
    ProviderType.HTTP_API: _object(
        ["base_url"],
        base_url={"type": "string", "pattern": "^https?://"},
        auth={"enum": ["none", "bearer", "basic"]},
        token_env=_ENV_NAME,
        timeout_seconds={"type": "number", "exclusiveMinimum": 0, "maximum": 300},
    ),
    ProviderType.OTHER: {"type": "object"},
}

_SECRET_KEY = re.compile(r"(password|passwd|secret|token|api_?key|private_?key|credential)",
                         re.IGNORECASE)


def _secret_keys(config, path=""):
    for key, value in config.items():
        where = f"{path}.{key}" if path else key
        if _SECRET_KEY.search(key) and not key.endswith("_env"):
            yield where
        if isinstance(value, dict):
            yield from _secret_keys(value, where)


def config_problems(provider_type, config, schemas=CONFIG_SCHEMAS):
    """Messages for everything wrong with `config` for `provider_type` (empty when valid)."""
    if config in (None, {}):
        config = {}
    if not isinstance(config, dict):
        return ["The configuration must be a JSON object."]
    problems = [
        f"{key}: secrets are never stored; name the environment variable that holds it "
        f"instead (e.g. {key.rsplit('.', 1)[-1]}_env)."
        for key in _secret_keys(config)
    ]
    schema = schemas.get(provider_type)
    if schema is None:
        return [*problems, f"Unknown provider type {provider_type!r}."]
    for error in sorted(Draft202012Validator(schema).iter_errors(config), key=str):
        location = "/".join(str(part) for part in error.absolute_path) or "(config)"
        problems.append(f"{location}: {error.message}")
    return problems


def validate_provider_config(provider_type, config):
    problems = config_problems(provider_type, config)
    if problems:
        raise ValidationError({"config": problems})
