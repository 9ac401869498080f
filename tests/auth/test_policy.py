"""Who may do what: every kind of principal against every scope, and the rules beyond scopes.

The tables here are written out from the references (seed 003's role table, seed 000's
key scopes), not computed from auth/scopes.py, so a change to what a role holds shows
up as a failing row.
"""

from __future__ import annotations

import pytest

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.auth.scopes import ALL, KEY_SCOPES, Scope
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.core.errors import Forbidden
from supportdesk.models import ApiKey, Project, Ticket, User

S = Scope

CUSTOMER = {
    S.TICKETS_CREATE,
    S.TICKETS_LIST,
    S.TICKETS_READ,
    S.REPLIES_CREATE,
    S.TICKETS_RATE,
    S.MESSAGES_LIST,
    S.LABELS_LIST,
    S.LABELS_READ,
    S.KNOWLEDGE_ARTICLES_LIST,
    S.KNOWLEDGE_ARTICLES_READ,
}
AGENT = (CUSTOMER - {S.TICKETS_RATE}) | {
    S.TICKETS_UPDATE,
    S.TICKETS_STATUS,
    S.TICKETS_ASSIGN,
    S.TICKETS_PRIORITY,
    S.MESSAGES_CREATE,
    S.NOTES_CREATE,
    S.REPORTS_READ,
    S.CANNED_RESPONSES_USE,
    S.LABELS_CREATE,
    S.CUSTOMERS_LIST,
    S.CUSTOMERS_READ,
    S.AGENTS_LIST,
    S.AGENTS_READ,
}
EVERYTHING = set(Scope)
PROJECT = {S.TICKETS_CREATE, S.TICKETS_LIST, S.TICKETS_READ, S.REPLIES_CREATE, S.TICKETS_RATE}
# A key given tickets:update and messages:create performs what those endpoints do.
TRIAGE_KEY = {
    S.TICKETS_UPDATE,
    S.TICKETS_STATUS,
    S.TICKETS_ASSIGN,
    S.TICKETS_PRIORITY,
    S.MESSAGES_CREATE,
    S.REPLIES_CREATE,
    S.NOTES_CREATE,
}


def _user(role: Role, user_id: int = 1) -> User:
    return User(id=user_id, name=str(role), email=f"{role}@example.test", role=role)


def _key(scopes: list[str], key_type: ApiKeyType = ApiKeyType.INTERNAL, key_id: int = 7) -> ApiKey:
    return ApiKey(id=key_id, name="key", type=key_type, scopes=scopes)


PRINCIPALS: dict[str, tuple[Principal, set[Scope]]] = {
    "super_admin": (Principal.for_user(_user(Role.SUPER_ADMIN)), EVERYTHING),
    "admin": (Principal.for_user(_user(Role.ADMIN)), EVERYTHING),
    "agent": (Principal.for_user(_user(Role.AGENT)), AGENT),
    "customer": (Principal.for_user(_user(Role.CUSTOMER)), CUSTOMER),
    "agent key": (
        Principal.for_agent_key(_key([ALL], ApiKeyType.EXTERNAL), _user(Role.AGENT)),
        AGENT,
    ),
    "internal key *": (Principal.for_internal_key(_key([ALL])), EVERYTHING),
    "internal key tickets:update, messages:create": (
        Principal.for_internal_key(_key(["tickets:update", "messages:create"])),
        TRIAGE_KEY,
    ),
    "internal key with a retired scope": (
        Principal.for_internal_key(_key(["reports:legacy"])),
        set(),
    ),
    "project": (
        Principal.for_project(_key([], ApiKeyType.PROJECT), Project(id=3, name="Shop")),
        PROJECT,
    ),
    "system": (Principal.system(), EVERYTHING),
}


@pytest.mark.parametrize("name", list(PRINCIPALS))
def test_each_principal_holds_exactly_its_scopes(name: str) -> None:
    principal, allowed = PRINCIPALS[name]
    held = {scope for scope in Scope if principal.can(scope)}
    assert sorted(held - allowed) == []  # granted beyond the table
    assert sorted(allowed - held) == []  # refused against the table


def test_require_refuses_a_missing_scope_with_the_message_given() -> None:
    customer, _ = PRINCIPALS["customer"]
    with pytest.raises(Forbidden, match="Only staff"):
        customer.require(Scope.TICKETS_UPDATE, "Only staff can do that.")


def test_keys_choose_only_from_the_internal_api_catalogue() -> None:
    assert S.TICKETS_UPDATE in KEY_SCOPES
    assert S.API_KEYS_DELETE in KEY_SCOPES
    assert not {S.NOTES_CREATE, S.TICKETS_PRIORITY, S.USERS_MANAGE} & set(KEY_SCOPES)


@pytest.mark.parametrize(
    ("name", "staff", "oversees"),
    [
        ("super_admin", True, True),
        ("admin", True, True),
        ("agent", True, False),
        ("customer", False, False),
        ("agent key", True, False),
        ("internal key *", True, True),
        ("internal key tickets:update, messages:create", True, True),
        ("project", False, False),
        ("system", True, True),
    ],
)
def test_staff_and_hub_oversight_follow_the_kind_and_role(
    name: str, staff: bool, oversees: bool
) -> None:
    principal, _ = PRINCIPALS[name]
    assert policy.is_staff(principal) is staff
    assert policy.oversees_hub(principal) is oversees


def test_only_projects_speak_for_customers() -> None:
    for name, (principal, _) in PRINCIPALS.items():
        assert policy.speaks_for_customers(principal) is (name == "project")


def test_projects_and_internal_keys_act_for_a_customer_named_by_email() -> None:
    for principal, _ in PRINCIPALS.values():
        expected = principal.kind in (PrincipalKind.PROJECT, PrincipalKind.INTERNAL_KEY)
        assert policy.acts_for_named_customers(principal) is expected


def test_only_portal_agents_are_held_to_their_projects_when_opening_tickets() -> None:
    for name, (principal, _) in PRINCIPALS.items():
        assert policy.works_in_assigned_projects(principal) is (name == "agent")


def test_a_ticket_is_owned_by_its_customer_and_its_creator() -> None:
    customer = Principal.for_user(_user(Role.CUSTOMER, user_id=5))
    assert policy.owns_ticket(customer, Ticket(customer_id=5, creator_id=9))
    assert policy.owns_ticket(customer, Ticket(customer_id=None, creator_id=5))
    assert not policy.owns_ticket(customer, Ticket(customer_id=6, creator_id=6))
    assert not policy.owns_ticket(PRINCIPALS["internal key *"][0], Ticket(customer_id=None))


@pytest.mark.parametrize(
    ("actor", "target", "grants", "refused"),
    [
        (Role.SUPER_ADMIN, Role.SUPER_ADMIN, Role.ADMIN, None),
        (Role.ADMIN, Role.AGENT, None, None),
        (Role.ADMIN, Role.CUSTOMER, Role.AGENT, None),
        (Role.ADMIN, Role.SUPER_ADMIN, None, "change a super admin"),
        (Role.ADMIN, None, Role.ADMIN, None),
        (Role.ADMIN, Role.AGENT, Role.ADMIN, None),
        (Role.ADMIN, None, Role.SUPER_ADMIN, "create super admins"),
        (Role.ADMIN, Role.AGENT, Role.SUPER_ADMIN, "create super admins"),
    ],
)
def test_only_a_super_admin_hands_out_the_super_admin_role(
    actor: Role, target: Role | None, grants: Role | None, refused: str | None
) -> None:
    principal = Principal.for_user(_user(actor))
    account = _user(target, user_id=2) if target is not None else None
    if refused is None:
        policy.require_authority(principal, target=account, grants=grants)
    else:
        with pytest.raises(Forbidden, match=refused):
            policy.require_authority(principal, target=account, grants=grants)


def test_own_account_is_the_users_own_or_the_agent_a_key_acts_as() -> None:
    agent = _user(Role.AGENT, user_id=4)
    assert policy.is_own_account(Principal.for_user(agent), agent)
    assert policy.is_own_account(Principal.for_agent_key(_key([ALL]), agent), agent)
    assert not policy.is_own_account(Principal.for_user(_user(Role.ADMIN, 9)), agent)


class TestGrantingScopes:
    def test_a_key_grants_the_scopes_it_holds(self) -> None:
        key = Principal.for_internal_key(_key(["api-keys:create", "tickets:list"]))
        policy.require_may_grant(key, ["tickets:list"])

    def test_a_key_cannot_grant_a_scope_it_lacks(self) -> None:
        key = Principal.for_internal_key(_key(["api-keys:create"]))
        with pytest.raises(Forbidden, match="settings:update"):
            policy.require_may_grant(key, ["settings:update"])

    def test_only_a_star_key_grants_star(self) -> None:
        every_scope_listed = Principal.for_internal_key(_key([str(s) for s in KEY_SCOPES]))
        with pytest.raises(Forbidden, match=r"\*"):
            policy.require_may_grant(every_scope_listed, [ALL])
        policy.require_may_grant(Principal.for_internal_key(_key([ALL])), [ALL])

    def test_an_admin_grants_star(self) -> None:
        policy.require_may_grant(Principal.for_user(_user(Role.ADMIN)), [ALL])

    def test_an_agent_key_does_not_grant_star_by_its_stored_star(self) -> None:
        agent_key = Principal.for_agent_key(_key([ALL], ApiKeyType.EXTERNAL), _user(Role.AGENT))
        with pytest.raises(Forbidden):
            policy.require_may_grant(agent_key, [ALL])

    def test_a_key_never_changes_its_own_scopes(self) -> None:
        key = Principal.for_internal_key(_key([ALL], key_id=7))
        with pytest.raises(Forbidden, match="its own scopes"):
            policy.require_may_grant(key, ["tickets:list"], key_id=7)
        policy.require_may_grant(key, ["tickets:list"], key_id=8)


def test_principal_kinds_are_all_in_the_table() -> None:
    kinds = {principal.kind for principal, _ in PRINCIPALS.values()}
    assert kinds == set(PrincipalKind)
