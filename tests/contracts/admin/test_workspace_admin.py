"""The Workspace section (tenancy/admin.py): who manages members and spaces, and what they see.

Here beside the contract admin tests because they share its fixtures.
"""

import pytest
from django.urls import reverse

from tenancy.models import Membership, OrganizationAdmin, Role, Space
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

MEMBERSHIPS = reverse("admin:tenancy_membership_changelist")
ADD_MEMBERSHIP = reverse("admin:tenancy_membership_add")


@pytest.fixture
def organization_admin(organization):
    return factories.OrganizationAdminFactory(organization=organization).user


@pytest.fixture
def newcomer(organization):
    """An account of the organization: a viewer of a space nobody else here works in."""
    archive = factories.SpaceFactory(organization=organization, name="Archive", slug="archive")
    return factories.MembershipFactory(space=archive, user__username="newcomer",
                                       role=Role.VIEWER).user


@pytest.fixture
def outsider(other_space):
    """An account of the other organization, with an email nobody here should learn."""
    return factories.MembershipFactory(space=other_space, user__username="outsider",
                                       user__email="outsider@other.example",
                                       role=Role.STEWARD).user


def _roles(space):
    return dict(Membership.objects.filter(space=space).values_list("user__username", "role"))


def test_an_organization_admin_adds_a_member_to_a_space_of_their_organization(
    client, organization, space, organization_admin, newcomer
):
    second_space = factories.SpaceFactory(organization=organization)
    client.force_login(organization_admin)

    add_page = client.get(ADD_MEMBERSHIP)
    response = client.post(ADD_MEMBERSHIP, {"space": second_space.pk, "user": "newcomer",
                                            "role": Role.STEWARD})

    assert set(add_page.context["adminform"].form.fields["space"].queryset) == {
        space, second_space, Space.objects.get(slug="archive")
    }
    assert response.status_code == 302
    assert _roles(second_space) == {"newcomer": "steward"}


def test_joining_changing_role_and_leaving_read_as_sentences_in_the_spaces_audit_log(
    client, space, organization_admin, newcomer
):
    from tenancy.audit_labels import audit_entries_named
    from tenancy.models import AuditLogEntry

    client.force_login(organization_admin)
    client.post(ADD_MEMBERSHIP, {"space": space.pk, "user": "newcomer", "role": Role.VIEWER})
    membership = Membership.objects.get(space=space, user=newcomer)
    client.post(reverse("admin:tenancy_membership_change", args=[membership.pk]),
                {"role": Role.STEWARD})
    client.post(reverse("admin:tenancy_membership_delete", args=[membership.pk]),
                {"post": "yes"})

    entries = AuditLogEntry.objects.filter(space=space, action__startswith="tenancy.membership.")
    assert [(named.entry.actor, named.sentence) for named in
            audit_entries_named(entries.order_by("created_at"))] == [
        (organization_admin, "added member newcomer as viewer"),
        (organization_admin, "changed the role of newcomer to steward"),
        (organization_admin, "removed member newcomer"),
    ]
    assert _roles(space) == {}


def test_members_cannot_be_added_to_another_organizations_space(
    client, space, other_space, organization_admin, newcomer
):
    client.force_login(organization_admin)

    response = client.post(ADD_MEMBERSHIP, {"space": other_space.pk, "user": "newcomer",
                                            "role": Role.ADMIN})

    assert list(response.context["adminform"].form.errors) == ["space"]
    assert _roles(other_space) == {}


UNKNOWN_ACCOUNT = ("Choose an account of this organization: a member of one of its spaces or "
                   "one of its admins.")


def test_the_member_choice_offers_the_organizations_accounts_only(
    client, space, organization_admin, newcomer, outsider, other_space
):
    factories.UserFactory(username="loner")
    client.force_login(organization_admin)

    add_page = client.get(ADD_MEMBERSHIP)

    assert [user.username for user in add_page.context["adminform"].form.fields["user"].queryset
            ] == sorted([organization_admin.username, "newcomer"])
    assert "outsider" not in add_page.text
    assert "loner" not in add_page.text


def test_another_organizations_account_and_a_missing_one_get_the_same_answer(
    client, space, organization_admin, outsider, other_space
):
    client.force_login(organization_admin)

    foreign = client.post(ADD_MEMBERSHIP, {"space": space.pk, "user": "outsider",
                                           "role": Role.VIEWER})
    missing = client.post(ADD_MEMBERSHIP, {"space": space.pk, "user": "nobody",
                                           "role": Role.VIEWER})
    listed = client.get(MEMBERSHIPS)

    assert foreign.context["adminform"].form.errors == {"user": [UNKNOWN_ACCOUNT]}
    assert missing.context["adminform"].form.errors == {"user": [UNKNOWN_ACCOUNT]}
    assert _roles(space) == {}
    assert _roles(other_space) == {"outsider": "steward"}
    assert "outsider@other.example" not in listed.text


def test_a_member_of_one_organization_is_not_offered_for_another_it_is_managed_with(
    client, space, other_space, outsider
):
    """A user who manages spaces of two organizations names, for each space, the accounts of
    that space's organization only."""
    manager = factories.MembershipFactory(space=space, role=Role.ADMIN).user
    factories.MembershipFactory(space=other_space, user=manager, role=Role.ADMIN)
    client.force_login(manager)

    response = client.post(ADD_MEMBERSHIP, {"space": space.pk, "user": "outsider",
                                            "role": Role.VIEWER})

    assert response.context["adminform"].form.errors == {"user": [UNKNOWN_ACCOUNT]}
    assert _roles(space) == {manager.username: "admin"}


def test_an_organization_admin_cannot_name_another_organizations_account_as_admin(
    client, organization, organization_admin, outsider
):
    client.force_login(organization_admin)

    response = client.post(reverse("admin:tenancy_organizationadmin_add"),
                           {"organization": organization.pk, "user": "outsider"})

    assert response.context["adminform"].form.errors == {"user": [UNKNOWN_ACCOUNT]}
    assert list(OrganizationAdmin.objects.values_list("user__username", flat=True)) == [
        organization_admin.username
    ]


def test_a_steward_sees_the_members_of_their_space_but_cannot_add_any(
    steward_client, steward, space, other_space, other_steward
):
    listed = steward_client.get(MEMBERSHIPS)
    add_page = steward_client.get(ADD_MEMBERSHIP)
    membership = Membership.objects.get(user=steward)
    change = steward_client.post(reverse("admin:tenancy_membership_change",
                                         args=[membership.pk]), {"role": Role.ADMIN})

    assert [item.user for item in listed.context["cl"].result_list] == [steward]
    assert add_page.status_code == 403
    assert change.status_code == 403
    assert _roles(space) == {steward.username: "steward"}


def test_a_space_admin_manages_the_members_of_their_space_only(client, organization, space,
                                                               newcomer):
    second_space = factories.SpaceFactory(organization=organization)
    space_admin = factories.MembershipFactory(space=space, role=Role.ADMIN).user
    factories.MembershipFactory(space=second_space, user=space_admin, role=Role.STEWARD)
    client.force_login(space_admin)

    add_page = client.get(ADD_MEMBERSHIP)
    refused = client.post(ADD_MEMBERSHIP, {"space": second_space.pk, "user": "newcomer",
                                           "role": Role.VIEWER})
    added = client.post(ADD_MEMBERSHIP, {"space": space.pk, "user": "newcomer",
                                         "role": Role.VIEWER})

    assert list(add_page.context["adminform"].form.fields["space"].queryset) == [space]
    assert list(refused.context["adminform"].form.errors) == ["space"]
    assert added.status_code == 302
    assert _roles(space)["newcomer"] == "viewer"


def test_another_spaces_membership_is_not_found(client, organization_admin, other_steward):
    client.force_login(organization_admin)
    foreign = Membership.objects.get(user=other_steward)

    response = client.get(reverse("admin:tenancy_membership_change", args=[foreign.pk]))

    assert response.status_code == 404


def test_an_organization_admin_adds_the_first_space_but_cannot_make_it_the_default(
    client, organization, organization_admin
):
    client.force_login(organization_admin)

    listed = client.get(reverse("admin:tenancy_space_changelist"))
    response = client.post(reverse("admin:tenancy_space_add"), {
        "organization": organization.pk, "name": "Loyalty", "slug": "loyalty",
        "description": "", "is_default": "on",
    })

    assert list(listed.context["cl"].result_list) == []
    assert response.status_code == 302
    assert Space.objects.get(slug="loyalty").is_default is False


def test_organizations_and_their_admins_are_listed_for_the_users_organizations_only(
    client, organization, other_organization, organization_admin
):
    factories.OrganizationAdminFactory(organization=other_organization)
    client.force_login(organization_admin)

    organizations = client.get(reverse("admin:tenancy_organization_changelist"))
    administrators = client.get(reverse("admin:tenancy_organizationadmin_changelist"))
    hidden = client.get(reverse("admin:tenancy_organization_change",
                                args=[other_organization.pk]))

    assert list(organizations.context["cl"].result_list) == [organization]
    assert [item.user for item in administrators.context["cl"].result_list] == [
        organization_admin
    ]
    assert hidden.status_code == 404


def test_an_organization_admin_names_another_admin_of_their_organization_only(
    client, organization, other_organization, organization_admin, newcomer
):
    client.force_login(organization_admin)
    add_url = reverse("admin:tenancy_organizationadmin_add")

    refused = client.post(add_url, {"organization": other_organization.pk, "user": "newcomer"})
    added = client.post(add_url, {"organization": organization.pk, "user": "newcomer"})

    assert list(refused.context["adminform"].form.errors) == ["organization"]
    assert added.status_code == 302
    assert set(OrganizationAdmin.objects.values_list("organization", "user__username")) == {
        (organization.pk, organization_admin.username), (organization.pk, "newcomer")
    }


def test_a_steward_cannot_manage_organizations_or_their_admins(steward_client, organization):
    change = steward_client.post(reverse("admin:tenancy_organization_change",
                                         args=[organization.pk]), {"name": "Renamed",
                                                                   "slug": "renamed"})
    add_admin = steward_client.get(reverse("admin:tenancy_organizationadmin_add"))

    assert (change.status_code, add_admin.status_code) == (403, 403)
    organization.refresh_from_db()
    assert organization.name == "Cathay Data"


def test_the_sign_in_page_lists_no_workspace_for_an_anonymous_visitor(client, space):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert response.context["available_apps"] == []


def test_a_superuser_brings_a_new_account_into_a_space(client, space, other_space):
    factories.UserFactory(username="loner")
    client.force_login(factories.UserFactory(username="root", is_superuser=True))

    response = client.post(ADD_MEMBERSHIP, {"space": space.pk, "user": "loner",
                                            "role": Role.VIEWER})

    assert response.status_code == 302
    assert (_roles(space), _roles(other_space)) == ({"loner": "viewer"}, {})
