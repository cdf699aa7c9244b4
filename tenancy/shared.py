"""Services for comments, attachments and annotations on any object.

The application keeps the polymorphic references sound: a resource is only added
to an object that exists, in the object's own space or organization; deleting an
object deletes what hangs on it (`delete_attached`, connected to post_delete of
every tenant model); `orphans_find` lists what raw SQL deletes left behind.
"""

import mimetypes
import re
from pathlib import PurePath

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_valid_filename

from tenancy.audit import audit_log, audited
from tenancy.models import Annotation, Attachment, Comment
from tenancy.tenants import tenant_ids

SHARED_RESOURCE_MODELS = (Comment, Attachment, Annotation)


def _target_fields(target):
    space_id, organization_id = tenant_ids(target)
    if organization_id is None:
        raise ValidationError("Comments, attachments and annotations need an object that "
                              "belongs to an organization.", code="no_tenant")
    if type(target)._base_manager.filter(pk=target.pk).exists() is False:
        raise ValidationError("The object no longer exists.", code="missing_target")
    return {
        "content_type": ContentType.objects.get_for_model(type(target)),
        "object_id": str(target.pk),
        "space_id": space_id,
        "organization_id": organization_id,
    }


@transaction.atomic
@audited
def comment_add(*, target, author, body):
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "A comment cannot be empty."})
    comment = Comment(author=author, body=body, **_target_fields(target))
    comment.full_clean()
    comment.save()
    audit_log(action="tenancy.comment.added", instance=comment, actor=author)
    return comment


@transaction.atomic
@audited
def annotation_add(*, target, author, field_name, kind, text=""):
    """Pin a note to a schema field of `target` (which lists its fields in schema_field_names)."""
    known_fields = target.schema_field_names()
    if field_name not in known_fields:
        raise ValidationError(
            {"field_name": f"{field_name!r} is not a field of the schema "
                           f"({', '.join(sorted(known_fields)) or 'no fields'})."}
        )
    annotation = Annotation(author=author, field_name=field_name, kind=kind, text=text,
                            **_target_fields(target))
    annotation.full_clean()
    annotation.save()
    audit_log(action="tenancy.annotation.added", instance=annotation, actor=author)
    return annotation


#: Types a browser may show in the page; every other download is sent as opaque bytes.
INLINE_SAFE_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain")

# Markup a browser would run (SVG and HTML carry scripts) whatever the file's name says.
_MARKUP_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+)?(svg|html|head|body|script|iframe)\b",
    re.IGNORECASE | re.DOTALL,
)


def sniff_content_type(head, filename):
    """The type the bytes say they are; text is told apart by decoding, not by the name."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is still text.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
    markup = _MARKUP_START.match(head.removeprefix(b"\xef\xbb\xbf"))
    if markup is not None:
        return "image/svg+xml" if markup.group(1).lower() == b"svg" else "text/html"
    guessed, _ = mimetypes.guess_type(filename)
    if guessed in ("text/csv", "application/json", "text/markdown"):
        return guessed
    return "text/plain"


def download_content_type(sniffed):
    """The Content-Type a download is sent with: its own type only when a browser cannot run it."""
    return sniffed if sniffed in INLINE_SAFE_TYPES else "application/octet-stream"


def safe_filename(name):
    """The base name only, no path, no shell or HTML specials, at most 200 characters."""
    base = PurePath(str(name).replace("\\", "/")).name
    cleaned = get_valid_filename(base) if base.strip(". ") else ""
    stem, dot, suffix = cleaned.rpartition(".")
    if len(cleaned) > 200:
        cleaned = (stem[: 200 - len(suffix) - 1] + "." + suffix) if dot else cleaned[:200]
    return cleaned or "attachment"


@transaction.atomic
@audited
def attachment_add(*, target, author, uploaded_file):
    """Store an uploaded file on `target` after checking its size and its sniffed type."""
    limit = settings.PYCHARTER_MAX_ATTACHMENT_BYTES
    if uploaded_file.size > limit:
        raise ValidationError(
            {"file": f"The file is {uploaded_file.size:,} bytes; the limit is {limit:,} bytes."}
        )
    filename = safe_filename(uploaded_file.name)
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    sniffed = sniff_content_type(head, filename)
    allowed = settings.PYCHARTER_ATTACHMENT_TYPES
    if sniffed not in allowed:
        raise ValidationError(
            {"file": f"Files of type {sniffed} are not accepted (allowed: {', '.join(allowed)})."}
        )
    attachment = Attachment(author=author, filename=filename, content_type_sniffed=sniffed,
                            size=uploaded_file.size, **_target_fields(target))
    attachment.file.save(filename, uploaded_file, save=False)
    attachment.full_clean()
    attachment.save()
    audit_log(action="tenancy.attachment.added", instance=attachment, actor=author)
    return attachment


def _resources_of(content_type, object_ids):
    for model in SHARED_RESOURCE_MODELS:
        yield model._base_manager.filter(content_type=content_type, object_id__in=object_ids)


def _delete_resources(querysets):
    deleted = 0
    for queryset in querysets:
        if queryset.model is Attachment:
            for attachment in queryset:
                attachment.file.delete(save=False)
        deleted += queryset.delete()[0]
    return deleted


def delete_attached(sender, instance, **kwargs):
    """post_delete of any tenant model: what hangs on the deleted object goes with it."""
    if sender in SHARED_RESOURCE_MODELS:
        return
    content_type = ContentType.objects.get_for_model(sender)
    _delete_resources(_resources_of(content_type, [str(instance.pk)]))


def orphans_find():
    """Shared resources whose target is gone (deleted by raw SQL), as {model: [resource]}."""
    orphans = {}
    for model in SHARED_RESOURCE_MODELS:
        rows = model._base_manager.values_list("id", "content_type_id", "object_id")
        by_type = {}
        for resource_id, content_type_id, object_id in rows:
            by_type.setdefault(content_type_id, []).append((resource_id, object_id))
        missing = []
        for content_type_id, pairs in by_type.items():
            target_model = ContentType.objects.get_for_id(content_type_id).model_class()
            if target_model is None:
                missing.extend(resource_id for resource_id, _ in pairs)
                continue
            present = {
                str(pk) for pk in target_model._base_manager.filter(
                    pk__in=[object_id for _, object_id in pairs]
                ).values_list("pk", flat=True)
            }
            missing.extend(resource_id for resource_id, object_id in pairs
                           if object_id not in present)
        if missing:
            orphans[model] = list(model._base_manager.filter(id__in=missing))
    return orphans


@transaction.atomic
@audited
def orphans_delete(orphans):
    """Delete what `orphans_find` found; each is recorded as an orphan removed."""
    deleted = _delete_resources(
        model._base_manager.filter(id__in=[row.id for row in rows])
        for model, rows in orphans.items()
    )
    for model, rows in orphans.items():
        for row in rows:
            audit_log(action=f"tenancy.{model._meta.model_name}.orphan_deleted", instance=row)
    return deleted
