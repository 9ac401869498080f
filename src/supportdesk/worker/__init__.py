"""Background jobs (DESIGN.md §7): the outbox relay, event handlers and cron jobs.

``supportdesk worker`` runs them on arq and Redis; without a Redis URL ``serve`` runs the
same functions in-process on the same schedule (``worker.inprocess``).
"""
