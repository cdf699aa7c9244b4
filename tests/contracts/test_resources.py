"""The django-import-export resources as the admin uses them: built with the tenant and the
user, a dry run and then the import, each limited to one space and its organization."""

import pytest
import tablib
from django.core.exceptions import ValidationError

from contracts.models import OWNERSHIP_ROLE_LINKS, DataContract, Owner, System
from contracts.resources import (
    CSV,
    DataContractResource,
    DomainResource,
    OwnerResource,
    OwnershipLinkResource,
    SystemLinkResource,
    SystemResource,
    escape_formula,
    unescape_formula,
)
from contracts.services.links import ownership_link_add, system_link_add
from quality.models import QualityViolation
from quality.resources import QualityViolationResource
from tenancy.scoping import user_scope
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")


def _dataset(headers, *rows):
    return tablib.Dataset(*rows, headers=headers)


def _twin_tenants(space, other_space):
    """In each space: owner, system ICC, domain IOC, contract flights 1.0.0 with both links
    and a violation."""
    for tenant_space, owner_id in ((space, "ours"), (other_space, "theirs")):
        organization = tenant_space.organization
        owner = factories.OwnerFactory(organization=organization, id=owner_id)
        system = factories.SystemFactory(organization=organization, name="ICC")
        factories.DomainFactory(organization=organization, name="IOC")
        contract = factories.DataContractFactory(space=tenant_space, name="flights")
        contract.metadata_record = factories.MetadataRecordFactory(data_contract=contract)
        contract.save()
        ownership_link_add(metadata_record=contract.metadata_record, role="bu_sme", owner=owner)
        system_link_add(metadata_record=contract.metadata_record, role="pushes_to", system=system)
        factories.QualityViolationFactory(data_contract=contract, record_identifier=owner_id)


@pytest.mark.parametrize(
    ("resource_class", "expected"),
    [
        (OwnerResource, [["ours"]]),
        (SystemResource, [["ICC"]]),
        (DomainResource, [["IOC"]]),
        (DataContractResource, [["flights", "1.0.0"]]),
        (OwnershipLinkResource, [["flights", "1.0.0", "bu_sme", "ours"]]),
        (SystemLinkResource, [["flights", "1.0.0", "pushes_to", "ICC"]]),
        (QualityViolationResource, [["flights", "1.0.0", "user", "1.0.0", "ours"]]),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_each_resource_exports_only_its_space_and_organization(
    resource_class, expected, space, other_space, steward
):
    # given the same names in two organizations
    _twin_tenants(space, other_space)
    resource = resource_class(space=space, actor=steward)

    # when the space's rows are exported
    with user_scope(steward):
        dataset = resource.export()

    # then only this tenant's rows are there (key columns shown)
    width = len(expected[0])
    first = 1 if resource_class is QualityViolationResource else 0
    assert [list(row[first:first + width]) for row in dataset] == expected


def test_the_admin_dry_run_writes_nothing_and_the_import_then_writes(space, other_space, steward):
    # given a steward's resource, and a system named like the other organization's
    factories.SystemFactory(organization=other_space.organization, name="ICC", app_id="THEIRS")
    dataset = _dataset(["name", "app_id"], ["ICC", "APP-1"], ["ODS", ""])
    resource = SystemResource(space=space, actor=steward)

    # when the admin previews the file, then confirms it
    with user_scope(steward):
        preview = resource.import_data(dataset, dry_run=True, use_transactions=True)
        after_preview = System.objects.filter(organization=space.organization).count()
        result = SystemResource(space=space, actor=steward).import_data(
            dataset, dry_run=False, use_transactions=True
        )

    # then the preview shows two new rows and writes nothing; the import writes both here
    assert (preview.totals["new"], after_preview) == (2, 0)
    assert result.totals["new"] == 2
    assert list(System.objects.filter(organization=space.organization).order_by("name")
                .values_list("name", "app_id")) == [("ICC", "APP-1"), ("ODS", None)]
    assert System.objects.get(organization=other_space.organization).app_id == "THEIRS"


def test_a_bad_row_rolls_back_the_rows_before_it(space, steward):
    # given two owners, the second with a bad email
    dataset = _dataset(["id", "email"], ["ada", "ada@cathay.example"], ["zoe", "not-an-email"])

    # when they are imported as the admin does it, rolling back on validation errors
    with user_scope(steward):
        result = OwnerResource(space=space, actor=steward).import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )

    # then the second row is invalid, naming its field, and the first was not kept
    assert [(row.number, row.error_dict) for row in result.invalid_rows] == [
        (2, {"email": ["Enter a valid email address."]})
    ]
    assert Owner.objects.count() == 0


def test_missing_and_unknown_columns_are_one_error_before_any_row(space, steward):
    # given a file without the natural key
    dataset = _dataset(["nom"], ["ICC"])

    # when it is imported
    with user_scope(steward):
        result = SystemResource(space=space, actor=steward).import_data(dataset, dry_run=True)

    # then the columns are the first error
    assert result.base_errors[0].error.messages == [
        "unknown column 'nom': expected columns name, app_id, description",
        "missing column 'name': the file must have name",
    ]


def test_a_new_contract_is_created_by_the_actor(space, steward):
    # given a new contract row
    dataset = _dataset(["name", "version", "description"], ["flights", "1.0.0", "Bookings"])

    # when a steward imports it
    with user_scope(steward):
        DataContractResource(space=space, actor=steward).import_data(dataset, dry_run=False)

    # then the steward created it, as a draft of this space
    assert list(DataContract.objects.values_list("space", "status", "created_by")) == [
        (space.pk, "draft", steward.username)
    ]


def test_violations_are_added_and_named_violations_left_as_they_are(space, steward):
    # given a contract with a resolved violation
    contract = factories.DataContractFactory(space=space, name="flights")
    existing = factories.QualityViolationFactory(data_contract=contract, status="resolved")
    dataset = _dataset(
        ["id", "contract_name", "contract_version", "schema_id", "record_data", "status"],
        [str(existing.pk), "flights", "1.0.0", "user", "", "open"],
        ["", "flights", "1.0.0", "user", '{"age": -3}', ""],
    )

    # when the admin imports the file
    with user_scope(steward):
        result = QualityViolationResource(space=space, actor=steward).import_data(
            dataset, dry_run=False, use_transactions=True
        )

    # then the named violation is skipped and stays resolved; the other is a new open one
    assert (result.totals["skip"], result.totals["new"]) == (1, 1)
    assert sorted(QualityViolation.objects.values_list("status", "record_data")) == [
        ("open", {"age": -3}), ("resolved", {"user_id": "1", "age": -3})
    ]


def test_a_violation_row_is_checked_as_the_streaming_import_checks_it(space, steward):
    # given a violation of a contract that does not exist, with a bad status
    dataset = _dataset(["contract_name", "contract_version", "schema_id", "status"],
                       ["flights", "1.0.0", "user", "later"])

    # when it is imported through the resource
    with user_scope(steward):
        result = QualityViolationResource(space=space, actor=steward).import_data(
            dataset, dry_run=True
        )

    # then the problems are those of `import_data violations`
    assert result.invalid_rows[0].error_dict == {
        "contract_name": ["no contract 'flights' version '1.0.0' in this space"],
        "status": ["'later' is not one of open, acknowledged, assigned, resolved, ignored"],
    }


def test_the_csv_format_neutralises_every_formula_and_reads_it_back():
    # given cells that start with each formula character
    cells = ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "plain", "'=already quoted", ""]
    dataset = _dataset(["cell"], *[[cell] for cell in cells])

    # when the dataset is exported as CSV and read back
    exported = CSV().export_data(dataset)
    read_back = CSV().create_dataset(exported)

    # then every formula starts with a quote in the file, and reads back as it was
    assert exported.splitlines()[1:5] == ["'=1+1", "'+1", "'-1", "'@A1"]
    assert [row[0] for row in read_back] == cells


def test_formula_escaping_follows_the_setting(settings):
    # given the setting turned off
    settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

    # when a formula is exported
    exported = CSV().export_data(_dataset(["cell"], ["=1+1"]))

    # then it is written as it is
    assert exported.splitlines() == ["cell", "=1+1"]


@pytest.mark.parametrize("value", ["=x", "'=x", "''=x", "'x", "x", "-", "'", None, 5])
def test_escaping_a_formula_can_always_be_undone(value):
    assert unescape_formula(escape_formula(value)) == value


def test_a_link_to_an_owner_of_another_organization_is_refused(space, other_space):
    # given a metadata record here and an owner there
    record = factories.MetadataRecordFactory(data_contract__space=space)
    theirs = factories.OwnerFactory(organization=other_space.organization, id="theirs")

    # when the link is added
    with pytest.raises(ValidationError) as caught:
        ownership_link_add(metadata_record=record, role="business_owners", owner=theirs)

    # then it is refused as if the owner did not exist, and nothing is written
    assert caught.value.message_dict == {"owner": ["No owner 'theirs' in this organization."]}
    assert OWNERSHIP_ROLE_LINKS["business_owners"].objects.count() == 0


def test_a_link_is_added_once_and_names_who_added_it(space, steward):
    # given a record and an owner of its organization
    record = factories.MetadataRecordFactory(data_contract__space=space)
    owner = factories.OwnerFactory(organization=space.organization)

    # when a steward adds the same link twice
    first = ownership_link_add(metadata_record=record, role="it_sme", owner=owner, actor=steward)
    second = ownership_link_add(metadata_record=record, role="it_sme", owner=owner,
                                actor="command:import_data")

    # then it is created once, and the record was last updated by the steward
    assert (first[1], second[1], first[0].pk == second[0].pk) == (True, False, True)
    record.refresh_from_db()
    assert record.updated_by == steward.username


def test_an_unknown_role_is_refused(space):
    # given a record and a system of its organization
    record = factories.MetadataRecordFactory(data_contract__space=space)
    system = factories.SystemFactory(organization=space.organization)

    # when a link is added in a role that does not exist
    with pytest.raises(ValidationError) as caught:
        system_link_add(metadata_record=record, role="feeds", system=system)

    # then the roles are listed
    assert caught.value.message_dict == {
        "role": ["'feeds' is not a role: expected pulls_from, pushes_to, system_sources."]
    }
