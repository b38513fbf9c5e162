"""Domain errors raised by services; web/errors.py turns each into a page once."""


class DomainError(Exception):
    """A rule of the site refused an action. The message is shown to the person as is."""

    status_code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class Invalid(DomainError):
    """What was typed breaks a rule: a message per field, all of them at once, so the form can
    be shown again with every problem marked and nothing typed lost."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values()), ""))
        self.errors = errors


class NotAllowed(DomainError):
    status_code = 403


class SignInRequired(NotAllowed):
    """A visitor asked for a page that needs a signed-in person: they are sent to sign in."""


class NotFound(DomainError):
    status_code = 404


class InvalidTransition(DomainError):
    status_code = 409


class Gone(DomainError):
    status_code = 410


class Throttled(DomainError):
    status_code = 429

    def __init__(self, message: str = "", retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Busy(Throttled):
    """The site is doing as much of something costly as it can at once (PDFs): not the
    person's doing, so 503 rather than 429; they try again in a moment."""

    status_code = 503
