"""My work: what is assigned to the signed-in steward and the contracts they own."""

import pytest

from contracts.models import MetadataRecordITSME
from tests import factories
from tests.quality.admin.helpers import admin_url, violation_url

pytestmark = pytest.mark.usefixtures("unscoped")

MY_WORK_URL = admin_url("qualityviolation", "my_work")


def test_my_work_lists_my_assignments_and_my_contracts_that_need_attention(
    contract, space, steward, steward_client, colleague, other_space
):
    mine = factories.QualityViolationFactory(data_contract=contract, assignee=steward,
                                             status="assigned", record_identifier="mine")
    factories.QualityViolationFactory(data_contract=contract, assignee=colleague,
                                      status="assigned", record_identifier="not_mine")
    record = factories.MetadataRecordFactory(data_contract=contract)
    contract.metadata_record = record
    contract.save()
    owner = factories.OwnerFactory(organization=space.organization, id=steward.username)
    MetadataRecordITSME.objects.create(metadata_record=record, owner=owner)

    response = steward_client.get(MY_WORK_URL)

    assert response.status_code == 200
    work = response.context["work"]
    assert work.assigned == [mine]
    assert [(owned.contract, owned.roles, owned.unresolved_violation_count)
            for owned in work.contracts_needing_attention] == [(contract, ["IT SME"], 2)]
    assert f'href="{violation_url(mine)}"'.encode() in response.content
    assert b"not_mine" not in response.content
    assert b"<td>IT SME</td>" in response.content


def test_with_nothing_to_do_the_page_says_so(steward_client):
    response = steward_client.get(MY_WORK_URL)

    assert b"Nothing is assigned to you." in response.content
    assert b"You hold no ownership role on a current contract" in response.content


def test_signing_in_is_required(client):
    response = client.get(MY_WORK_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
