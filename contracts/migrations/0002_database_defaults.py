"""Database-side behaviour of the ERD for writers that use plain SQL (PostgreSQL only).

- ON DELETE as the ERD documents: CASCADE for required links, SET NULL for optional ones.
- Defaults: random UUID ids, tenant columns that fall back to the default space or
  its organization, `updated_at` kept current on raw updates.
"""

from django.db import migrations

from tenancy.database import (
    TOUCH_UPDATED_AT_FUNCTION,
    column_default,
    foreign_key_on_delete,
    random_uuid_default,
    touch_updated_at,
)

COMPONENT_TABLES = ["schemas", "coercion_rules", "validation_rules", "metadata_records"]
OWNER_LINK_TABLES = [
    "metadata_record_business_owners",
    "metadata_record_bu_sme",
    "metadata_record_it_application_owners",
    "metadata_record_it_sme",
    "metadata_record_support_lead",
]
SYSTEM_LINK_TABLES = [
    "metadata_record_system_pulls",
    "metadata_record_system_pushes",
    "metadata_record_system_sources",
]
LINK_TABLES = OWNER_LINK_TABLES + SYSTEM_LINK_TABLES + ["metadata_record_domains"]
REFERENCE_TABLES = ["owners", "systems", "domains"]
TIMESTAMPED_TABLES = ["data_contracts", *COMPONENT_TABLES, *REFERENCE_TABLES]


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("tenancy", "0002_default_space"),
    ]

    operations = [
        # Components belong to their contract: required, CASCADE.
        *[
            foreign_key_on_delete(table, "data_contract_id", "data_contracts", "CASCADE")
            for table in COMPONENT_TABLES
        ],
        # Rules may name the schema they were written for: optional, SET NULL.
        foreign_key_on_delete("coercion_rules", "schema_id", "schemas", "SET NULL"),
        foreign_key_on_delete("validation_rules", "schema_id", "schemas", "SET NULL"),
        # The contract's pointers to its current components: optional, SET NULL.
        foreign_key_on_delete("data_contracts", "schema_id", "schemas", "SET NULL"),
        foreign_key_on_delete("data_contracts", "coercion_rules_id", "coercion_rules", "SET NULL"),
        foreign_key_on_delete(
            "data_contracts", "validation_rules_id", "validation_rules", "SET NULL"
        ),
        foreign_key_on_delete(
            "data_contracts", "metadata_record_id", "metadata_records", "SET NULL"
        ),
        # Join tables: both ends required, CASCADE.
        *[
            foreign_key_on_delete(table, "metadata_record_id", "metadata_records", "CASCADE")
            for table in LINK_TABLES
        ],
        *[
            foreign_key_on_delete(table, "owner_id", "owners", "CASCADE")
            for table in OWNER_LINK_TABLES
        ],
        *[
            foreign_key_on_delete(table, "system_id", "systems", "CASCADE")
            for table in SYSTEM_LINK_TABLES
        ],
        foreign_key_on_delete("metadata_record_domains", "domain_id", "domains", "CASCADE"),
        # Defaults for rows written with only the ERD's columns.
        *[
            random_uuid_default(table)
            for table in ["data_contracts", *COMPONENT_TABLES, "systems", "domains", *LINK_TABLES]
        ],
        column_default("data_contracts", "space_id", "pycharter_default_space_id()"),
        *[
            column_default(table, "organization_id", "pycharter_default_organization_id()")
            for table in REFERENCE_TABLES
        ],
        TOUCH_UPDATED_AT_FUNCTION,
        *[touch_updated_at(table) for table in TIMESTAMPED_TABLES],
    ]
