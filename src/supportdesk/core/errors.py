"""Domain errors. Services raise these; each API surface renders them in its own envelope."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "BAD_REQUEST"
    default_message = "Bad request."

    def __init__(self, message: str | None = None, details: dict[str, list[str]] | None = None):
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)


class Unauthenticated(DomainError):
    status_code = 401
    code = "UNAUTHORIZED"
    default_message = "Unauthenticated."


class Forbidden(DomainError):
    status_code = 403
    code = "FORBIDDEN"
    default_message = "This action is unauthorized."


class MissingScope(Forbidden):
    """The principal lacks the scope an action needs; ``scope`` names it."""

    def __init__(self, scope: str, message: str | None = None):
        super().__init__(message)
        self.scope = scope


class CustomerMismatch(Forbidden):
    """A request acting for the customer at an address named a ticket of someone else."""

    default_message = "The customer email does not match this ticket."


class NotFound(DomainError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = "Resource not found."


class Conflict(DomainError):
    status_code = 409
    code = "CONFLICT"
    default_message = "The resource conflicts with the current state."


class PreconditionFailed(DomainError):
    """A change made conditional on a version of the resource that is no longer current."""

    status_code = 412
    code = "PRECONDITION_FAILED"
    default_message = "The ticket has changed since that version; read it again."


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The upload is too large."


class ValidationFailed(DomainError):
    status_code = 422
    code = "VALIDATION_FAILED"
    default_message = "Validation failed."

    @classmethod
    def field(cls, name: str, message: str) -> ValidationFailed:
        return cls(details={name: [message]})


class RateLimited(DomainError):
    status_code = 429
    code = "TOO_MANY_REQUESTS"
    default_message = "Too many requests."

    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = "The service is busy; try again shortly."


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = (
        "This Idempotency-Key was used with a different request; use a new key for a new request."
    )


class IdempotencyKeyInUse(Conflict):
    """The first request with this key is still running; ``retry_after`` in seconds."""

    default_message = (
        "A request with this Idempotency-Key is still being processed; retry after Retry-After."
    )

    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message)
        self.retry_after = retry_after
