"""Serializing bundles back into PyCharter documents: what comes out is what went in."""

from pathlib import Path, PurePath

import pytest

from contracts.documents.bundle import ContractBundle, MetadataPart, SchemaPart
from contracts.documents.loading import load_document, load_document_bytes
from contracts.documents.parsing import parse_contract_file, parse_split_files
from contracts.documents.serializing import (
    bundle_to_document,
    bundle_to_split_documents,
    dump_json,
    dump_yaml,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pycharter"
LIMIT = 1_000_000
SPLIT_FILES = {
    "schema": FIXTURES / "loan_schema.yaml",
    "coercion_rules": FIXTURES / "loan_coercion_rules.yaml",
    "validation_rules": FIXTURES / "loan_validation_rules.yaml",
    "metadata": FIXTURES / "loan_metadata.yaml",
}


def data_of(path: Path):
    return load_document(path, max_bytes=LIMIT).data


def reload(text: str, name: str):
    return load_document_bytes(text.encode("utf-8"), path=PurePath(name), max_bytes=LIMIT).data


def test_every_fixture_file_is_covered_by_a_round_trip():
    # given the fixtures folder
    files = sorted(path.name for path in FIXTURES.glob("*.yaml"))

    # when compared with the files the round trips below read
    covered = sorted(["member_contract.yaml", *(path.name for path in SPLIT_FILES.values())])

    # then none is left out
    assert files == covered


def test_the_whole_template_contract_round_trips_with_its_key_order():
    # given the whole contract
    path = FIXTURES / "member_contract.yaml"
    [bundle] = parse_contract_file(path, max_bytes=LIMIT).bundles

    # when it is written back
    document = bundle_to_document(bundle)

    # then it is the original data, keys in the original order
    original = data_of(path)
    assert document == original
    assert list(document) == list(original)
    assert list(document["metadata"]) == list(original["metadata"])


def test_the_split_templates_imported_together_export_as_the_same_four_files():
    # given the four split templates imported together
    [bundle] = parse_split_files(list(SPLIT_FILES.values()), max_bytes=LIMIT).bundles

    # when exported as split documents
    documents = bundle_to_split_documents(bundle)

    # then each equals its source file
    assert sorted(documents) == sorted(SPLIT_FILES)
    for part, path in SPLIT_FILES.items():
        assert documents[part] == data_of(path), part
        assert list(documents[part]) == list(data_of(path)), part


@pytest.mark.parametrize("part", list(SPLIT_FILES))
def test_each_split_template_alone_round_trips(part):
    # given one split file imported on its own, named by the caller
    path = SPLIT_FILES[part]
    [bundle] = parse_split_files([path], max_bytes=LIMIT, name="alone", version="1.0.0").bundles

    # when exported as split documents
    documents = bundle_to_split_documents(bundle)

    # then the one part equals its source, after the contract's entry that names it
    entry = documents.pop("contract")
    assert (entry["name"], entry["version"]) == ("alone", "1.0.0")
    assert documents == {part: data_of(path)}


@pytest.mark.parametrize(("dump", "suffix"), [(dump_yaml, ".yaml"), (dump_json, ".json")])
def test_dumped_text_loads_back_to_the_same_data(tmp_path, dump, suffix):
    # given the whole contract as a bundle
    path = FIXTURES / "member_contract.yaml"
    [bundle] = parse_contract_file(path, max_bytes=LIMIT).bundles

    # when it is dumped to a file and that file is parsed and dumped again
    first = tmp_path / f"first{suffix}"
    first.write_text(dump(bundle_to_document(bundle)), encoding="utf-8")
    [again] = parse_contract_file(first, max_bytes=LIMIT).bundles

    # then the data is the original's, and so is the bundle
    assert data_of(first) == data_of(path)
    assert again == bundle


def test_dump_yaml_keeps_order_and_unicode_and_writes_no_aliases():
    # given a document that uses the same list twice and non-ASCII text
    owners = ["zoë", "ana"]
    document = {"title": "données", "read": owners, "write": owners}

    # when it is dumped
    text = dump_yaml(document)

    # then it is written out plainly
    assert text == "title: données\nread:\n- zoë\n- ana\nwrite:\n- zoë\n- ana\n"


def test_dump_json_is_indented_and_keeps_unicode():
    # given a small document
    document = {"title": "données", "version": "1.0.0"}

    # when it is dumped
    text = dump_json(document)

    # then it is indented JSON with the text as written
    assert text == '{\n  "title": "données",\n  "version": "1.0.0"\n}\n'


def test_nulls_empty_blocks_and_unmapped_keys_come_back_as_written(tmp_path):
    # given a contract with nulls, empty blocks, a one-item domains list and unknown keys
    path = tmp_path / "contract.yaml"
    path.write_text(
        "name: trades\n"
        "version: 2.0.0\n"
        "description: null\n"
        "owner_notes: reviewed by risk\n"
        "coercion_rules:\n"
        "  description: null\n"
        "  source: legacy-etl\n"
        "  rules: {}\n"
        "metadata:\n"
        "  type: null\n"
        "  ownership: {}\n"
        "  lineage:\n"
        "    pulls_from: []\n"
        "    notes: nightly\n"
        "  domains: [markets]\n",
        encoding="utf-8",
    )
    [bundle] = parse_contract_file(path, max_bytes=LIMIT).bundles

    # when it is written back
    document = bundle_to_document(bundle)

    # then every key is back, and the defaults filled at import are not written
    assert document == data_of(path)
    assert bundle.coercion_rules.title == "trades_coercion_rules"
    assert bundle.document_extra["unmapped"] == {
        "contract": {"owner_notes": "reviewed by risk"},
        "coercion_rules": {"source": "legacy-etl"},
    }
    assert bundle.metadata.extra == {"lineage": {"notes": "nightly"}}


def test_the_whole_template_contract_exported_as_split_documents():
    # given the whole contract
    [bundle] = parse_contract_file(FIXTURES / "member_contract.yaml", max_bytes=LIMIT).bundles

    # when exported as split documents
    documents = bundle_to_split_documents(bundle)

    # then each part is its block of the contract, after the contract's own entry (its
    # description is not the metadata's)
    original = data_of(FIXTURES / "member_contract.yaml")
    assert documents == {
        "contract": {key: original[key] for key in ("name", "version", "status", "description")},
        "schema": original["schema"],
        "coercion_rules": original["coercion_rules"],
        "validation_rules": original["validation_rules"],
        "metadata": original["metadata"],
    }


def test_a_bundle_without_a_layout_is_written_in_canonical_order_with_what_it_holds():
    # given a bundle built in the admin, with no document layout
    bundle = ContractBundle(
        name="flights",
        version="1.1.0",
        status="draft",
        schema=SchemaPart(title="flights", version="1.1.0", schema_data={"type": "object"}),
        metadata=MetadataPart(
            title="flights_metadata",
            version="1.1.0",
            description="Flight legs",
            ownership={"business_owners": ("ops-team",)},
            domains=("operations",),
            extra={"data_quality": {"sla": None}},
        ),
    )

    # when it is written as a whole contract
    document = bundle_to_document(bundle)

    # then the columns that hold something are written, and a versions block
    assert document == {
        "name": "flights",
        "version": "1.1.0",
        "status": "draft",
        "schema": {"type": "object", "title": "flights"},
        "metadata": {
            "description": "Flight legs",
            "ownership": {"business_owners": ["ops-team"]},
            "domain": "operations",
            "data_quality": {"sla": None},
        },
        "versions": {"schema": "1.1.0", "metadata": "1.1.0"},
    }


def test_exported_documents_do_not_share_state_with_the_bundle():
    # given the whole contract as a bundle
    [bundle] = parse_contract_file(FIXTURES / "member_contract.yaml", max_bytes=LIMIT).bundles

    # when an exported document is changed
    document = bundle_to_document(bundle)
    document["schema"]["properties"].clear()

    # then the bundle is unchanged
    assert bundle.schema.schema_data["properties"]


def test_the_seed_shape_gives_the_contracts_entry_of_each_seed_file():
    # given the whole contract
    [bundle] = parse_contract_file(FIXTURES / "member_contract.yaml", max_bytes=LIMIT).bundles

    # when it is written in the seed shape
    entries = bundle_to_document(bundle, shape="seed")

    # then each seed file gets one entry, artifacts naming their contract first
    original = data_of(FIXTURES / "member_contract.yaml")
    link = {"contract_name": "library_members", "contract_version": "1.0.0"}
    assert entries == {
        "contracts.yaml": {
            "name": "library_members",
            "version": "1.0.0",
            "status": "active",
            "description": original["description"],
        },
        "schemas.yaml": {**link, **original["schema"]},
        "coercion_rules.yaml": {**link, **original["coercion_rules"]},
        "validation_rules.yaml": {**link, **original["validation_rules"]},
        "metadata.yaml": {**link, **original["metadata"]},
    }
    assert list(entries["schemas.yaml"])[:3] == ["contract_name", "contract_version", "type"]
