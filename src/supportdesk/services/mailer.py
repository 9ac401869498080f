"""Outgoing e-mail over SMTP (``SUPPORTDESK_SMTP_*``); no host configured, no e-mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from supportdesk.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str


def header_value(text: str) -> str:
    """``text`` on one line, as a header must be: each line break (with the blanks around
    it) becomes one space.

    Header values come from what people typed (a ticket's subject); the e-mail library
    refuses a line break in one, and the send would fail on every retry.
    """
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def enabled(self) -> bool:
        return bool(self.settings.smtp_host)

    async def send(self, email: OutgoingEmail) -> None:
        """Send one e-mail; a refusal or an unreachable server raises (the job retries)."""
        if not self.enabled:
            return
        settings = self.settings
        message = EmailMessage()
        message["From"] = header_value(settings.smtp_from)
        message["To"] = header_value(email.to)
        message["Subject"] = header_value(email.subject)
        message.set_content(email.body)
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=password if settings.smtp_username else None,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout,
        )
        log.info("e-mail %r sent to %s", email.subject, email.to)
