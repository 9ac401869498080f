"""What every job needs, built once per worker process and handed to jobs in arq's ctx."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.services.attachments import AttachmentStorage
from supportdesk.services.mailer import Mailer
from supportdesk.services.webhook_delivery import WebhookDispatcher, WebhookSender

CTX_KEY = "supportdesk"


@dataclass(frozen=True, slots=True)
class Resources:
    settings: Settings
    database: Database
    storage: AttachmentStorage
    mailer: Mailer
    webhooks: WebhookDispatcher

    @classmethod
    def build(
        cls,
        settings: Settings,
        database: Database | None = None,
        *,
        webhook_sender: WebhookSender | None = None,
    ) -> Resources:
        database = database or Database(settings.database_url)
        return cls(
            settings=settings,
            database=database,
            storage=AttachmentStorage(settings.attachments_dir, settings.max_attachment_bytes),
            mailer=Mailer(settings),
            webhooks=WebhookDispatcher(
                settings, database, webhook_sender or WebhookSender(settings)
            ),
        )


def make_ctx(resources: Resources, **extra: Any) -> dict[str, Any]:
    """A ctx as arq hands it to a job (``job_try`` counts from 1)."""
    return {CTX_KEY: resources, "job_try": 1, **extra}


def resources(ctx: dict[str, Any]) -> Resources:
    found: Resources = ctx[CTX_KEY]
    return found
