"""Loading contract files safely: limits, encodings, YAML that is not plain data, broken JSON."""

import subprocess
import sys
from pathlib import Path, PurePath

import pytest

from contracts.documents.errors import DocumentError, SourceLocation
from contracts.documents.loading import load_document, load_document_bytes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pycharter"
LIMIT = 1_000_000


def load_yaml_text(content: bytes, name: str = "contract.yaml"):
    return load_document_bytes(content, path=PurePath(name), max_bytes=LIMIT)


def test_every_fixture_loads_as_a_mapping_with_line_numbers():
    # given the PyCharter fixtures
    paths = sorted(FIXTURES.glob("*.yaml"))

    # when each is loaded
    documents = [load_document(path, max_bytes=LIMIT) for path in paths]

    # then each is a mapping, and the contract's fields know their lines
    assert [type(document.data) for document in documents] == [dict] * 5
    contract = next(
        document for document in documents if document.path.name == "member_contract.yaml"
    )
    assert contract.location_of(("metadata", "ownership", "it_sme")) == SourceLocation(139, 5)
    assert contract.location_of(("schema", "properties", "age", "coercion")) == SourceLocation(
        53, 7
    )


def test_location_of_an_unwritten_field_is_its_nearest_written_parent():
    # given a document without metadata.status
    document = load_yaml_text(b"name: x\nmetadata:\n  version: '1.0.0'\n")

    # when the location of a missing field is asked
    location = document.location_of(("metadata", "status"))

    # then it is the line of `metadata`
    assert location == SourceLocation(2, 1)


def test_a_file_over_the_limit_is_refused(tmp_path):
    # given a file of 200 bytes
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 197)

    # when it is loaded with a limit of 100 bytes
    with pytest.raises(DocumentError) as caught:
        load_document(path, max_bytes=100)

    # then the error names the file and the limit
    assert str(caught.value) == f"{path}: the file is larger than the limit of 100 bytes"


def test_a_missing_file_is_a_document_error(tmp_path):
    # given a path where nothing is
    path = tmp_path / "absent.yaml"

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_document(path, max_bytes=LIMIT)

    # then the error says why, without a traceback
    assert str(caught.value) == f"{path}: cannot read the file: No such file or directory"


def test_a_utf8_byte_order_mark_is_accepted_and_stripped():
    # given UTF-8 text with a byte order mark and a non-ASCII value
    content = "\ufeffname: café\n".encode()

    # when it is loaded
    document = load_yaml_text(content)

    # then the mark is gone and the text kept
    assert document.data == {"name": "café"}


def test_latin1_text_is_refused_with_the_line_and_column_of_the_first_bad_byte():
    # given Latin-1 text on line 2
    content = "name: x\ndescription: café\n".encode("latin-1")

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content)

    # then the error says it is not UTF-8, and where
    assert str(caught.value) == (
        "contract.yaml, line 2, column 17: the file is not UTF-8 (byte 0xe9): save it as UTF-8"
    )


def test_utf16_text_is_refused():
    # given UTF-16 text (with its byte order mark)
    content = "name: x\n".encode("utf-16")

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content)

    # then the error names the encoding problem
    assert str(caught.value) == (
        "contract.yaml: the file is not UTF-8 (it looks like UTF-16 or UTF-32): save it as UTF-8"
    )


def test_a_python_tag_is_refused():
    # given YAML that would run a command under an unsafe loader
    content = b"name: !!python/object/apply:os.system ['echo hacked']\n"

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content)

    # then the tag is named as not allowed, with its line and column
    assert str(caught.value) == (
        "contract.yaml, line 1, column 7: the tag !!python/object/apply:os.system is not "
        "allowed: a contract document holds plain data only"
    )


def test_billion_laughs_is_refused_at_the_first_alias():
    # given the classic exponential alias expansion
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    content = "\n".join(lines).encode()

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content)

    # then nothing is expanded: the first alias is refused
    assert str(caught.value) == (
        "contract.yaml, line 2, column 8: aliases (*name) are not allowed in a contract "
        "document: write the value out"
    )


def test_a_key_written_twice_is_refused():
    # given a mapping with `version` twice
    content = b"name: x\nversion: '1.0.0'\nversion: '2.0.0'\n"

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content)

    # then the second one is pointed at
    assert (
        str(caught.value) == "contract.yaml, line 3, column 1: the key 'version' is written twice"
    )


def test_a_key_yaml_reads_as_a_boolean_is_refused():
    # given a property named `on`, which YAML 1.1 reads as true
    content = b"properties:\n  on:\n    type: string\n"

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content)

    # then the author is told to quote it
    assert (
        str(caught.value)
        == "contract.yaml, line 2, column 3: the key 'on' is read as bool: quote it"
    )


def test_unquoted_timestamps_stay_the_text_that_was_written():
    # given unquoted dates and times
    content = b"created_at: 2025-01-01T00:00:00Z\nday: 2025-01-01\n"

    # when it is loaded
    document = load_yaml_text(content)

    # then they are text, as they would be in JSON
    assert document.data == {"created_at": "2025-01-01T00:00:00Z", "day": "2025-01-01"}


def test_broken_yaml_names_the_line():
    # given a mapping indented wrongly
    content = b"metadata:\n  ownership:\n    - a\n   team: x\n"

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content)

    # then the error is YAML's own problem, with line and column, and no traceback
    message = str(caught.value)
    assert message.startswith("contract.yaml, line 4, column 4: not valid YAML: ")
    assert "Traceback" not in message


def test_truncated_json_says_the_file_may_be_truncated():
    # given JSON cut off in the middle
    content = b'{"name": "x",\n "schema": {"type": "object"'

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content, name="contract.json")

    # then the error gives the line and column and suggests truncation
    assert str(caught.value) == (
        "contract.json, line 2, column 29: not valid JSON: Expecting ',' delimiter "
        "(the text ends early: is the file truncated?)"
    )


def test_json_with_a_duplicate_key_is_refused():
    # given a JSON object with `name` twice
    content = b'{"name": "a", "name": "b"}'

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content, name="contract.json")

    # then the key is named
    assert (
        str(caught.value)
        == "contract.json, field name: this key is written twice in the same object"
    )


def test_deeply_nested_input_is_refused_without_a_recursion_traceback():
    # given 50,000 nested lists, in YAML and in JSON
    content = b"[" * 50_000

    # when each is loaded
    errors = []
    for name in ("deep.yaml", "deep.json"):
        with pytest.raises(DocumentError) as caught:
            load_yaml_text(content, name=name)
        errors.append(str(caught.value))

    # then both say so
    assert errors == [
        "deep.yaml: the document is nested too deeply",
        "deep.json: the document is nested too deeply",
    ]


def test_an_unknown_suffix_is_refused():
    # given a text file
    content = b"name: x\n"

    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content, name="contract.txt")

    # then the accepted types are listed
    assert str(caught.value) == (
        "contract.txt: unsupported file type '.txt': expected .yaml, .yml or .json"
    )


def test_the_package_does_not_import_django():
    # given a fresh interpreter
    code = (
        "import sys, contracts.documents, contracts.documents.odcs;"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'django'))"
    )

    # when the document package is imported
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )

    # then no Django module was loaded
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("contract.json", b'{"name": "orders", "metadata": {"title": "a\\u0000b"}}',
         "contract.json, field metadata.title: contains a NUL character"),
        ("contract.json", b'{"name": "orders", "owners": ["\\ud800"]}',
         "contract.json, field owners[0]: contains a lone surrogate (U+D800), which is not a "
         "character: the text was cut from a UTF-16 pair"),
        ("contract.json", b'{"name": "orders", "a\\u0000": 1}',
         "contract.json, field a\\u0000: its name contains a NUL character"),
        ("contract.yaml", b'name: orders\nmetadata:\n  title: "a\\0b"\n',
         "contract.yaml, line 3, column 3, field metadata.title: contains a NUL character"),
    ],
)
def test_text_that_cannot_be_stored_is_refused_with_its_field(name, content, expected):
    # given a NUL character or half a UTF-16 pair, escaped in valid JSON or YAML
    # when it is loaded
    with pytest.raises(DocumentError) as caught:
        load_yaml_text(content, name=name)

    # then the error names the file, line and field, and can itself be printed
    assert str(caught.value) == expected
    str(caught.value).encode("utf-8")

