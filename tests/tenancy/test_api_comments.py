"""Comments on any object over HTTP: an object's thread, within the token's space."""

import pytest

from tenancy.models import Comment
from tests.api_helpers import results, token_client
from tests.factories import DataContractFactory, OwnerFactory, QualityViolationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(space):
    return token_client(space)


@pytest.fixture
def contract(space, unscoped):
    return DataContractFactory(space=space, name="flights")


@pytest.fixture
def theirs(other_space, unscoped):
    return DataContractFactory(space=other_space, name="flights")


def _their_comments(other_space):
    return list(Comment._base_manager.filter(organization=other_space.organization)
                .order_by("pk").values())


def test_a_comment_on_a_contract_joins_its_thread(space, steward, contract, unscoped):
    api = token_client(space, user=steward)
    posted = api.post("/api/v1/comments/", {"object_type": "contract",
                                            "object_id": str(contract.pk),
                                            "body": " Fares arrive late on Mondays. "},
                      format="json")
    api.post("/api/v1/comments/", {"object_type": "contract", "object_id": str(contract.pk),
                                   "body": "Second."}, format="json")

    thread = results(api.get("/api/v1/comments/", {"object_type": "contract",
                                                   "object_id": str(contract.pk)}))

    assert posted.status_code == 201
    assert [row["body"] for row in thread] == ["Fares arrive late on Mondays.", "Second."]
    assert thread[0]["object_id"] == str(contract.pk)
    assert thread[0]["author"] == steward.username


def test_violations_and_reference_data_take_comments_too(api, space, contract, unscoped):
    violation = QualityViolationFactory(data_contract=contract)
    owner = OwnerFactory(organization=space.organization, id="ops@example.com")

    for object_type, object_id in (("violation", str(violation.pk)), ("owner", owner.pk)):
        response = api.post("/api/v1/comments/", {"object_type": object_type,
                                                  "object_id": object_id, "body": "Seen."},
                            format="json")
        assert response.status_code == 201

    assert sorted(Comment.objects.values_list("object_id", flat=True)) == sorted(
        [str(violation.pk), owner.pk])


def test_another_space_object_answers_the_same_404_as_a_missing_one(api, other_space, theirs,
                                                                    unscoped):
    before = _their_comments(other_space)

    listed = api.get("/api/v1/comments/", {"object_type": "contract",
                                           "object_id": str(theirs.pk)})
    posted = api.post("/api/v1/comments/", {"object_type": "contract",
                                            "object_id": str(theirs.pk), "body": "Mine now."},
                      format="json")
    missing = api.get("/api/v1/comments/", {"object_type": "contract",
                                            "object_id": "00000000-0000-0000-0000-000000000000"})

    assert (listed.status_code, listed.json()) == (404, {"detail": "Not found."})
    assert (posted.status_code, posted.json()) == (404, {"detail": "Not found."})
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
    assert _their_comments(other_space) == before


def test_an_unknown_type_an_empty_body_and_a_read_only_token_are_refused(space, api, contract):
    target = {"object_type": "contract", "object_id": str(contract.pk)}

    unknown = api.get("/api/v1/comments/", {**target, "object_type": "space"})
    empty = api.post("/api/v1/comments/", {**target, "body": "   "}, format="json")
    read_only = token_client(space, can_write=False).post(
        "/api/v1/comments/", {**target, "body": "Hello."}, format="json")

    assert (unknown.status_code, unknown.json()) == (400, {"object_type": [
        "One of contract, domain, metric, owner, system, violation."]})
    assert (empty.status_code, empty.json()) == (400, {"body": ["This field may not be blank."]})
    assert read_only.status_code == 403
    assert Comment._base_manager.count() == 0
