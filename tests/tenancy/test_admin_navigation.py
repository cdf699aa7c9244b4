"""The admin's navigation sidebar: kept per user and rights, so it follows a change of rights
at once, and it marks the page's own section."""

import pytest
from django.contrib.auth import get_user_model

from tenancy.models import Membership

pytestmark = pytest.mark.usefixtures("unscoped")

CONTRACT_ADD_LINK = 'href="/admin/contracts/datacontract/add/" class="addlink"'


def _sidebar(client, url):
    page = client.get(url).content.decode()
    start = page.index('<nav class="sticky" id="nav-sidebar"')
    return page[start:page.index("</nav>", start)]


def test_the_sidebar_marks_the_section_of_the_page(client, steward):
    client.force_login(steward)

    violations = _sidebar(client, "/admin/quality/qualityviolation/")
    contracts = _sidebar(client, "/admin/contracts/datacontract/")

    assert ('<a href="/admin/quality/qualityviolation/" aria-current="page">'
            in violations)
    assert 'aria-current="page"' not in violations.replace(
        '<a href="/admin/quality/qualityviolation/" aria-current="page">', "")
    assert '<a href="/admin/contracts/datacontract/" aria-current="page">' in contracts
    assert '<a href="/admin/quality/qualityviolation/" aria-current="page">' not in contracts


def test_the_sidebar_follows_a_change_of_role_at_once(client, viewer, space):
    client.force_login(viewer)
    assert CONTRACT_ADD_LINK not in _sidebar(client, "/admin/contracts/datacontract/")

    Membership.objects.filter(user=viewer, space=space).update(role="steward")

    assert CONTRACT_ADD_LINK in _sidebar(client, "/admin/contracts/datacontract/")


def test_the_sidebar_is_each_users_own(client, steward, other_steward, space, other_space):
    get_user_model().objects.filter(pk=other_steward.pk).update(is_superuser=True)
    client.force_login(other_steward)
    superuser_sidebar = _sidebar(client, "/admin/contracts/datacontract/")
    client.force_login(steward)

    steward_sidebar = _sidebar(client, "/admin/contracts/datacontract/")

    assert "/admin/auth/user/" in superuser_sidebar
    assert "/admin/auth/user/" not in steward_sidebar
