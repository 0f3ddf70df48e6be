"""Domain errors carry a message for the user; one handler shows them."""


class DomainError(Exception):
    """A rule of the domain refused the action. `message` is already translated."""

    status_code = 400

    def __init__(self, message: str, reasons: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.reasons = reasons or []


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class GuardFailed(DomainError):
    status_code = 409


class StaleCase(DomainError):
    """Someone else changed the case after this user loaded it."""

    status_code = 409
