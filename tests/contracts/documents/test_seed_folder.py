"""A folder in PyCharter's seed layout: parsed into bundles and reference entities, and back."""

from pathlib import Path

import pytest

from contracts.documents.bundle import DomainEntry, OwnerEntry, SystemEntry
from contracts.documents.errors import DocumentError
from contracts.documents.loading import load_document
from contracts.documents.parsing import parse_seed_folder
from contracts.documents.serializing import dump_yaml, seed_documents

LIMIT = 1_000_000

SEED_FILES = {
    "contracts.yaml": """\
# Data contracts: name, version, status, description.
- name: passenger_profile
  version: "1.0.0"
  status: active
  description: Passenger profiles from the loyalty programme

- name: flight_leg
  version: "2.3.0"
  status: draft
  description: null

- name: gate_event
  version: "0.1.0"
""",
    "schemas.yaml": """\
- contract_name: passenger_profile
  contract_version: "1.0.0"
  title: passenger_profile
  version: "1.0.0"
  type: object
  properties:
    passenger_id:
      type: string
      minLength: 1
    email:
      type: string
      format: email
    tier:
      type: string
      enum: [green, silver, gold, diamond]
  required: [passenger_id, tier]

- contract_name: flight_leg
  contract_version: "2.3.0"
  title: flight_leg
  version: "2.3.0"
  type: object
  properties:
    leg_id:
      type: string
      coercion: coerce_to_string
    departure:
      type: string
      format: date-time
      coercion: coerce_to_datetime
    delay_minutes:
      type: integer
      validations:
        greater_than_or_equal_to:
          threshold: 0
  required: [leg_id, departure]
""",
    "coercion_rules.yaml": """\
- contract_name: passenger_profile
  contract_version: "1.0.0"
  title: passenger_profile_coercion
  version: "1.0.0"
  description: null
  rules:
    passenger_id: coerce_to_string
    email: coerce_to_lowercase
    tier: coerce_to_lowercase

- contract_name: flight_leg
  contract_version: "2.3.0"
  title: flight_leg_coercion
  version: "2.3.0"
  description: Coercions for flight legs
  rules:
    leg_id: coerce_to_string
    delay_minutes: coerce_to_nullable_integer
""",
    "validation_rules.yaml": """\
- contract_name: passenger_profile
  contract_version: "1.0.0"
  title: passenger_profile_validation
  version: "1.0.0"
  description: null
  rules:
    passenger_id:
      non_empty_string: null
    email:
      is_email: null
    tier:
      only_allow:
        allowed_values: [green, silver, gold, diamond]
""",
    "metadata.yaml": """\
- contract_name: passenger_profile
  contract_version: "1.0.0"
  title: passenger_profile_metadata
  version: "1.0.0"
  status: active
  description: Loyalty passenger profiles
  ownership:
    business_owners: [loyalty-team]
    bu_sme: [mei.chan@example.com]
    it_application_owners: []
    it_sme: [raj_patel]
    support_lead: []
  lineage:
    pulls_from: [LoyaltyCore]
    pushes_to: [CRM, Analytics]
    system_sources: [LoyaltyCore]
  domain: Customer
  data_quality:
    accuracy: 0.0
    monitoring_enabled: true
    sla: null
  governance_rules:
    data_retention:
      days: 2555
      reason: Loyalty programme terms
    pii_fields:
      fields: [email]
    sensitivity: confidential

- contract_name: flight_leg
  contract_version: "2.3.0"
  title: flight_leg_metadata
  version: "2.3.0"
  status: draft
  description: Flight legs
  ownership: {}
  lineage: {}
  governance_rules: {}
""",
    "owners.yaml": """\
- id: loyalty-team
  name: Loyalty Team
  email: loyalty@example.com
  team: loyalty
  additional_info: {}

- id: mei.chan@example.com
  name: Mei Chan
  email: mei.chan@example.com
  team: data-engineering
  additional_info:
    location: Hong Kong

- id: raj_patel
  name: Raj Patel
""",
    "systems.yaml": """\
- name: LoyaltyCore
  app_id: APP-0042
  description: Loyalty programme core
- name: CRM
  app_id: APP-0007
- name: Analytics
""",
    "domains.yaml": """\
- name: Customer
  description: Customers and their profiles
- name: Operations
""",
    "tags.yaml": "- name: pii\n",
    "README.md": "Seed data for the demo.\n",
}


def write_seed_folder(folder: Path, files: dict[str, str] = SEED_FILES) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "examples").mkdir(exist_ok=True)
    return folder


def seed_error(folder: Path) -> str:
    with pytest.raises(DocumentError) as caught:
        parse_seed_folder(folder, max_bytes=LIMIT)
    return str(caught.value)


def test_a_seed_folder_becomes_bundles_reference_entities_and_a_skipped_list(tmp_path):
    # given a seed folder with files the layout does not know
    folder = write_seed_folder(tmp_path / "seed")

    # when it is parsed
    parsed = parse_seed_folder(folder, max_bytes=LIMIT)

    # then each contract is a bundle with the artifacts that name it
    assert [(bundle.name, bundle.version, bundle.status) for bundle in parsed.bundles] == [
        ("passenger_profile", "1.0.0", "active"),
        ("flight_leg", "2.3.0", "draft"),
        ("gate_event", "0.1.0", None),
    ]
    passenger, flight, gate = parsed.bundles
    assert passenger.schema.schema_data["required"] == ["passenger_id", "tier"]
    assert "contract_name" not in passenger.schema.schema_data
    assert passenger.coercion_rules.title == "passenger_profile_coercion"
    assert passenger.metadata.ownership["bu_sme"] == ("mei.chan@example.com",)
    assert passenger.metadata.lineage["pushes_to"] == ("CRM", "Analytics")
    assert passenger.metadata.domains == ("Customer",)
    assert passenger.metadata.extra == {
        "data_quality": {"accuracy": 0.0, "monitoring_enabled": True, "sla": None}
    }
    assert flight.validation_rules is None
    assert flight.metadata.governance_rules == {}
    assert (gate.schema, gate.coercion_rules, gate.validation_rules, gate.metadata) == (
        None,
        None,
        None,
        None,
    )
    # and the reference entities are rows, the unknown files listed
    assert parsed.owners[2] == OwnerEntry(id="raj_patel", name="Raj Patel")
    assert parsed.systems == [
        SystemEntry(name="LoyaltyCore", app_id="APP-0042", description="Loyalty programme core"),
        SystemEntry(name="CRM", app_id="APP-0007"),
        SystemEntry(name="Analytics"),
    ]
    assert parsed.domains == [
        DomainEntry(name="Customer", description="Customers and their profiles"),
        DomainEntry(name="Operations"),
    ]
    assert parsed.skipped == [folder / "README.md", folder / "examples", folder / "tags.yaml"]


def test_a_seed_folder_round_trips_file_by_file(tmp_path):
    # given a seed folder, parsed
    folder = write_seed_folder(tmp_path / "seed")
    parsed = parse_seed_folder(folder, max_bytes=LIMIT)

    # when it is written back as seed documents, dumped to a new folder
    documents = seed_documents(parsed)
    exported = tmp_path / "exported"
    exported.mkdir()
    for name, entries in documents.items():
        (exported / name).write_text(dump_yaml(entries), encoding="utf-8")

    # then every file it knows is back, equal as data, and nothing else is written
    known = sorted(name for name in SEED_FILES if name not in ("tags.yaml", "README.md"))
    assert sorted(documents) == known
    for name in known:
        original = load_document(folder / name, max_bytes=LIMIT).data
        assert load_document(exported / name, max_bytes=LIMIT).data == original, name
    assert parse_seed_folder(exported, max_bytes=LIMIT).bundles == parsed.bundles


def test_a_seed_folder_in_json_is_read_like_yaml(tmp_path):
    # given a folder with contracts.json and schemas.json
    folder = tmp_path / "seed"
    folder.mkdir()
    (folder / "contracts.json").write_text('[{"name": "events", "version": "1.0.0"}]')
    (folder / "schemas.json").write_text(
        '[{"contract_name": "events", "contract_version": "1.0.0",'
        ' "type": "object", "properties": {"id": {"type": "string"}}}]'
    )

    # when it is parsed
    [bundle] = parse_seed_folder(folder, max_bytes=LIMIT).bundles

    # then the schema gets PyCharter's default title and the contract's version
    assert (bundle.schema.title, bundle.schema.version) == ("events_schema", "1.0.0")
    assert bundle.schema.schema_data == {"type": "object", "properties": {"id": {"type": "string"}}}


def test_an_artifact_naming_a_contract_that_is_not_listed_is_refused(tmp_path):
    # given coercion rules for a contract version contracts.yaml does not list
    files = dict(SEED_FILES)
    files["coercion_rules.yaml"] = files["coercion_rules.yaml"].replace(
        'contract_version: "2.3.0"', 'contract_version: "2.4.0"'
    )
    folder = write_seed_folder(tmp_path / "seed", files)

    # when it is parsed
    message = seed_error(folder)

    # then the entry is named by file and line
    assert message == (
        f"{folder / 'coercion_rules.yaml'}, line 11, column 3, field [1]: "
        "names contract flight_leg 2.4.0, which contracts.yaml lacks"
    )


def test_two_entries_of_the_same_part_for_one_contract_are_refused(tmp_path):
    # given validation rules listed twice for passenger_profile
    files = dict(SEED_FILES)
    files["validation_rules.yaml"] = files["validation_rules.yaml"] * 2
    folder = write_seed_folder(tmp_path / "seed", files)

    # when it is parsed
    message = seed_error(folder)

    # then the second entry is refused
    assert message == (
        f"{folder / 'validation_rules.yaml'}, line 14, column 3, field [1]: "
        "contract passenger_profile 1.0.0 has a validation_rules entry already"
    )


def test_an_owner_with_a_key_that_has_no_column_is_refused(tmp_path):
    # given an owner with a phone number, which the owners table cannot keep
    files = dict(SEED_FILES)
    files["owners.yaml"] += "  phone: '+852 0000 0000'\n"
    folder = write_seed_folder(tmp_path / "seed", files)

    # when it is parsed
    message = seed_error(folder)

    # then the key is named, with what an owner has
    assert message == (
        f"{folder / 'owners.yaml'}, line 16, column 3, field [2].phone: "
        "an owner has no 'phone'; it has id, name, email, team, additional_info"
    )


def test_a_system_listed_twice_is_refused(tmp_path):
    # given CRM listed twice
    files = dict(SEED_FILES)
    files["systems.yaml"] += "- name: CRM\n"
    folder = write_seed_folder(tmp_path / "seed", files)

    # when it is parsed
    message = seed_error(folder)

    # then the second is named
    assert message == (
        f"{folder / 'systems.yaml'}, line 7, column 3, field [3]: system 'CRM' is listed twice"
    )


def test_artifacts_without_contracts_yaml_are_refused(tmp_path):
    # given a folder with schemas but no contracts list
    files = {"schemas.yaml": SEED_FILES["schemas.yaml"]}
    folder = write_seed_folder(tmp_path / "seed", files)

    # when it is parsed
    message = seed_error(folder)

    # then the error says what is missing
    assert message == (
        f"{folder / 'schemas.yaml'}: its entries name contracts, but the folder has no "
        "contracts.yaml"
    )


def test_a_folder_of_reference_entities_alone_gives_no_bundles(tmp_path):
    # given owners only
    folder = write_seed_folder(tmp_path / "seed", {"owners.yaml": SEED_FILES["owners.yaml"]})

    # when it is parsed
    parsed = parse_seed_folder(folder, max_bytes=LIMIT)

    # then there are owners and no contracts
    assert (len(parsed.bundles), len(parsed.owners)) == (0, 3)


def test_the_same_seed_file_in_two_formats_is_refused(tmp_path):
    # given contracts.yaml and contracts.json side by side
    folder = write_seed_folder(tmp_path / "seed", {"contracts.yaml": SEED_FILES["contracts.yaml"]})
    (folder / "contracts.json").write_text("[]")

    # when it is parsed
    message = seed_error(folder)

    # then one of them must go
    assert message == f"{folder / 'contracts.yaml'}: contracts.json is here too: keep one"
