"""The PyCharter contract document: reading and writing contract files as bundles.

Plain typed Python with no Django and no ORM, so that the services layer, the
commands and the API can all call it, and its tests need no database:

- `bundle`: the contract as the database holds it (`ContractBundle` and its parts);
- `loading`: safe loading of YAML and JSON files;
- `parsing`: whole contracts, split files and seed folders into bundles;
- `rules`: inline and top-level rules merged, conflicts reported;
- `serializing`: bundles back into the same documents, YAML and JSON;
- `odcs`: to and from the Open Data Contract Standard v3.

Every error is a `DocumentError` naming the file, line and field.
"""

from .bundle import (
    CONTRACT_STATUSES,
    OWNERSHIP_ROLES,
    SYSTEM_ROLES,
    CoercionRulesPart,
    ContractBundle,
    ContractPart,
    DomainEntry,
    MetadataPart,
    OwnerEntry,
    ParsedDocuments,
    SchemaPart,
    SystemEntry,
    ValidationRulesPart,
)
from .errors import DocumentError, SourceLocation
from .loading import LoadedDocument, load_document, load_document_bytes
from .parsing import (
    parse_contract_document,
    parse_contract_file,
    parse_seed_folder,
    parse_split_documents,
    parse_split_files,
)
from .rules import MergedRules, inline_rules, merge_rules
from .serializing import (
    bundle_to_document,
    bundle_to_split_documents,
    dump_json,
    dump_yaml,
    seed_documents,
)

__all__ = [
    "CONTRACT_STATUSES",
    "OWNERSHIP_ROLES",
    "SYSTEM_ROLES",
    "CoercionRulesPart",
    "ContractBundle",
    "ContractPart",
    "DocumentError",
    "DomainEntry",
    "LoadedDocument",
    "MergedRules",
    "MetadataPart",
    "OwnerEntry",
    "ParsedDocuments",
    "SchemaPart",
    "SourceLocation",
    "SystemEntry",
    "ValidationRulesPart",
    "bundle_to_document",
    "bundle_to_split_documents",
    "dump_json",
    "dump_yaml",
    "inline_rules",
    "load_document",
    "load_document_bytes",
    "merge_rules",
    "parse_contract_document",
    "parse_contract_file",
    "parse_seed_folder",
    "parse_split_documents",
    "parse_split_files",
    "seed_documents",
]
