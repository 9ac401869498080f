"""Customers and agents (seed 000), sorted by name. Customers cannot be deleted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, status

from supportdesk.api.deps import CustomerServiceDep, StaffServiceDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.resource_schemas import (
    AgentIn,
    AgentOut,
    AgentUpdateIn,
    CustomerIn,
    CustomerOut,
    CustomerUpdateIn,
    agent_out,
)
from supportdesk.api.internal.schemas import Done, Envelope, ListEnvelope, listed, one
from supportdesk.api.types import PathId, QueryId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.services.accounts import AccountChanges, NewAccount
from supportdesk.services.filters import AgentFilters

router = APIRouter(tags=["internal"], route_class=InternalRoute)

# ---------------------------------------------------------------------- customers


@router.get("/customers", response_model=ListEnvelope[CustomerOut])
async def list_customers(
    principal: Annotated[Principal, require_scope(Scope.CUSTOMERS_LIST)],
    customers: CustomerServiceDep,
    page: PageDep,
) -> ListEnvelope[CustomerOut]:
    """List customers, by name."""
    return listed(await customers.page_by_name(principal, page), CustomerOut.model_validate)


@router.post(
    "/customers",
    response_model=Envelope[CustomerOut],
    status_code=status.HTTP_201_CREATED,
)
async def create_customer(
    body: CustomerIn,
    principal: Annotated[Principal, require_scope(Scope.CUSTOMERS_CREATE)],
    customers: CustomerServiceDep,
) -> Envelope[CustomerOut]:
    """Create a customer account."""
    new = NewAccount(
        email=str(body.email),
        name=body.name,
        phone=body.phone,
        envato_username=body.envato_username,
    )
    details = await customers.create(principal, new)
    return one(CustomerOut.model_validate(details.customer))


@router.get("/customers/{customer_id}", response_model=Envelope[CustomerOut])
async def get_customer(
    customer_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.CUSTOMERS_READ)],
    customers: CustomerServiceDep,
) -> Envelope[CustomerOut]:
    """Read a customer."""
    details = await customers.get(principal, customer_id)
    return one(CustomerOut.model_validate(details.customer))


@router.put("/customers/{customer_id}", response_model=Envelope[CustomerOut])
async def update_customer(
    customer_id: PathId,
    body: CustomerUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.CUSTOMERS_UPDATE)],
    customers: CustomerServiceDep,
) -> Envelope[CustomerOut]:
    """Change a customer's details."""
    changes = AccountChanges(
        fields_set=frozenset(body.model_fields_set),
        email=str(body.email) if body.email is not None else None,
        name=body.name,
        phone=body.phone,
        envato_username=body.envato_username,
    )
    details = await customers.update(principal, customer_id, changes)
    return one(CustomerOut.model_validate(details.customer))


@router.delete(
    "/customers/{customer_id}",
    responses={405: {"description": "Customers cannot be deleted via the API."}},
)
async def delete_customer(customer_id: PathId) -> None:
    """Refuse to delete a customer.

    Customers cannot be deleted through the API: always 405.
    """
    raise HTTPException(
        status.HTTP_405_METHOD_NOT_ALLOWED,
        "Customers cannot be deleted via the API.",
        headers={"Allow": "GET, PUT"},
    )


# ---------------------------------------------------------------------- agents


def _departments(body: AgentUpdateIn) -> list[int] | None:
    """The departments to set, or None when the body leaves them as they are."""
    return (body.departments or []) if "departments" in body.model_fields_set else None


def _agent_changes(body: AgentUpdateIn) -> AccountChanges:
    return AccountChanges(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        email=str(body.email) if body.email is not None else None,
        password=body.password,
        phone=body.phone,
        locale=body.locale,
        is_active=body.is_active,
    )


@router.get("/agents", response_model=ListEnvelope[AgentOut])
async def list_agents(
    principal: Annotated[Principal, require_scope(Scope.AGENTS_LIST)],
    staff: StaffServiceDep,
    page: PageDep,
    department_id: QueryId | None = None,
    is_active: bool | None = None,
) -> ListEnvelope[AgentOut]:
    """List agents, by name.

    Filter by department or by whether the agent is active.
    """
    filters = AgentFilters(department_id=department_id, is_active=is_active)
    return listed(await staff.agents_page(principal, filters, page), agent_out)


@router.post("/agents", response_model=Envelope[AgentOut], status_code=status.HTTP_201_CREATED)
async def create_agent(
    body: AgentIn,
    principal: Annotated[Principal, require_scope(Scope.AGENTS_CREATE)],
    staff: StaffServiceDep,
) -> Envelope[AgentOut]:
    """Create an agent account, in the departments named."""
    new = NewAccount(
        name=body.name,
        email=str(body.email),
        password=body.password,
        phone=body.phone,
        locale=body.locale,
        is_active=body.is_active is not False,
    )
    return one(agent_out(await staff.create_agent(principal, new, body.departments or [])))


@router.get("/agents/{agent_id}", response_model=Envelope[AgentOut])
async def get_agent(
    agent_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.AGENTS_READ)],
    staff: StaffServiceDep,
) -> Envelope[AgentOut]:
    """Read an agent."""
    return one(agent_out(await staff.agent(principal, agent_id)))


@router.put("/agents/{agent_id}", response_model=Envelope[AgentOut])
async def update_agent(
    agent_id: PathId,
    body: AgentUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.AGENTS_UPDATE)],
    staff: StaffServiceDep,
) -> Envelope[AgentOut]:
    """Change an agent's details or departments.

    Departments left out of the body stay as they are.
    """
    details = await staff.update_agent(
        principal, agent_id, _agent_changes(body), _departments(body)
    )
    return one(agent_out(details))


@router.delete("/agents/{agent_id}", response_model=Done)
async def delete_agent(
    agent_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.AGENTS_DELETE)],
    staff: StaffServiceDep,
) -> Done:
    """Delete an agent.

    The agent stops working at once and their API keys are revoked; their history is kept.
    """
    await staff.delete_agent(principal, agent_id)
    return Done(message="Agent deleted successfully")
