"""Customers: the accounts with the customer role, behind the customers:* scopes.

The account rules are services/accounts.py's; this is the view of them by role that the
internal and REST APIs manage, and the door through which tickets bring new customers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.enums import Role
from supportdesk.core.errors import NotFound
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import User
from supportdesk.repositories.rest_lists import CustomerFilters, PeopleRepository
from supportdesk.repositories.users import UserFilters, UserRepository
from supportdesk.services.accounts import AccountChanges, AccountService, NewAccount


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    customer: User
    ticket_count: int


class CustomerService:
    def __init__(self, session: AsyncSession) -> None:
        self.accounts = AccountService(session)
        self.people = PeopleRepository(session)
        self.users = UserRepository(session)

    async def find_or_create(
        self,
        name: str,
        email: str,
        phone: str | None = None,
        company: str | None = None,
        *,
        by: Principal | None = None,
    ) -> User | None:
        """The customer a ticket names by e-mail, opened without a password if new.

        None when the address belongs to a deleted account (see
        AccountService.find_or_create_customer).
        """
        new = NewAccount(email=email, name=name, phone=phone, company=company)
        return await self.accounts.find_or_create_customer(new, by=by)

    async def page(
        self, principal: Principal, filters: CustomerFilters, request: CursorRequest
    ) -> CursorPage[tuple[User, int]]:
        principal.require(Scope.CUSTOMERS_LIST)
        return await self.people.customers_page(filters, request)

    async def page_by_name(self, principal: Principal, page: PageRequest) -> Page[User]:
        """Customers by name, an offset page (the internal API's list)."""
        principal.require(Scope.CUSTOMERS_LIST)
        return await self.users.list_page(UserFilters(role=Role.CUSTOMER), page)

    async def get(self, principal: Principal, customer_id: int) -> CustomerDetails:
        principal.require(Scope.CUSTOMERS_READ)
        return await self._details(customer_id)

    async def create(self, principal: Principal, new: NewAccount) -> CustomerDetails:
        return CustomerDetails(await self.accounts.create(principal, Role.CUSTOMER, new), 0)

    async def update(
        self, principal: Principal, customer_id: int, changes: AccountChanges
    ) -> CustomerDetails:
        principal.require(Scope.CUSTOMERS_UPDATE)
        details = await self._details(customer_id)
        await self.accounts.change(principal, details.customer, changes)
        return details

    async def delete(self, principal: Principal, customer_id: int) -> None:
        """Soft-delete a customer: their tickets stay, still naming them."""
        principal.require(Scope.CUSTOMERS_DELETE)
        await self.accounts.remove(principal, (await self._details(customer_id)).customer)

    async def _details(self, customer_id: int) -> CustomerDetails:
        found = await self.people.customer(customer_id)
        if found is None:
            raise NotFound("Customer not found.")
        return CustomerDetails(*found)
