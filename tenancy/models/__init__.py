from tenancy.models.audit import AuditLogEntry
from tenancy.models.jobs import Job, JobState
from tenancy.models.shared import Annotation, AnnotationKind, Attachment, Comment
from tenancy.models.tokens import ApiToken
from tenancy.models.workspace import (
    EDITING_ROLES,
    Membership,
    Organization,
    OrganizationAdmin,
    Role,
    Space,
)

__all__ = [
    "ApiToken",
    "EDITING_ROLES",
    "Annotation",
    "AnnotationKind",
    "Attachment",
    "AuditLogEntry",
    "Comment",
    "Job",
    "JobState",
    "Membership",
    "Organization",
    "OrganizationAdmin",
    "Role",
    "Space",
]
