"""Reading files uploaded to the admin's import pages: the commands' limits, safe loaders and
messages, and nothing written or confirmed when a file cannot be read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import DataContract, Owner
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")

OWNER_IMPORT_URL = reverse("admin:contracts_owner_import")
CONTRACT_FILE_URL = reverse("admin:contracts_datacontract_import_contract_file")
FORMAT = {".csv": "0", ".json": "1", ".yaml": "2"}


def _preview(client, space, name, content):
    return client.post(OWNER_IMPORT_URL, {
        "space": space.pk, "format": FORMAT[name[name.rindex("."):]], "resource": "0",
        "import_file": SimpleUploadedFile(name, content),
    })


def _owners():
    return sorted(Owner.objects.values_list("pk", "name", "organization_id"))


@pytest.fixture
def theirs(other_space):
    factories.OwnerFactory(organization=other_space.organization, id="theirs", name="Theirs")
    return _owners()


BILLION_LAUGHS = "\n".join(
    ['- id: a\n  name: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
        f"- id: {level}\n  name: &{level} [" + ",".join([f"*{chr(ord(level) - 1)}"] * 9) + "]"
        for level in "bcdefghi"
    ]
).encode()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("owners.csv", b"id,name\nada,Ada\nzoe,Zo\x00e\n",
         "owners.csv: row 2, field name: contains a NUL character"),
        ("owners.json", b'[{"id": "ada", "name": "Ada"}, {"id": "zoe", "name": "Zo\\u0000e"}]',
         "owners.json, field [1].name: contains a NUL character"),
        ("owners.json", b'[{"id": "zoe", "name": "\\ud800"}]',
         "owners.json, field [0].name: contains a lone surrogate (U+D800), which is not a "
         "character: the text was cut from a UTF-16 pair"),
        ("owners.yaml", b'- id: zoe\n  name: "Zo\\0e"\n',
         "owners.yaml, line 2, column 3, field [0].name: contains a NUL character"),
        ("owners.csv", "id,name\nada,Ada\nzoe,Zoé\n".encode("latin-1"),
         "owners.csv, line 3, column 7: the file is not UTF-8 (byte 0xe9): save it as UTF-8"),
        ("owners.json", b'[{"id": "ada", "name": "Ada"},\n {"id": "zoe",',
         "owners.json, line 2, column 15: not valid JSON: Expecting property name enclosed in "
         "double quotes (the text ends early: is the file truncated?)"),
        ("owners.yaml", b"- id: !!python/object/apply:os.system ['echo hacked']\n",
         "owners.yaml, line 1, column 7: the tag !!python/object/apply:os.system is not "
         "allowed: a contract document holds plain data only"),
        ("owners.yaml", BILLION_LAUGHS,
         "owners.yaml, line 4, column 13: aliases (*name) are not allowed in a contract "
         "document: write the value out"),
        ("owners.json", b"[" * 50_000, "owners.json: the document is nested too deeply"),
    ],
)
def test_an_unreadable_upload_gets_the_commands_message_and_writes_nothing(
    steward_client, space, theirs, name, content, expected
):
    # given a file that cannot be read as it is written
    # when a steward previews its import
    response = _preview(steward_client, space, name, content)

    # then the page names the file, line and field, nothing can be confirmed or was written
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [expected]
    assert "confirm_form" not in response.context
    assert _owners() == theirs


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(
    steward_client, space, settings, theirs
):
    settings.PYCHARTER_MAX_IMPORT_BYTES = 20

    response = _preview(steward_client, space, "owners.csv", b"id,name\nada,Ada\nzoe,Zoe\n")

    assert response.context["form"].errors["import_file"] == [
        "owners.csv: the file is larger than the limit of 20 bytes"
    ]
    assert _owners() == theirs


def test_an_upload_over_the_row_limit_is_sent_to_the_command(
    steward_client, space, settings, theirs
):
    settings.PYCHARTER_ADMIN_IMPORT_MAX_ROWS = 1

    response = _preview(steward_client, space, "owners.csv", b"id,name\nada,Ada\nzoe,Zoe\n")

    assert response.context["form"].errors["import_file"] == [
        "owners.csv: the file has 2 rows, more than the limit of 1 for an import from the "
        "browser: import it with `manage.py import_data`"
    ]
    assert _owners() == theirs


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b'{"name": "orders", "version": "1.0.0", "description": "a\\u0000b"}',
      "orders.json, field description: contains a NUL character"),
     (b'{"name": "orders", "version": "1.0.0", "description": "\\udc80"}',
      "orders.json, field description: contains a lone surrogate (U+DC80), which is not a "
      "character: the text was cut from a UTF-16 pair")],
)
def test_import_contract_file_refuses_text_that_cannot_be_stored(
    steward_client, space, other_space, content, expected
):
    factories.DataContractFactory(space=other_space, name="orders", version="1.0.0")

    response = steward_client.post(CONTRACT_FILE_URL, {
        "space": space.pk, "contract_file": SimpleUploadedFile("orders.json", content),
    })

    assert response.status_code == 200
    assert response.context["errors"] == [expected]
    assert list(DataContract.objects.values_list("space_id", "name")) == [
        (other_space.pk, "orders")
    ]
