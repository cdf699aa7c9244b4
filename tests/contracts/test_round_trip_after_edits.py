"""A contract edited in the admin, exported (whole, split or ODCS) and imported again: the
same space says "unchanged", an empty space gets the same contract back."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from contracts.documents.parsing import parse_contract_file
from contracts.models import DataContract, Domain, Owner, System
from contracts.selectors import contract_bundle, contract_get
from contracts.services import contract_import
from contracts.services.contract_edit import (
    contract_update,
    metadata_domains_set,
    metadata_owners_set,
    metadata_systems_set,
)
from contracts.services.contract_import import bundle_content
from contracts.services.lifecycle import VersionBump, contract_new_version
from tenancy.scoping import space_scope
from tests import factories

DEMO = Path(__file__).resolve().parents[2] / "contracts" / "demo"
DEMO_FILES = sorted(DEMO.glob("*-*.yaml"))


def _space_argument(space):
    return f"{space.organization.slug}/{space.slug}"


def _run(*arguments):
    output = io.StringIO()
    call_command(*arguments, stdout=output, stderr=io.StringIO())
    return output.getvalue()


def _schema_edit(contract, steward):
    schema = dict(contract.schema.schema_data)
    properties = dict(schema["properties"])
    properties["steward_note"] = {"type": "string", "maxLength": 200}
    contract_update(contract=contract, actor=steward,
                    schema_data={**schema, "properties": properties})


def _coercion_edit(contract, steward):
    field = next(iter(contract.schema.schema_data["properties"]))
    rules = dict(contract.coercion_rules.rules if contract.coercion_rules else {})
    rules[field] = "coerce_to_string"
    contract_update(contract=contract, actor=steward, coercion_rules=rules)


def _validation_edit(contract, steward):
    field = next(iter(contract.schema.schema_data["properties"]))
    rules = dict(contract.validation_rules.rules if contract.validation_rules else {})
    rules[field] = {"non_empty_string": None}
    contract_update(contract=contract, actor=steward, validation_rules=rules)


def _metadata_edit(contract, steward):
    contract_update(contract=contract, actor=steward, description="Edited by a steward.",
                    metadata_description="Reviewed in the admin.",
                    governance_rules={"quality_thresholds": {"min_overall_score": 80}})


def _ownership_edit(contract, steward):
    organization_id = contract.space.organization_id
    added = Owner.objects.create(id="new.sme@example.com", organization_id=organization_id,
                                 name="New SME")
    metadata_owners_set(metadata_record=contract.metadata_record, role="it_sme",
                        owners=[added], actor=steward)


def _systems_edit(contract, steward):
    organization_id = contract.space.organization_id
    added = System.objects.create(name="NEW-WAREHOUSE", organization_id=organization_id)
    metadata_systems_set(metadata_record=contract.metadata_record, role="pushes_to",
                         systems=[added], actor=steward)


def _domains_edit(contract, steward):
    organization_id = contract.space.organization_id
    domains = [Domain.objects.create(name="Audit", organization_id=organization_id),
               Domain.objects.create(name="Finance", organization_id=organization_id)]
    metadata_domains_set(metadata_record=contract.metadata_record, domains=domains, actor=steward)


#: The schema and rules are locked once a version is active: they are edited in a draft.
DRAFT_EDITS = (_schema_edit, _coercion_edit, _validation_edit)
EDITS = (_metadata_edit, _ownership_edit, _systems_edit, _domains_edit)


def _edited_demo_contracts(space, steward, path):
    """The demo contract imported as the demo does, each part edited as a steward does in
    the admin: the imported version, and the draft of its next version."""
    with space_scope(space):
        parsed = parse_contract_file(path, max_bytes=settings.PYCHARTER_MAX_IMPORT_BYTES)
        imported = contract_import(space=space, bundle=parsed.bundles[0], actor="demo").contract
        draft = imported
        if imported.status != "draft":
            draft = contract_new_version(contract=imported, bump=VersionBump.MAJOR,
                                         actor=steward)
        for edit in DRAFT_EDITS:
            edit(contract_get(contract_id=draft.pk), steward)
        for edit in EDITS:
            edit(contract_get(contract_id=imported.pk), steward)
        return [contract_get(contract_id=contract.pk) for contract in {imported, draft}]


def _exports(contract, space, folder):
    """The export of `contract` in each form, as the files `import_contract` takes."""
    folder.mkdir()
    arguments = ("export_contract", contract.name, contract.version,
                 "--space", _space_argument(space))
    whole = folder / "whole.yaml"
    odcs = folder / "odcs.yaml"
    split = folder / "split"
    _run(*arguments, "--output", str(whole))
    _run(*arguments, "--format", "odcs", "--output", str(odcs))
    _run(*arguments, "--split", str(split))
    return {"whole": [whole], "odcs": [odcs], "split": sorted(split.iterdir())}


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda path: path.name)
def test_an_edited_demo_contract_exports_and_imports_back(path, db, space, tmp_path):
    steward = factories.MembershipFactory(space=space, role="steward").user
    for contract in _edited_demo_contracts(space, steward, path):
        with space_scope(space):
            before = contract_bundle(contract)
        exports = _exports(contract, space, tmp_path / contract.version)

        for form, files in exports.items():
            outcome = _run("import_contract", *map(str, files),
                           "--space", _space_argument(space))
            empty_space = factories.SpaceFactory(organization=space.organization)
            created = _run("import_contract", *map(str, files),
                           "--space", _space_argument(empty_space))

            assert outcome == f"{contract.name} {contract.version}: unchanged\n", form
            assert created == f"{contract.name} {contract.version}: created\n", form
            with space_scope(empty_space):
                recreated = DataContract.objects.get(name=contract.name)
                assert bundle_content(contract_bundle(recreated)) == bundle_content(before), form
        with space_scope(space):
            assert contract_bundle(contract) == before
