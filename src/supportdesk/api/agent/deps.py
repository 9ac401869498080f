"""Who is calling the agent API: the active agent behind an external key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from supportdesk.api.deps import authenticator
from supportdesk.api.security import api_key_header
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.models import User

# External keys linked to an active agent, nothing else; the agent's role decides the rest.
current_agent = authenticator(
    {PrincipalKind.AGENT_KEY},
    api_key_header,
    takes="The agent API takes an agent's external API key in the X-API-KEY header",
)


AgentDep = Annotated[Principal, Depends(current_agent)]


def agent_of(principal: Principal) -> User:
    """The agent an external key acts as (the authenticator refuses a key without one)."""
    assert principal.user is not None
    return principal.user


# Page-number pagination; each list keeps the default page size the reference gives it.
PerPage = Annotated[int, Query(ge=1, le=100)]
