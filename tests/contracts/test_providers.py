"""Systems as providers: a type, an active flag and a config validated per type, no secrets."""

import pytest
from django.core.exceptions import ValidationError

from contracts.models import System
from contracts.providers import ProviderType, config_problems
from contracts.services import system_upsert

pytestmark = pytest.mark.usefixtures("unscoped")


def test_a_valid_postgres_config_is_kept(organization):
    system, created = system_upsert(
        organization=organization, name="SALES-DB", provider_type=ProviderType.POSTGRES,
        config={"host": "db.internal", "port": 5432, "database": "sales",
                "password_env": "SALES_DB_PASSWORD"},
    )

    assert created
    assert System.objects.get(pk=system.pk).config["password_env"] == "SALES_DB_PASSWORD"


@pytest.mark.parametrize(
    ("provider_type", "config", "message"),
    [
        (ProviderType.POSTGRES, {"host": "db", "database": "x", "password": "hunter2"},
         "password: secrets are never stored; name the environment variable"),
        (ProviderType.HTTP_API, {"base_url": "https://api", "headers": {"api_key": "abc"}},
         "headers.api_key: secrets are never stored"),
        (ProviderType.S3, {"prefix": "raw/"}, "(config): 'bucket' is a required property"),
        (ProviderType.KAFKA, {"bootstrap_servers": [], "topic": "t"},
         "bootstrap_servers: [] should be non-empty"),
        (ProviderType.BIGQUERY, {"project": "p", "dataset": "d", "credentials_env": "lower"},
         "credentials_env: 'lower' does not match"),
        (ProviderType.SNOWFLAKE, {"account": "a", "database": "d", "colour": "blue"},
         "Additional properties are not allowed ('colour' was unexpected)"),
    ],
)
def test_invalid_configs_are_refused_with_the_key_named(provider_type, config, message):
    problems = config_problems(provider_type, config)

    assert any(message in problem for problem in problems), problems


def test_the_service_refuses_a_secret_and_writes_nothing(organization):
    with pytest.raises(ValidationError) as error:
        system_upsert(organization=organization, name="API", provider_type=ProviderType.HTTP_API,
                      config={"base_url": "https://x", "token": "s3cr3t"})

    assert "token: secrets are never stored" in error.value.message_dict["config"][0]
    assert not System.objects.filter(name="API").exists()


def test_other_systems_accept_any_object_and_default_to_active(organization):
    system, _ = system_upsert(organization=organization, name="LEGACY", config={"note": "csv drop"})

    assert (system.provider_type, system.is_active) == ("other", True)
