from tenancy.models.audit import AuditLogEntry
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
    "Membership",
    "Organization",
    "OrganizationAdmin",
    "Role",
    "Space",
]
