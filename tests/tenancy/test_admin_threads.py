"""The thread on contract and violation pages: comments, attachments, annotations by field."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tenancy.models import Annotation, Attachment, Comment
from tenancy.shared import annotation_add, attachment_add, comment_add
from tests import factories
from tests.contracts.admin.contract_graph import contract_with_parts

pytestmark = pytest.mark.usefixtures("unscoped")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ZIP = b"PK\x03\x04" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def contract(space):
    return contract_with_parts(space)


def _signed_in(client, user):
    client.force_login(user)
    return client


def _page(contract):
    return reverse("admin:contracts_datacontract_change", args=[contract.pk])


def _thread_url(contract, kind):
    return reverse(f"admin:contracts_datacontract_thread_{kind}", args=[contract.pk])


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def test_the_contract_page_shows_its_comments_attachments_and_annotations(
    client, steward, contract
):
    comment_add(target=contract, author=steward, body="Fare is in cents.")
    attachment = attachment_add(target=contract, author=steward,
                                uploaded_file=SimpleUploadedFile("proof.png", PNG))
    annotation_add(target=contract, author=steward, field_name="fare", kind="note",
                   text="Always positive")

    response = _signed_in(client, steward).get(_page(contract))

    thread = response.context["thread"]
    assert [comment.body for comment in thread.comments] == ["Fare is in cents."]
    assert [(name, [str(a) for a in annotations]) for name, annotations in
            thread.annotation_rows] == [("booking_id", []), ("cabin", []),
                                        ("fare", ["fare: Note"])]
    content = response.content.decode()
    assert f'href="/attachments/{attachment.pk}/"' in content
    assert "Always positive" in content
    assert f'action="{_thread_url(contract, "comment")}"' in content
    assert '<option value="cabin">cabin</option>' in content


def test_a_steward_adds_a_comment_and_returns_to_the_thread(client, steward, contract):
    response = _signed_in(client, steward).post(_thread_url(contract, "comment"),
                                                {"body": "Checked with the owner."})

    assert response.status_code == 302
    assert response["Location"] == _page(contract) + "#thread"
    assert list(Comment.objects.values_list("body", "author")) == [
        ("Checked with the owner.", steward.pk)
    ]


def test_an_empty_comment_comes_back_as_a_message(client, steward, contract):
    response = _signed_in(client, steward).post(_thread_url(contract, "comment"),
                                                {"body": "  "}, follow=True)

    assert _messages(response) == ["A comment cannot be empty."]
    assert Comment.objects.count() == 0


def test_a_steward_uploads_an_attachment(client, steward, contract):
    upload = SimpleUploadedFile("evidence.png", PNG, content_type="image/png")

    _signed_in(client, steward).post(_thread_url(contract, "attachment"), {"file": upload})

    assert list(Attachment.objects.values_list("filename", "content_type_sniffed")) == [
        ("evidence.png", "image/png")
    ]


def test_a_refused_file_type_comes_back_as_a_message(client, steward, contract, settings):
    settings.PYCHARTER_ATTACHMENT_TYPES = ["image/png"]
    upload = SimpleUploadedFile("archive.zip", ZIP)

    response = _signed_in(client, steward).post(_thread_url(contract, "attachment"),
                                                {"file": upload}, follow=True)

    assert _messages(response) == [
        "Files of type application/zip are not accepted (allowed: image/png)."
    ]
    assert Attachment.objects.count() == 0


def test_a_steward_annotates_a_schema_field(client, steward, contract):
    _signed_in(client, steward).post(_thread_url(contract, "annotation"),
                                     {"field_name": "booking_id", "kind": "pii", "text": "id"})

    assert list(Annotation.objects.values_list("field_name", "kind", "text")) == [
        ("booking_id", "pii", "id")
    ]


def test_an_unknown_field_comes_back_as_a_message(client, steward, contract):
    response = _signed_in(client, steward).post(
        _thread_url(contract, "annotation"), {"field_name": "nickname", "kind": "note"},
        follow=True,
    )

    assert _messages(response) == [
        "'nickname' is not a field of the schema (booking_id, cabin, fare)."
    ]


def test_a_viewer_reads_the_thread_but_cannot_add_to_it(client, viewer, steward, contract):
    comment_add(target=contract, author=steward, body="Visible to viewers")
    client = _signed_in(client, viewer)

    page = client.get(_page(contract))
    posted = client.post(_thread_url(contract, "comment"), {"body": "Me too"})

    assert "Visible to viewers" in page.content.decode()
    assert _thread_url(contract, "comment") not in page.content.decode()
    assert posted.status_code == 403
    assert Comment.objects.count() == 1


def test_another_spaces_contract_has_no_thread_for_this_steward(client, steward, other_space):
    foreign = contract_with_parts(other_space)

    response = _signed_in(client, steward).post(_thread_url(foreign, "comment"), {"body": "x"})

    assert response.status_code == 404
    assert Comment.objects.count() == 0


def test_the_thread_takes_posts_only(client, steward, contract):
    response = _signed_in(client, steward).get(_thread_url(contract, "comment"))

    assert response.status_code == 405


def test_the_violation_page_has_the_thread(client, steward, space):
    violation = factories.QualityViolationFactory(data_contract__space=space)
    client = _signed_in(client, steward)
    url = reverse("admin:quality_qualityviolation_thread_comment", args=[violation.pk])

    client.post(url, {"body": "Fixed upstream."})
    page = client.get(reverse("admin:quality_qualityviolation_change", args=[violation.pk]))

    assert [comment.body for comment in page.context["thread"].comments] == ["Fixed upstream."]
    assert "Fixed upstream." in page.content.decode()
    assert not page.context["thread"].supports_annotations


def test_the_contract_page_runs_as_many_queries_for_one_thread_item_as_for_many(
    client, steward, contract
):
    client = _signed_in(client, steward)

    def add(count):
        for number in range(count):
            comment_add(target=contract, author=steward, body=f"comment {number}")
            attachment_add(target=contract, author=steward,
                           uploaded_file=SimpleUploadedFile(f"f{number}.png", PNG))
            annotation_add(target=contract, author=steward, field_name="fare", kind="note")

    add(1)
    client.get(_page(contract))
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(_page(contract)).status_code == 200
    add(30)
    client.get(_page(contract))  # the navigation kept between requests, built again
    with CaptureQueriesContext(connection) as with_many:
        assert client.get(_page(contract)).status_code == 200

    assert len(with_many) == len(with_one)


def test_the_thread_keeps_what_a_deleted_user_wrote_in_order(client, steward, space, contract):
    author = factories.MembershipFactory(space=space, role="steward").user
    comment_add(target=contract, author=author, body="First, by someone who left.")
    comment_add(target=contract, author=steward, body="Second.")
    author.delete()

    page = _signed_in(client, steward).get(_page(contract)).content.decode()

    assert "deleted user" in page
    assert page.index("First, by someone who left.") < page.index("Second.")
    thread = page[page.index('id="thread"'):]
    assert f"<strong>{steward.get_username()}</strong>" in thread
