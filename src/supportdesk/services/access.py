"""Who may administer the hub's reference data (departments, products, agents, …)."""

from __future__ import annotations

from supportdesk.auth.principal import Principal
from supportdesk.core.errors import Forbidden


def require_admin(principal: Principal) -> None:
    """Admins, super admins and internal keys (whose endpoints check their scopes)."""
    if not principal.is_admin:
        raise Forbidden()
