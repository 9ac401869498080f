"""Customers (seed 002): the users with the customer role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from supportdesk.api.deps import CustomerServiceDep
from supportdesk.api.rest.deps import require_scope
from supportdesk.api.rest.errors import RestRoute
from supportdesk.api.rest.schemas import (
    CustomerEnvelope,
    CustomerIn,
    CustomerPage,
    CustomerUpdateIn,
    DeletedEnvelope,
    OrderDir,
    Prefix,
    TimeOrder,
    customer_out,
    deleted,
    meta,
    path_id,
    query_text,
)
from supportdesk.api.rest.tickets import Cursor, Limit
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorRequest
from supportdesk.services.accounts import AccountChanges, NewAccount
from supportdesk.services.filters import CustomerFilters

router = APIRouter(prefix="/customers", tags=["rest"], route_class=RestRoute)

Lister = Annotated[Principal, require_scope(Scope.CUSTOMERS_LIST)]
Reader = Annotated[Principal, require_scope(Scope.CUSTOMERS_READ)]
Creator = Annotated[Principal, require_scope(Scope.CUSTOMERS_CREATE)]
Updater = Annotated[Principal, require_scope(Scope.CUSTOMERS_UPDATE)]
Deleter = Annotated[Principal, require_scope(Scope.CUSTOMERS_DELETE)]


@router.get("", response_model=CustomerPage)
async def list_customers(
    principal: Lister,
    customers: CustomerServiceDep,
    email: Annotated[str | None, Query(max_length=255)] = None,
    search: Annotated[str | None, Query(max_length=255, description="Name or email")] = None,
    phone: Annotated[str | None, Query(max_length=50)] = None,
    order_by: TimeOrder = "created_at",
    order_dir: OrderDir = "desc",
    limit: Limit = 25,
    cursor: Cursor = None,
) -> CustomerPage:
    """List customers, newest first unless ordered otherwise.

    Filter by e-mail address or phone, or search names and e-mail addresses. Each customer comes
    with their ticket count.
    """
    filters = CustomerFilters(
        email=query_text(email, "email"),
        search=query_text(search, "search"),
        phone=query_text(phone, "phone"),
    )
    request = CursorRequest(order_by, order_dir == "desc", limit, cursor)
    page = await customers.page(principal, filters, request)
    return CustomerPage(
        data=[customer_out(customer, count) for customer, count in page.items], meta=meta(page)
    )


@router.get("/{customer_id}", response_model=CustomerEnvelope)
async def get_customer(
    customer_id: str, principal: Reader, customers: CustomerServiceDep
) -> CustomerEnvelope:
    """Read a customer, with their ticket count."""
    details = await customers.get(principal, path_id(Prefix.CUSTOMER, customer_id))
    return CustomerEnvelope(data=customer_out(details.customer, details.ticket_count))


@router.post("", response_model=CustomerEnvelope, status_code=status.HTTP_201_CREATED)
async def create_customer(
    body: CustomerIn, principal: Creator, customers: CustomerServiceDep
) -> CustomerEnvelope:
    """Create a customer."""
    new = NewAccount(
        email=str(body.email),
        name=body.name,
        phone=body.phone,
        company=body.company,
        custom_fields=body.custom_fields,
    )
    details = await customers.create(principal, new)
    return CustomerEnvelope(data=customer_out(details.customer, details.ticket_count))


@router.patch("/{customer_id}", response_model=CustomerEnvelope)
async def update_customer(
    customer_id: str, body: CustomerUpdateIn, principal: Updater, customers: CustomerServiceDep
) -> CustomerEnvelope:
    """Change a customer: only the fields sent change."""
    changes = AccountChanges(
        fields_set=frozenset(body.model_fields_set),
        email=str(body.email) if body.email else None,
        name=body.name,
        phone=body.phone,
        company=body.company,
        custom_fields=body.custom_fields,
    )
    details = await customers.update(principal, path_id(Prefix.CUSTOMER, customer_id), changes)
    return CustomerEnvelope(data=customer_out(details.customer, details.ticket_count))


@router.delete("/{customer_id}", response_model=DeletedEnvelope)
async def delete_customer(
    customer_id: str, principal: Deleter, customers: CustomerServiceDep
) -> DeletedEnvelope:
    """Delete a customer (a soft delete): the customer's tickets stay."""
    row_id = path_id(Prefix.CUSTOMER, customer_id)
    await customers.delete(principal, row_id)
    return deleted(Prefix.CUSTOMER, row_id)
