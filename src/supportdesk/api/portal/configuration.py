from __future__ import annotations

from fastapi import APIRouter

from supportdesk.api.portal.errors import PortalRoute

router = APIRouter(tags=["portal: configuration"], route_class=PortalRoute)
