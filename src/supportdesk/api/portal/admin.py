"""Administration of projects, their agents and key pairs, and users (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from supportdesk.api.deps import AccountServiceDep, ApiKeyServiceDep, ProjectServiceDep
from supportdesk.api.portal.admin_schemas import (
    AgentAssignIn,
    ApiKeyCreateIn,
    ApiKeyIssuedOut,
    ApiKeyList,
    ApiKeyOut,
    ProjectAgentOut,
    ProjectCreateIn,
    ProjectDetail,
    ProjectDetailEnvelope,
    ProjectEnvelope,
    ProjectListItem,
    ProjectOut,
    ProjectPage,
    ProjectUpdateIn,
    UserCreateIn,
    UserDetail,
    UserDetailEnvelope,
    UserPage,
    UserUpdateIn,
)
from supportdesk.api.portal.deps import PrincipalDep
from supportdesk.api.portal.errors import PortalRoute
from supportdesk.api.portal.schemas import (
    MembershipOut,
    MessageText,
    SlaPolicyOut,
    UserEnvelope,
    UserOut,
)
from supportdesk.api.types import PathId
from supportdesk.auth.principal import Principal
from supportdesk.core.enums import Role
from supportdesk.core.pagination import PageRequest
from supportdesk.services.accounts import AccountChanges, NewAccount
from supportdesk.services.api_keys import NewProjectKey
from supportdesk.services.filters import ProjectFilters, ProjectRow, UserFilters
from supportdesk.services.projects import NewProject, ProjectChanges, ProjectDetails, ProjectService

router = APIRouter(tags=["portal: admin"], route_class=PortalRoute)


PageDep = Annotated[int, Query(ge=1, le=1_000_000)]
PerPageDep = Annotated[int, Query(ge=1, le=100)]
SearchDep = Annotated[str | None, Query(max_length=255)]


def _search(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def _list_item(row: ProjectRow) -> ProjectListItem:
    project = ProjectOut.model_validate(row.project)
    return ProjectListItem(
        **project.model_dump(), tickets_count=row.tickets_count, agents_count=row.agents_count
    )


def _detail(details: ProjectDetails) -> ProjectDetail:
    return ProjectDetail(
        **_list_item(details.row).model_dump(),
        agents=[
            ProjectAgentOut(id=user.id, name=user.name, email=user.email, is_lead=is_lead)
            for user, is_lead in details.agents
        ],
        sla_policies=[SlaPolicyOut.model_validate(policy) for policy in details.sla_policies],
        api_keys=[ApiKeyOut.model_validate(key) for key in details.api_keys],
    )


# ---------------------------------------------------------------------- projects


@router.get("/admin/projects", response_model=ProjectPage)
async def list_projects(
    principal: PrincipalDep,
    projects: ProjectServiceDep,
    page: PageDep = 1,
    per_page: PerPageDep = 20,
    search: SearchDep = None,
    active: bool | None = None,
) -> ProjectPage:
    """Projects by name, with their ticket and agent counts; search matches name or slug."""
    filters = ProjectFilters(search=_search(search), is_active=active)
    result = await projects.list_page(principal, filters, PageRequest(page, per_page))
    return ProjectPage(
        data=[_list_item(row) for row in result.items],
        current_page=result.page,
        last_page=result.last_page,
        total=result.total,
        per_page=result.per_page,
    )


@router.post("/admin/projects", response_model=ProjectEnvelope, status_code=201)
async def create_project(
    body: ProjectCreateIn, principal: PrincipalDep, projects: ProjectServiceDep
) -> ProjectEnvelope:
    """Create a project: its slug and ticket prefix are generated from the name, unique."""
    new = NewProject(
        name=body.name,
        description=body.description,
        support_email=str(body.support_email) if body.support_email else None,
        website_url=body.website_url,
        timezone=body.timezone,
        settings=body.settings,
        business_calendar_id=body.business_calendar_id,
    )
    project = await projects.create(principal, new)
    return ProjectEnvelope(project=ProjectOut.model_validate(project))


@router.get("/admin/projects/{project_id}", response_model=ProjectDetailEnvelope)
async def get_project(
    project_id: PathId, principal: PrincipalDep, projects: ProjectServiceDep
) -> ProjectDetailEnvelope:
    """The project with its agents, SLA policies and key pairs (never a secret)."""
    return ProjectDetailEnvelope(project=_detail(await projects.get(principal, project_id)))


async def _update_project(
    project_id: int, body: ProjectUpdateIn, principal: Principal, projects: ProjectService
) -> ProjectEnvelope:
    changes = ProjectChanges(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        description=body.description,
        support_email=str(body.support_email) if body.support_email else None,
        website_url=body.website_url,
        timezone=body.timezone,
        settings=body.settings,
        is_active=body.is_active,
        business_calendar_id=body.business_calendar_id,
    )
    project = await projects.update(principal, project_id, changes)
    return ProjectEnvelope(project=ProjectOut.model_validate(project))


@router.put("/admin/projects/{project_id}", response_model=ProjectEnvelope)
async def update_project(
    project_id: PathId, body: ProjectUpdateIn, principal: PrincipalDep, projects: ProjectServiceDep
) -> ProjectEnvelope:
    """Update a project: only the fields sent change.

    ``"is_active": false`` disables the project's keys.
    """
    return await _update_project(project_id, body, principal, projects)


@router.patch("/admin/projects/{project_id}", response_model=ProjectEnvelope)
async def patch_project(
    project_id: PathId, body: ProjectUpdateIn, principal: PrincipalDep, projects: ProjectServiceDep
) -> ProjectEnvelope:
    """Update a project, as PUT does: only the fields sent change."""
    return await _update_project(project_id, body, principal, projects)


@router.post("/admin/projects/{project_id}/agents", response_model=MessageText)
async def assign_agent(
    project_id: PathId, body: AgentAssignIn, principal: PrincipalDep, projects: ProjectServiceDep
) -> MessageText:
    """Add an agent or admin to the project; assigning again updates ``is_lead``."""
    await projects.assign_agent(principal, project_id, body.user_id, is_lead=body.is_lead)
    return MessageText(message="Agent assigned to project")


@router.delete("/admin/projects/{project_id}/agents/{user_id}", response_model=MessageText)
async def remove_agent(
    project_id: PathId, user_id: PathId, principal: PrincipalDep, projects: ProjectServiceDep
) -> MessageText:
    """Remove an agent from a project.

    A user who is not assigned to the project is not found.
    """
    await projects.remove_agent(principal, project_id, user_id)
    return MessageText(message="Agent removed from project")


@router.post(
    "/admin/projects/{project_id}/api-keys",
    response_model=ApiKeyIssuedOut,
    status_code=status.HTTP_201_CREATED,
)
async def create_api_key(
    project_id: PathId, body: ApiKeyCreateIn, principal: PrincipalDep, keys: ApiKeyServiceDep
) -> ApiKeyIssuedOut:
    """Issue a key pair for the external API. The secret is shown in this response only."""
    new = NewProjectKey(name=body.name, allowed_ips=body.allowed_ips, expires_at=body.expires_at)
    issued = await keys.issue_for_project(principal, project_id, new)
    assert issued.raw_secret is not None
    return ApiKeyIssuedOut(
        api_key=issued.raw_key, api_secret=issued.raw_secret, key_id=issued.api_key.id
    )


@router.get("/admin/projects/{project_id}/api-keys", response_model=ApiKeyList)
async def list_api_keys(
    project_id: PathId, principal: PrincipalDep, keys: ApiKeyServiceDep
) -> ApiKeyList:
    """List a project's key pairs for the external API, never their secrets."""
    listed = await keys.list_for_project(principal, project_id)
    return ApiKeyList(api_keys=[ApiKeyOut.model_validate(key) for key in listed])


@router.delete("/admin/projects/{project_id}/api-keys/{key_id}", response_model=MessageText)
async def revoke_api_key(
    project_id: PathId, key_id: PathId, principal: PrincipalDep, keys: ApiKeyServiceDep
) -> MessageText:
    """Revoke a key pair: requests signed with it are refused from now on."""
    await keys.revoke_for_project(principal, project_id, key_id)
    return MessageText(message="API key revoked")


# ---------------------------------------------------------------------- users


@router.get("/admin/users", response_model=UserPage)
async def list_users(
    principal: PrincipalDep,
    accounts: AccountServiceDep,
    page: PageDep = 1,
    per_page: PerPageDep = 20,
    role: Role | None = None,
    search: SearchDep = None,
    active: bool | None = None,
) -> UserPage:
    """Users by name; search matches name or e-mail."""
    filters = UserFilters(role=role, search=_search(search), is_active=active)
    result = await accounts.list_page(principal, filters, PageRequest(page, per_page))
    return UserPage(
        data=[UserOut.model_validate(user) for user in result.items],
        current_page=result.page,
        last_page=result.last_page,
        total=result.total,
        per_page=result.per_page,
    )


@router.post("/admin/users", response_model=UserEnvelope, status_code=201)
async def create_user(
    body: UserCreateIn, principal: PrincipalDep, accounts: AccountServiceDep
) -> UserEnvelope:
    """Create a user; only a super_admin may create an admin."""
    new = NewAccount(
        name=body.name,
        email=str(body.email),
        password=body.password,
        department=body.department,
        phone=body.phone,
    )
    user = await accounts.create(principal, Role(body.role), new)
    return UserEnvelope(user=UserOut.model_validate(user))


@router.get("/admin/users/{user_id}", response_model=UserDetailEnvelope)
async def get_user(
    user_id: PathId, principal: PrincipalDep, accounts: AccountServiceDep
) -> UserDetailEnvelope:
    """Read a user, with the projects they belong to."""
    details = await accounts.get(principal, user_id)
    user = UserOut.model_validate(details.user)
    projects = [
        MembershipOut(id=p.id, name=p.name, slug=p.slug, is_lead=is_lead)
        for p, is_lead in details.projects
    ]
    return UserDetailEnvelope(user=UserDetail(**user.model_dump(), projects=projects))


@router.put("/admin/users/{user_id}", response_model=UserEnvelope)
async def update_user(
    user_id: PathId, body: UserUpdateIn, principal: PrincipalDep, accounts: AccountServiceDep
) -> UserEnvelope:
    """Update a user: only the fields sent change.

    Deactivating ends the user's tokens and API keys.
    """
    changes = AccountChanges(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        email=str(body.email) if body.email else None,
        role=body.role,
        is_active=body.is_active,
        department=body.department,
        phone=body.phone,
    )
    return UserEnvelope(
        user=UserOut.model_validate(await accounts.update(principal, user_id, changes))
    )


@router.delete("/admin/users/{user_id}", response_model=MessageText)
async def delete_user(
    user_id: PathId, principal: PrincipalDep, accounts: AccountServiceDep
) -> MessageText:
    """Delete a user (a soft delete); an admin cannot delete their own account."""
    await accounts.delete(principal, user_id)
    return MessageText(message="User deleted")
