"""One uploaded contract file read into `ParsedDocuments`: the admin's "Import contract file".

The same reading as `import_contract` with one file: a PyCharter whole-contract document
(YAML or JSON) or an Open Data Contract Standard v3 document, told apart by ODCS's
`apiVersion`. Errors are `DocumentError`s naming the upload's file name, line and field.
"""

from pathlib import PurePosixPath

from contracts.documents.bundle import ParsedDocuments
from contracts.documents.loading import LoadedDocument, load_document_bytes
from contracts.documents.odcs import odcs_to_bundle
from contracts.documents.parsing import parse_contract_document


def upload_file_name(name):
    """The name an upload is known by in messages: its last part, whatever path the
    browser sent."""
    return PurePosixPath(str(name).replace("\\", "/")).name or "upload"


def contract_document_parse(document: LoadedDocument):
    """A loaded whole-contract document (PyCharter or ODCS v3) -> (parsed documents, notes of
    what ODCS fields could not be mapped)."""
    if isinstance(document.data, dict) and "apiVersion" in document.data:
        imported = odcs_to_bundle(document)
        return ParsedDocuments(bundles=[imported.bundle], systems=imported.systems), [
            f"not imported from ODCS: {note}" for note in imported.unmapped
        ]
    return ParsedDocuments(bundles=[parse_contract_document(document)]), []


def contract_upload_parse(content: bytes, *, name, max_bytes):
    """The bytes of an uploaded contract file named `name` -> (parsed documents, notes)."""
    document = load_document_bytes(
        content, path=PurePosixPath(upload_file_name(name)), max_bytes=max_bytes
    )
    return contract_document_parse(document)
