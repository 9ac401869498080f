"""The principals this process resolved in the last few seconds, by credential.

Every request presents a credential, and most present one they presented a moment ago.
Resolving it (services/authentication.py) costs a query; this cache answers instead for
``principal_cache_seconds`` (config.py), so a burst of requests costs one lookup.

What is kept is a snapshot of plain column values, never an ORM instance: every request
gets its own instances, built from the snapshot and attached to its own session as if
just loaded (no statement), so services use ``principal.user`` (or ``.api_key``,
``.project``) exactly as they would a loaded row. A hit still re-checks everything that
depends on the request or on time: the credential kinds the surface accepts, a project
key's allowed addresses, and expiry (an entry lives no longer than the token or key it
stands for).

Revocation: whatever changes who a credential is or what it may do (logout, a user's
role, password, active state or deletion, a key's revocation or scopes, a project's
active state) calls :func:`forget` with the rows concerned. Their principals are dropped
in this process at once and again when that transaction commits, so the next request
sees the change. Other processes keep theirs until the entry expires: at most
``principal_cache_seconds``.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.auth.scopes import Scope
from supportdesk.models import Base

MAX_ENTRIES = 10_000

_COLUMNS: dict[type[Base], tuple[str, ...]] = {}


def credential_key(kind: str, *parts: str) -> bytes:
    """The cache key of a presented credential: a digest, so no secret is kept."""
    digest = hashlib.sha256(kind.encode())
    for part in parts:
        digest.update(b"\0" + part.encode())
    return digest.digest()


def _columns(model: type[Base]) -> tuple[str, ...]:
    names = _COLUMNS.get(model)
    if names is None:
        names = _COLUMNS[model] = tuple(attr.key for attr in sa_inspect(model).column_attrs)
    return names


def _copy(value: Any) -> Any:
    """A private copy of a JSON value, so no request mutates another's (or the cache's)."""
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class RowSnapshot:
    """The column values of one loaded row."""

    model: type[Base]
    values: dict[str, Any]

    @property
    def id(self) -> int:
        row_id: int = self.values["id"]
        return row_id

    @classmethod
    def of(cls, row: Base) -> RowSnapshot | None:
        """None when a column is not loaded: such a row is not cached."""
        model = type(row)
        loaded = sa_inspect(row).dict
        names = _columns(model)
        if any(name not in loaded for name in names):
            return None
        return cls(model, {name: _copy(loaded[name]) for name in names})

    def attach(
        self, session: Session, relations: dict[str, Base | None] | None = None, **overrides: Any
    ) -> Any:
        """This row as a persistent instance of ``session``, without a statement.

        The session's own instance when it already holds the row; else a new one, loaded
        with a copy of the snapshot (and ``relations`` as loaded relationships).
        """
        key = identity_key(self.model, self.id)
        held = session.identity_map.get(key)
        if held is not None:
            return held
        row = sa_inspect(self.model).class_manager.new_instance()
        values = {name: _copy(value) for name, value in self.values.items()}
        values.update(overrides)
        if relations:
            values.update(relations)
        row.__dict__.update(values)
        make_transient_to_detached(row)
        session.add(row)
        return row


@dataclass(slots=True)
class CachedPrincipal:
    """A resolved principal, as plain data, until ``valid_until``."""

    kind: PrincipalKind
    scopes: frozenset[Scope]
    user: RowSnapshot | None
    api_key: RowSnapshot | None
    project: RowSnapshot | None
    # The key's own relationships (its agent is the principal's user, its project the
    # principal's project, whenever the principal has one; its user is an internal
    # key's author).
    key_agent: RowSnapshot | None
    key_project: RowSnapshot | None
    key_user: RowSnapshot | None
    cached_at: datetime
    valid_until: datetime
    # The last stamp of the key's last_used_at (services/authentication.py: _touch).
    last_used_at: datetime | None = None
    allowed_ips: tuple[str, ...] = ()
    # The users, API keys and projects whose change drops this entry, in that order.
    ids: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]] = field(default=((), (), ()))

    @classmethod
    def of(cls, principal: Principal, now: datetime, until: datetime) -> CachedPrincipal | None:
        """The cache entry of a principal just resolved; None if it cannot be kept."""
        snapshots: dict[int, RowSnapshot | None] = {}

        def snap(row: Base | None) -> RowSnapshot | None:
            if row is None:
                return None
            if id(row) not in snapshots:
                snapshots[id(row)] = RowSnapshot.of(row)
            return snapshots[id(row)]

        api_key = principal.api_key
        key_agent = key_project = key_user = None
        if api_key is not None:
            loaded = sa_inspect(api_key).dict
            if any(name not in loaded for name in ("agent", "project", "user")):
                return None
            key_agent, key_project, key_user = loaded["agent"], loaded["project"], loaded["user"]
        rows = (principal.user, api_key, principal.project, key_agent, key_project, key_user)
        snaps = [snap(row) for row in rows]
        if any(
            row is not None and snapshot is None for row, snapshot in zip(rows, snaps, strict=True)
        ):
            return None
        user, key, project, agent, key_proj, key_user_snap = snaps
        users = {s.id for s in (user, agent, key_user_snap) if s is not None}
        projects = {s.id for s in (project, key_proj) if s is not None}
        return cls(
            kind=principal.kind,
            scopes=principal.scopes,
            user=user,
            api_key=key,
            project=project,
            key_agent=agent,
            key_project=key_proj,
            key_user=key_user_snap,
            cached_at=now,
            valid_until=until,
            last_used_at=key.values["last_used_at"] if key is not None else None,
            allowed_ips=tuple(key.values["allowed_ips"] or ()) if key is not None else (),
            ids=(tuple(users), (key.id,) if key is not None else (), tuple(projects)),
        )

    def principal(self, session: AsyncSession, ip_address: str | None) -> Principal:
        """The principal for one request, its rows attached to that request's session."""
        sync = session.sync_session
        user = self.user.attach(sync) if self.user is not None else None
        project = self.project.attach(sync) if self.project is not None else None
        api_key = None
        if self.api_key is not None:
            relations = {
                "agent": self.key_agent.attach(sync) if self.key_agent is not None else None,
                "project": self.key_project.attach(sync) if self.key_project is not None else None,
                "user": self.key_user.attach(sync) if self.key_user is not None else None,
            }
            api_key = self.api_key.attach(sync, relations, last_used_at=self.last_used_at)
        return Principal(
            self.kind,
            self.scopes,
            user=user,
            api_key=api_key,
            project=project,
            ip_address=ip_address,
        )


class PrincipalCache:
    """Entries by credential digest, least recently used dropped first, with an index
    from every user, API key and project to the entries that hold it."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, CachedPrincipal] = OrderedDict()
        self._index: tuple[dict[int, set[bytes]], ...] = ({}, {}, {})
        # Moves on every forget: a lookup that began before one is not stored after it,
        # as it may have read the rows as they were.
        self.generation = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: bytes, now: datetime) -> CachedPrincipal | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        # Expired, or the clock went back: resolved again.
        if not entry.cached_at <= now < entry.valid_until:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: bytes, entry: CachedPrincipal, *, generation: int) -> None:
        if generation != self.generation:
            return
        self._drop(key)
        self._entries[key] = entry
        for index, ids in zip(self._index, entry.ids, strict=True):
            for row_id in ids:
                index.setdefault(row_id, set()).add(key)
        while len(self._entries) > self.max_entries:
            self._drop(next(iter(self._entries)))

    def forget(
        self,
        *,
        users: Iterable[int] = (),
        api_keys: Iterable[int] = (),
        projects: Iterable[int] = (),
    ) -> None:
        """Drop every entry holding one of these users, keys or projects."""
        self.generation += 1
        for index, ids in zip(self._index, (users, api_keys, projects), strict=True):
            for row_id in ids:
                for key in index.get(row_id, set()).copy():
                    self._drop(key)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
        for index in self._index:
            index.clear()

    def _drop(self, key: bytes) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for index, ids in zip(self._index, entry.ids, strict=True):
            for row_id in ids:
                keys = index.get(row_id)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[row_id]


# One per process: every server worker process has its own.
principals = PrincipalCache()

_PENDING = "supportdesk.principal_cache.pending"


@dataclass(slots=True)
class _Pending:
    users: set[int] = field(default_factory=set)
    api_keys: set[int] = field(default_factory=set)
    projects: set[int] = field(default_factory=set)


def forget(
    session: AsyncSession,
    *,
    users: Iterable[int] = (),
    api_keys: Iterable[int] = (),
    projects: Iterable[int] = (),
) -> None:
    """Drop the principals of these rows now, and again once ``session`` commits.

    Now: this request's own later lookups see the change. After the commit: a request
    that read the rows before the change was committed cannot keep them cached.
    """
    user_ids, key_ids, project_ids = set(users), set(api_keys), set(projects)
    principals.forget(users=user_ids, api_keys=key_ids, projects=project_ids)
    sync = session.sync_session
    pending = sync.info.get(_PENDING)
    if pending is None:
        pending = sync.info[_PENDING] = _Pending()
        event.listen(sync, "after_commit", _forget_committed)
    pending.users |= user_ids
    pending.api_keys |= key_ids
    pending.projects |= project_ids


def _forget_committed(session: Session) -> None:
    pending: _Pending | None = session.info.get(_PENDING)
    if pending is None:
        return
    principals.forget(users=pending.users, api_keys=pending.api_keys, projects=pending.projects)
    pending.users.clear()
    pending.api_keys.clear()
    pending.projects.clear()
