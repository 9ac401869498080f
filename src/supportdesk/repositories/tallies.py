"""Ticket totals added up from ``ticket_tallies`` instead of counted from ``tickets``.

Triggers keep the tallies (migration 0005): every insert, delete or change of a
ticket's project, status, priority, assignee or deletion appends a +1/-1 row in the
writing transaction. Appending never waits on another writer's row, as a counter
updated in place would; :meth:`TallyRepository.compact` folds the rows into one per
group from time to time, so a sum reads a number of rows bounded by the hub's projects,
statuses, priorities and agents — never by its tickets.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, func, insert, select, text

from supportdesk.models import TicketTally
from supportdesk.repositories.base import Repository

_GROUP = (
    TicketTally.project_id,
    TicketTally.status,
    TicketTally.priority,
    TicketTally.assignee_id,
    TicketTally.breached,
)


# Only groups with more than one row are folded: a group already down to one row is not
# rewritten every minute (which would leave the table mostly dead rows to vacuum).
_FOLD_ON_POSTGRESQL = text(
    "WITH spread AS ("
    " SELECT project_id, status, priority, assignee_id, breached FROM ticket_tallies"
    " GROUP BY project_id, status, priority, assignee_id, breached HAVING count(*) > 1),"
    " folded AS ("
    " DELETE FROM ticket_tallies AS tally USING spread"
    " WHERE tally.project_id = spread.project_id AND tally.status = spread.status"
    " AND tally.priority = spread.priority AND tally.breached = spread.breached"
    " AND tally.assignee_id IS NOT DISTINCT FROM spread.assignee_id"
    " RETURNING tally.project_id, tally.status, tally.priority, tally.assignee_id,"
    " tally.breached, tally.tickets)"
    " INSERT INTO ticket_tallies (project_id, status, priority, assignee_id, breached, tickets)"
    " SELECT project_id, status, priority, assignee_id, breached, sum(tickets) FROM folded"
    " GROUP BY project_id, status, priority, assignee_id, breached HAVING sum(tickets) <> 0"
)


class TallyRepository(Repository):
    async def total(self, *where: ColumnElement[bool]) -> int:
        """Live tickets in the groups matching ``where`` (conditions on TicketTally)."""
        summed = select(func.coalesce(func.sum(TicketTally.tickets), 0)).where(*where)
        return int(await self.session.scalar(summed) or 0)

    async def compact(self) -> None:
        """Fold the rows of each group into one (groups summing to 0 disappear).

        On PostgreSQL one statement deletes the rows it sees and inserts their sums, so
        a row committed meanwhile by a writer is neither lost nor counted twice. SQLite
        has one writer at a time: two statements in this transaction are as safe.
        """
        if self.is_postgresql:
            await self.session.execute(_FOLD_ON_POSTGRESQL)
            return
        last = await self.session.scalar(select(func.max(TicketTally.id)))
        if last is None:
            return
        sums = (
            select(*_GROUP, func.sum(TicketTally.tickets))
            .where(TicketTally.id <= last)
            .group_by(*_GROUP)
            .having(func.sum(TicketTally.tickets) != 0)
        )
        await self.session.execute(
            insert(TicketTally).from_select([*_GROUP, TicketTally.tickets], sums)
        )
        await self.session.execute(delete(TicketTally).where(TicketTally.id <= last))
