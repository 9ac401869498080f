"""Dependencies every surface uses: the request's transaction, settings, the principal
behind the request's credentials, and the services built on them.

Every dependency is ``async def``, blocking-free: FastAPI runs a plain ``def`` dependency
in its thread pool, a hop that costs more CPU than most of these providers do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPBearer, SecurityScopes
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.api.client_address import client_address
from supportdesk.api.idempotency import claim_key, resolves_principal
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.auth.scopes import Scope
from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.errors import Unauthenticated
from supportdesk.services.accounts import AccountService
from supportdesk.services.activity_logs import ActivityLogService
from supportdesk.services.agent_dashboard import AgentDashboardService
from supportdesk.services.api_keys import ApiKeyService
from supportdesk.services.attachments import AttachmentStorage
from supportdesk.services.auth import AuthService
from supportdesk.services.authentication import (
    AuthenticationService,
    Credentials,
    WrongCredential,
)
from supportdesk.services.business_calendars import BusinessCalendarService
from supportdesk.services.canned_responses import CannedResponseService
from supportdesk.services.categories import CategoryService
from supportdesk.services.conversations import ConversationService
from supportdesk.services.custom_fields import CustomFieldService
from supportdesk.services.customers import CustomerService
from supportdesk.services.departments import DepartmentService
from supportdesk.services.internal_reports import InternalReportService
from supportdesk.services.knowledge import KnowledgeService
from supportdesk.services.knowledge_search import KnowledgeSearchService
from supportdesk.services.message_likes import MessageLikeService
from supportdesk.services.notifications import NotificationService
from supportdesk.services.products import ProductService
from supportdesk.services.projects import ProjectService
from supportdesk.services.reports import ReportService
from supportdesk.services.settings import SettingsService
from supportdesk.services.sla_policies import SlaPolicyService
from supportdesk.services.staff import StaffService
from supportdesk.services.tags import TagService
from supportdesk.services.tickets import (
    TicketConversation,
    TicketIntake,
    TicketReads,
    TicketTriage,
)
from supportdesk.services.webhooks import WebhookService

S = TypeVar("S")


async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.transaction(read_only=request.method in ("GET", "HEAD")) as session:
        yield session


# scope="function": the commit runs before the response is sent, so a failed commit is
# an error response rather than a 200 for work that was lost.
SessionDep = Annotated[AsyncSession, Depends(_transaction, scope="function")]


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_storage(request: Request) -> AttachmentStorage:
    storage: AttachmentStorage = request.app.state.storage
    return storage


StorageDep = Annotated[AttachmentStorage, Depends(get_storage)]


def credentials_of(request: Request) -> Credentials:
    settings: Settings = request.app.state.settings
    headers = request.headers
    bearer = None
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        bearer = value.strip()
    return Credentials(
        bearer=bearer,
        api_key=headers.get("x-api-key") or None,
        api_secret=headers.get("x-api-secret") or None,
        ip_address=client_address(request.scope, settings.trusted_proxies),
    )


async def authenticate(
    request: Request,
    session: AsyncSession,
    accept: Collection[PrincipalKind],
    takes: str | None = None,
) -> Principal:
    """Resolve the request's credentials; each surface calls this with what it accepts.

    ``takes`` says it in words ("The agent API takes …"): a credential of another kind
    is refused with that sentence, so the client learns what to send instead.
    """
    settings: Settings = request.app.state.settings
    authenticator = AuthenticationService(session, settings)
    try:
        return await authenticator.authenticate(credentials_of(request), accept)
    except WrongCredential as wrong:
        if takes is None:
            raise
        raise Unauthenticated(f"{takes}, not {wrong.presented}.") from None


PrincipalResolver = Callable[..., Coroutine[Any, Any, Principal]]


def authenticator(
    accept: Collection[PrincipalKind],
    scheme: HTTPBearer | APIKeyHeader,
    refusal: Callable[[Scope], str | None] = lambda scope: None,
    takes: str | None = None,
) -> PrincipalResolver:
    """A surface's principal dependency: the credential kinds it takes, and its scheme.

    An endpoint names the scopes it needs with ``Security(resolver, scopes=[...])``:
    FastAPI hands them over as ``SecurityScopes`` and lists them under the scheme in
    OpenAPI. Another kind of credential is 401, worded with ``takes``; a principal
    without a scope is 403, with the message ``refusal`` gives (None: the surface's
    default).
    """
    kinds = frozenset(accept)

    async def principal(
        request: Request,
        session: SessionDep,
        security_scopes: SecurityScopes,
        # Declares the scheme (and its scopes) in OpenAPI; the headers are read above.
        _: Any = Security(scheme),
    ) -> Principal:
        resolved = await authenticate(request, session, kinds, takes)
        for name in security_scopes.scopes:
            scope = Scope(name)
            resolved.require(scope, refusal(scope))
        await claim_key(request, session, resolved)
        return resolved

    return resolves_principal(principal)


def with_scope(resolver: PrincipalResolver, scope: Scope) -> Any:
    """The principal of ``resolver``, refused unless it holds ``scope``."""
    return Security(resolver, scopes=[scope])


async def ticket_reads(session: SessionDep, storage: StorageDep) -> TicketReads:
    return TicketReads(session, storage)


async def ticket_intake(session: SessionDep, storage: StorageDep) -> TicketIntake:
    return TicketIntake(session, storage)


async def ticket_conversation(session: SessionDep, storage: StorageDep) -> TicketConversation:
    return TicketConversation(session, storage)


async def auth_service(session: SessionDep, settings: SettingsDep) -> AuthService:
    return AuthService(session, settings)


TicketReadsDep = Annotated[TicketReads, Depends(ticket_reads)]
TicketIntakeDep = Annotated[TicketIntake, Depends(ticket_intake)]
TicketConversationDep = Annotated[TicketConversation, Depends(ticket_conversation)]
AuthServiceDep = Annotated[AuthService, Depends(auth_service)]


def _on_session(service: Callable[[AsyncSession], S]) -> Any:
    """A dependency building `service` on the request's transaction."""

    async def provide(session: SessionDep) -> S:
        return service(session)

    return Depends(provide)


TicketTriageDep = Annotated[TicketTriage, _on_session(TicketTriage)]
ProjectServiceDep = Annotated[ProjectService, _on_session(ProjectService)]
ApiKeyServiceDep = Annotated[ApiKeyService, _on_session(ApiKeyService)]
AccountServiceDep = Annotated[AccountService, _on_session(AccountService)]
CategoryServiceDep = Annotated[CategoryService, _on_session(CategoryService)]
SlaPolicyServiceDep = Annotated[SlaPolicyService, _on_session(SlaPolicyService)]
BusinessCalendarServiceDep = Annotated[
    BusinessCalendarService, _on_session(BusinessCalendarService)
]
CannedResponseServiceDep = Annotated[CannedResponseService, _on_session(CannedResponseService)]
TagServiceDep = Annotated[TagService, _on_session(TagService)]
ReportServiceDep = Annotated[ReportService, _on_session(ReportService)]
NotificationServiceDep = Annotated[NotificationService, _on_session(NotificationService)]
KnowledgeSearchServiceDep = Annotated[KnowledgeSearchService, _on_session(KnowledgeSearchService)]
MessageLikeServiceDep = Annotated[MessageLikeService, _on_session(MessageLikeService)]
AgentDashboardServiceDep = Annotated[AgentDashboardService, _on_session(AgentDashboardService)]
CustomerServiceDep = Annotated[CustomerService, _on_session(CustomerService)]
StaffServiceDep = Annotated[StaffService, _on_session(StaffService)]


async def conversation_service(session: SessionDep, storage: StorageDep) -> ConversationService:
    return ConversationService(session, storage)


ConversationServiceDep = Annotated[ConversationService, Depends(conversation_service)]


SettingsServiceDep = Annotated[SettingsService, _on_session(SettingsService)]
CustomFieldServiceDep = Annotated[CustomFieldService, _on_session(CustomFieldService)]
DepartmentServiceDep = Annotated[DepartmentService, _on_session(DepartmentService)]
ProductServiceDep = Annotated[ProductService, _on_session(ProductService)]
KnowledgeServiceDep = Annotated[KnowledgeService, _on_session(KnowledgeService)]
ActivityLogServiceDep = Annotated[ActivityLogService, _on_session(ActivityLogService)]
InternalReportServiceDep = Annotated[InternalReportService, _on_session(InternalReportService)]


async def webhook_service(session: SessionDep, settings: SettingsDep) -> WebhookService:
    return WebhookService(session, settings)


WebhookServiceDep = Annotated[WebhookService, Depends(webhook_service)]
