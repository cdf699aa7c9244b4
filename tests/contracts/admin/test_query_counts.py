"""Every list and page of the contract and workspace admins runs as many queries for 200 rows
as for one (querysets are sealed: a lazy load per row would also fail here)."""

import pytest
from django.contrib.admin.utils import quote
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    BreakingChangeSignOff,
    DataContract,
    Domain,
    MetadataRecord,
    MetadataRecordDomain,
    Owner,
    Schema,
    System,
)
from quality.models import QualityMetric, QualityViolation
from tenancy.models import Membership, Organization, OrganizationAdmin, Role, Space
from tests import factories
from tests.contracts.admin.contract_graph import contract_with_parts

pytestmark = pytest.mark.usefixtures("unscoped")

MANY = 200


def _query_count(client, url):
    client.get(url)  # what the site keeps between requests: content types, the navigation
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in context.captured_queries]


def _assert_same_queries_for_one_and_many(client, url, add_rows):
    client.get(url)  # fills per-process caches (content types) before counting
    with_one = _query_count(client, url)
    add_rows(MANY - 1)
    with_many = _query_count(client, url)

    assert len(with_many) == len(with_one), "\n".join(
        query for query in with_many if query not in with_one
    )


# Rows to grow a page with --------------------------------------------------------------


def _contracts_with_quality(space, count):
    contracts = DataContract.objects.bulk_create(
        factories.DataContractFactory.build_batch(count, space=space)
    )
    QualityMetric.objects.bulk_create(
        QualityMetric(data_contract=contract, space=space, schema_id="s", overall_score=90.0,
                      passed="true") for contract in contracts
    )
    QualityViolation.objects.bulk_create(
        QualityViolation(data_contract=contract, space=space, schema_id="s", field_name="age")
        for contract in contracts
    )


def _versions(contract, count):
    """`count` more versions of the contract's name, each with all its parts and links."""
    versions = DataContract.objects.bulk_create(
        DataContract(space_id=contract.space_id, name=contract.name, version=f"0.{number}.0",
                     status="deprecated")
        for number in range(count)
    )
    Schema.objects.bulk_create(
        Schema(data_contract=version, version=version.version, title="Booking",
               schema_data={"type": "object"}) for version in versions
    )
    MetadataRecord.objects.bulk_create(
        MetadataRecord(data_contract=version, version=version.version, title="bookings")
        for version in versions
    )


def _links(contract, count):
    organization = contract.space.organization
    owners = Owner.objects.bulk_create(
        factories.OwnerFactory.build_batch(count, organization=organization)
    )
    systems = System.objects.bulk_create(
        factories.SystemFactory.build_batch(count, organization=organization)
    )
    domains = Domain.objects.bulk_create(
        factories.DomainFactory.build_batch(count, organization=organization)
    )
    record = contract.metadata_record
    for link_model in OWNERSHIP_ROLE_LINKS.values():
        link_model.objects.bulk_create(link_model(metadata_record=record, owner=owner)
                                       for owner in owners)
    for link_model in SYSTEM_ROLE_LINKS.values():
        link_model.objects.bulk_create(link_model(metadata_record=record, system=system)
                                       for system in systems)
    MetadataRecordDomain.objects.bulk_create(
        MetadataRecordDomain(metadata_record=record, domain=domain) for domain in domains
    )


# Contract admin ------------------------------------------------------------------------


def test_the_contract_list(steward_client, space, other_space):
    _contracts_with_quality(space, 1)
    _contracts_with_quality(other_space, 3)

    _assert_same_queries_for_one_and_many(
        steward_client, reverse("admin:contracts_datacontract_changelist"),
        lambda count: _contracts_with_quality(space, count),
    )


def test_the_contract_page(steward_client, space):
    contract = contract_with_parts(space)
    _links(contract, 1)

    def add_rows(count):
        _links(contract, count)
        _versions(contract, count)

    _assert_same_queries_for_one_and_many(
        steward_client, reverse("admin:contracts_datacontract_change", args=[contract.pk]),
        add_rows,
    )


def test_the_contract_page_of_a_viewer(viewer_client, space):
    contract = contract_with_parts(space, status="active")
    _links(contract, 1)

    _assert_same_queries_for_one_and_many(
        viewer_client, reverse("admin:contracts_datacontract_change", args=[contract.pk]),
        lambda count: _links(contract, count),
    )


@pytest.mark.parametrize("page", ["activate", "compare"])
def test_the_activation_and_compare_pages(page, steward_client, space):
    contract = contract_with_parts(space, version="2.0.0")
    active = contract_with_parts(space, status="active")
    _links(contract, 1)
    arguments = [contract.pk] if page == "activate" else [contract.pk, active.pk]

    _assert_same_queries_for_one_and_many(
        steward_client, reverse(f"admin:contracts_datacontract_{page}", args=arguments),
        lambda count: (_links(contract, count), _versions(contract, count)),
    )


PAGES = ["list", "page"]


def _url(model_name, page, obj):
    if page == "list":
        return reverse(f"admin:{obj._meta.app_label}_{model_name}_changelist")
    return reverse(f"admin:{obj._meta.app_label}_{model_name}_change", args=[quote(obj.pk)])


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "model_name", ["schema", "coercionruleset", "validationruleset", "metadatarecord"]
)
def test_the_lists_and_pages_of_parts(model_name, page, steward_client, space):
    contract = contract_with_parts(space)
    _links(contract, 1)
    part = {"schema": contract.schema, "coercionruleset": contract.coercion_rules,
            "validationruleset": contract.validation_rules,
            "metadatarecord": contract.metadata_record}[model_name]

    def add_rows(count):
        _versions(contract, count)
        _links(contract, count)

    _assert_same_queries_for_one_and_many(steward_client, _url(model_name, page, part), add_rows)


def test_the_sign_off_list(steward_client, space, steward):
    contract = contract_with_parts(space)

    def sign_offs(count):
        BreakingChangeSignOff.objects.bulk_create(
            BreakingChangeSignOff(data_contract=contract, compared_with_version="0.9.0",
                                  signed_off_by=steward, signed_off_by_name="priya")
            for _ in range(count)
        )

    sign_offs(1)
    _assert_same_queries_for_one_and_many(
        steward_client, reverse("admin:contracts_breakingchangesignoff_changelist"), sign_offs
    )


def test_the_sign_off_page(steward_client, space, steward):
    sign_off = BreakingChangeSignOff.objects.create(
        data_contract=contract_with_parts(space), compared_with_version="0.9.0",
        signed_off_by=steward, signed_off_by_name="priya",
        breaking_changes=[{"component": "schema", "field": "field_0", "explanation": "removed"}],
    )

    def more_changes(count):
        sign_off.breaking_changes += [
            {"component": "schema", "field": f"field_{number}", "explanation": "removed"}
            for number in range(1, count + 1)
        ]
        sign_off.save()

    _assert_same_queries_for_one_and_many(
        steward_client, reverse("admin:contracts_breakingchangesignoff_change",
                                args=[sign_off.pk]), more_changes,
    )


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("model", "factory"),
    [(Owner, factories.OwnerFactory), (System, factories.SystemFactory),
     (Domain, factories.DomainFactory)],
)
def test_the_reference_data_lists_and_pages(model, factory, page, steward_client, space):
    entity = factory(organization=space.organization)

    def add_rows(count):
        model.objects.bulk_create(factory.build_batch(count, organization=space.organization))

    _assert_same_queries_for_one_and_many(
        steward_client, _url(model._meta.model_name, page, entity), add_rows
    )


# Workspace admin -----------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, db):
    client.force_login(factories.UserFactory(is_superuser=True))
    return client


@pytest.mark.parametrize("page", PAGES)
def test_the_organization_list_and_page(page, superuser_client, organization, space):
    def add_rows(count):
        organizations = Organization.objects.bulk_create(
            factories.OrganizationFactory.build_batch(count)
        )
        Space.objects.bulk_create(factories.SpaceFactory.build(organization=other)
                                  for other in organizations)
        Space.objects.bulk_create(factories.SpaceFactory.build_batch(count,
                                                                     organization=organization))

    _assert_same_queries_for_one_and_many(
        superuser_client, _url("organization", page, organization), add_rows
    )


@pytest.mark.parametrize("page", PAGES)
def test_the_space_list_and_page(page, superuser_client, organization, space):
    def add_rows(count):
        Space.objects.bulk_create(factories.SpaceFactory.build_batch(count,
                                                                     organization=organization))
        Membership.objects.bulk_create(
            Membership(space=space, user=user, role=Role.VIEWER)
            for user in factories.UserFactory.create_batch(count)
        )

    _assert_same_queries_for_one_and_many(superuser_client, _url("space", page, space), add_rows)


def _members_and_administrators(organization, count):
    spaces = Space.objects.bulk_create(
        factories.SpaceFactory.build_batch(count, organization=organization)
    )
    users = factories.UserFactory.create_batch(count)
    Membership.objects.bulk_create(Membership(space=new_space, user=user)
                                   for new_space, user in zip(spaces, users, strict=True))
    OrganizationAdmin.objects.bulk_create(OrganizationAdmin(organization=organization, user=user)
                                          for user in users)


@pytest.mark.parametrize("page", PAGES)
def test_the_membership_list_and_page(page, superuser_client, organization, space):
    membership = factories.MembershipFactory(space=space)

    _assert_same_queries_for_one_and_many(
        superuser_client, _url("membership", page, membership),
        lambda count: _members_and_administrators(organization, count),
    )


@pytest.mark.parametrize("page", PAGES)
def test_the_organization_admin_list_and_page(page, superuser_client, organization, space):
    administrator = factories.OrganizationAdminFactory(organization=organization)

    _assert_same_queries_for_one_and_many(
        superuser_client, _url("organizationadmin", page, administrator),
        lambda count: _members_and_administrators(organization, count),
    )
