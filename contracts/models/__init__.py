from contracts.models.base import Status
from contracts.models.components import (
    CoercionRuleSet,
    MetadataRecord,
    Schema,
    ValidationRuleSet,
)
from contracts.models.contract import BreakingChangeSignOff, DataContract
from contracts.models.links import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    MetadataRecordBusinessOwner,
    MetadataRecordBUSME,
    MetadataRecordDomain,
    MetadataRecordITApplicationOwner,
    MetadataRecordITSME,
    MetadataRecordSupportLead,
    MetadataRecordSystemPull,
    MetadataRecordSystemPush,
    MetadataRecordSystemSource,
)
from contracts.models.reference import Domain, Owner, System
from contracts.models.review import ContractReview, ReviewStatus

__all__ = [
    "BreakingChangeSignOff",
    "OWNERSHIP_ROLE_LINKS",
    "SYSTEM_ROLE_LINKS",
    "CoercionRuleSet",
    "ContractReview",
    "DataContract",
    "Domain",
    "MetadataRecord",
    "MetadataRecordBUSME",
    "MetadataRecordBusinessOwner",
    "MetadataRecordDomain",
    "MetadataRecordITApplicationOwner",
    "MetadataRecordITSME",
    "MetadataRecordSupportLead",
    "MetadataRecordSystemPull",
    "MetadataRecordSystemPush",
    "MetadataRecordSystemSource",
    "Owner",
    "ReviewStatus",
    "Schema",
    "Status",
    "System",
    "ValidationRuleSet",
]
