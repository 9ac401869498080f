from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class Repository:
    """Holds the request's session. Repositories query and flush; they never commit."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name
