"""Comments, attachments and annotations: on any object, in its tenant, gone with it."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from contracts.models import DataContract
from tenancy.models import Annotation, Attachment, Comment
from tenancy.shared import annotation_add, attachment_add, comment_add, safe_filename
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ZIP = b"PK\x03\x04" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def contract(space):
    return factories.SchemaFactory(data_contract__space=space).data_contract


def _with_schema(contract):
    contract.schema = contract.schemas.get()
    contract.save()
    return contract


def test_a_comment_belongs_to_its_targets_space(contract, steward, space):
    comment = comment_add(target=contract, author=steward, body="Owner confirmed the fix.")

    assert (comment.space_id, comment.organization_id) == (space.pk, space.organization_id)
    assert comment.target == contract


def test_reference_data_with_a_string_key_can_carry_comments(space, steward):
    owner = factories.OwnerFactory(organization=space.organization, id="ops-team")

    comment = comment_add(target=owner, author=steward, body="Team renamed in March.")

    assert (comment.object_id, comment.space_id) == ("ops-team", None)
    assert comment.organization_id == space.organization_id


def test_an_empty_comment_is_refused(contract, steward):
    with pytest.raises(ValidationError, match="cannot be empty"):
        comment_add(target=contract, author=steward, body="   ")


def test_an_object_that_was_deleted_cannot_get_a_comment(contract, steward):
    DataContract.objects.filter(pk=contract.pk).delete()

    with pytest.raises(ValidationError, match="no longer exists"):
        comment_add(target=contract, author=steward, body="Too late")


def test_annotations_pin_to_fields_of_the_schema(contract, steward):
    contract = _with_schema(contract)

    annotation = annotation_add(target=contract, author=steward, field_name="user_id",
                                kind="pii", text="Pseudonymous, still personal data")

    assert annotation.get_kind_display() == "PII"
    with pytest.raises(ValidationError, match="'nickname' is not a field of the schema"):
        annotation_add(target=contract, author=steward, field_name="nickname", kind="note")


def test_an_attachment_keeps_the_sniffed_type_and_a_safe_name(contract, steward):
    upload = SimpleUploadedFile("../../etc/evidence.txt", PNG, content_type="text/plain")

    attachment = attachment_add(target=contract, author=steward, uploaded_file=upload)

    assert attachment.content_type_sniffed == "image/png"
    assert attachment.filename == "evidence.txt"
    assert attachment.file.read() == PNG


@pytest.mark.parametrize(
    ("name", "expected"),
    [("../../etc/passwd", "passwd"), ("C:\\temp\\report.pdf", "report.pdf"),
     ("<script>x.csv", "scriptx.csv"), ("..", "attachment"),
     ("a" * 300 + ".pdf", "a" * 196 + ".pdf")],
)
def test_filenames_are_sanitised(name, expected):
    assert safe_filename(name) == expected


def test_a_type_outside_the_allow_list_is_refused(contract, steward):
    upload = SimpleUploadedFile("data.csv", ZIP)

    with pytest.raises(ValidationError, match="Files of type application/zip are not accepted"):
        attachment_add(target=contract, author=steward, uploaded_file=upload)

    assert Attachment.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(contract, steward, settings):
    settings.PYCHARTER_MAX_ATTACHMENT_BYTES = 10

    with pytest.raises(ValidationError, match="the limit is 10 bytes"):
        attachment_add(target=contract, author=steward,
                       uploaded_file=SimpleUploadedFile("notes.txt", b"more than ten bytes"))


def test_deleting_the_target_deletes_its_comments_attachments_and_annotations(
    contract, steward, media_root
):
    contract = _with_schema(contract)
    comment_add(target=contract, author=steward, body="See the attached profile.")
    attachment = attachment_add(target=contract, author=steward,
                                uploaded_file=SimpleUploadedFile("profile.png", PNG))
    annotation_add(target=contract, author=steward, field_name="age", kind="question")
    stored = attachment.file.path

    contract.delete()

    assert (Comment.objects.count(), Attachment.objects.count(), Annotation.objects.count()) == (
        0, 0, 0
    )
    assert not __import__("os").path.exists(stored)


def test_check_integrity_finds_and_fixes_orphans_left_by_raw_sql(contract, steward):
    comment = comment_add(target=contract, author=steward, body="Orphan to be")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM schemas")
        cursor.execute("DELETE FROM data_contracts")
    output = io.StringIO()

    with pytest.raises(SystemExit) as exit_info:
        call_command("check_integrity", stdout=output, stderr=io.StringIO())
    assert exit_info.value.code == 1
    assert f"orphan comment {comment.id}: contracts.datacontract {contract.pk}" in output.getvalue()

    call_command("check_integrity", "--fix", stdout=io.StringIO())
    assert Comment.objects.count() == 0


@pytest.fixture
def attachment(contract, steward):
    return attachment_add(target=contract, author=steward,
                          uploaded_file=SimpleUploadedFile("profile.png", PNG))


def test_members_download_attachments_through_the_checking_view(client, attachment, viewer):
    client.force_login(viewer)

    response = client.get(f"/attachments/{attachment.id}/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="profile.png"'
    assert b"".join(response.streaming_content) == PNG


def test_another_spaces_user_gets_a_404(client, attachment, other_steward):
    client.force_login(other_steward)

    assert client.get(f"/attachments/{attachment.id}/").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, attachment):
    response = client.get(f"/attachments/{attachment.id}/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("name", "content", "sniffed"),
    [("chart.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
                   b"<script>alert(1)</script></svg>", "image/svg+xml"),
     ("notes.txt", b"\xef\xbb\xbf  <!DOCTYPE html><html><body onload=alert(1)>", "text/html"),
     ("report.csv", b"<script>alert(1)</script>", "text/html")],
)
def test_svg_and_html_uploads_are_refused_whatever_their_name(
    contract, steward, name, content, sniffed
):
    refused = re.escape(f"Files of type {sniffed} are not accepted")
    with pytest.raises(ValidationError, match=refused):
        attachment_add(target=contract, author=steward,
                       uploaded_file=SimpleUploadedFile(name, content))

    assert Attachment.objects.count() == 0


def test_text_that_only_mentions_markup_is_still_text(contract, steward):
    upload = SimpleUploadedFile("notes.txt", b"The page used <svg> icons and <script> tags.")

    attachment = attachment_add(target=contract, author=steward, uploaded_file=upload)

    assert attachment.content_type_sniffed == "text/plain"


@pytest.mark.parametrize(
    ("stored_type", "served_type"),
    [("text/html", "application/octet-stream"), ("image/svg+xml", "application/octet-stream"),
     ("application/json", "application/octet-stream"), ("image/png", "image/png")],
)
def test_downloads_are_attachments_of_a_type_the_browser_cannot_run(
    client, attachment, viewer, stored_type, served_type
):
    # Rows stored before markup was refused, or written by another PyCharter tool.
    Attachment.objects.filter(pk=attachment.pk).update(content_type_sniffed=stored_type)
    client.force_login(viewer)

    response = client.get(f"/attachments/{attachment.id}/")

    assert response.status_code == 200
    assert response["Content-Type"] == served_type
    assert response["Content-Disposition"] == 'attachment; filename="profile.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
