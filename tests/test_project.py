"""Project-wide guarantees: migrations match models, production settings pass check --deploy."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_production_settings_pass_check_deploy():
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECURE_SSL_REDIRECT", "DATABASE_URL"}
    }
    environment.update(
        SECRET_KEY="a-real-production-secret-Zq8v!m2#Lr5@Wx9&Tn4^Kp7*Hd3$Jb6%Fs1",
        ALLOWED_HOSTS="governance.example.com",
        DEBUG="false",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_debug_a_secret_key_is_required():
    environment = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    environment.update(DEBUG="false", ALLOWED_HOSTS="governance.example.com")

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=environment,
        capture_output=True, text=True,
    )

    assert result.returncode == 1
    assert "(pycharter_site.E001) SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}

    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=ROOT,
        env=environment, capture_output=True, text=True,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "No changes detected\n"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrations_apply_back_to_zero_and_forwards_again(requires_postgresql):
    call_command("migrate", "quality", "zero", verbosity=0)
    call_command("migrate", "contracts", "zero", verbosity=0)
    call_command("migrate", "tenancy", "zero", verbosity=0)
    from django.db import connection

    remaining = set(connection.introspection.table_names()) & {
        "data_contracts", "schemas", "owners", "quality_violations", "tenancy_space",
    }
    call_command("migrate", verbosity=0)

    assert remaining == set()
    assert {"data_contracts", "quality_violations"} <= set(connection.introspection.table_names())


def test_pending_migrations_sql_prints_every_migration_in_order(db, requires_postgresql):
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder(connection).migration_qs.filter(app="quality").delete()
    output = StringIO()

    call_command("pending_migrations_sql", stdout=output)

    text = output.getvalue()
    assert text.index("-- quality.0001_initial") < text.index("-- quality.0002_database_defaults")
    assert 'CREATE TABLE "quality_violations"' in text
    assert "INSERT INTO \"django_migrations\" (app, name, applied) VALUES ('quality', " in text
    assert "-- contracts.0001_initial" not in text
