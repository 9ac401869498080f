from __future__ import annotations

from fastapi import APIRouter

from supportdesk.api.portal.errors import PortalRoute

router = APIRouter(tags=["portal: admin"], route_class=PortalRoute)
