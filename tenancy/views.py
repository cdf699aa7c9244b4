"""Attachment downloads: only through here, and only for users who may see the target."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404

from tenancy.models import Attachment
from tenancy.shared import download_content_type


@staff_member_required
def attachment_download(request, attachment_id):
    # The scoped manager already limits to the user's organizations; the space check
    # narrows to the spaces the user is a member of (same 404 for missing and not yours).
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    access = request.tenant_access
    if attachment is None or (
        attachment.space_id is not None and not access.can_view_space(attachment.space_id)
    ):
        raise Http404("No such attachment.")
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.filename,
        content_type=download_content_type(attachment.content_type_sniffed),
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
