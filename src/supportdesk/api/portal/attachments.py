from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from supportdesk.api.deps import TicketReadsDep
from supportdesk.api.portal.deps import PrincipalDep
from supportdesk.api.portal.errors import PortalRoute
from supportdesk.api.types import PathId
from supportdesk.services.attachments import opens_inline

router = APIRouter(prefix="/attachments", tags=["portal: tickets"], route_class=PortalRoute)


@router.get("/{attachment_id}", response_class=FileResponse)
async def download_attachment(
    attachment_id: PathId, principal: PrincipalDep, reads: TicketReadsDep
) -> FileResponse:
    """Download an attachment of a ticket the caller can see.

    Images and PDFs open in the browser; anything else downloads. Internal
    attachments are for staff only.
    """
    attachment, path = await reads.attachment(principal, attachment_id)
    disposition = "inline" if opens_inline(attachment.content_type) else "attachment"
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.filename,
        content_disposition_type=disposition,
    )
