from __future__ import annotations

from fastapi import APIRouter

from supportdesk.api.project.errors import ProjectRoute

router = APIRouter(tags=["project: tickets"], route_class=ProjectRoute)
