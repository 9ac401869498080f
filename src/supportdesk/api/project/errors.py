"""The external-project API answers errors like the rest of the SupportDesk reference."""

from __future__ import annotations

from supportdesk.api.errors import surface_route
from supportdesk.api.portal.errors import render_error as _portal_render_error

# Same envelope as the portal ({"error": …}); kept as this surface's own name so the two
# can diverge without touching each other.
render_error = _portal_render_error
ProjectRoute = surface_route(render_error)
