"""Ticket rules (DESIGN.md §6), by concern. Every surface reads, opens and changes
tickets through these classes, in the vocabulary of ``records`` (and the list filters,
defined beside the queries that read them)."""

from supportdesk.repositories.tickets import TicketFilters
from supportdesk.services.tickets.conversation import TicketConversation
from supportdesk.services.tickets.intake import TicketIntake
from supportdesk.services.tickets.reads import TicketReads
from supportdesk.services.tickets.records import (
    TICKET_NUMBER_MAX_LENGTH,
    NewTicket,
    Precondition,
    TicketChanges,
    TicketKey,
)
from supportdesk.services.tickets.triage import TicketTriage

__all__ = [
    "TICKET_NUMBER_MAX_LENGTH",
    "NewTicket",
    "Precondition",
    "TicketChanges",
    "TicketConversation",
    "TicketFilters",
    "TicketIntake",
    "TicketKey",
    "TicketReads",
    "TicketTriage",
]
