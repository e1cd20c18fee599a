"""One error tree for every provider.

Callers catch `SwitchboardError` for a message fit for a modal, or a narrower class to
decide what to do next (the send engine retries `RateLimited` and `ConnectFailed`,
marks `OutcomeUnknown` recipients UNKNOWN, and pauses on `AuthError`/`PaymentRequired`).
"""

from __future__ import annotations


class SwitchboardError(Exception):
    """Base of every error the application shows to a user."""

    title = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(SwitchboardError):
    """Account settings are missing or unreadable."""

    title = "Configuration error"


class NotSupported(SwitchboardError):
    """The provider does not offer this capability."""

    title = "Not supported"


class ProviderError(SwitchboardError):
    """The provider answered with an error.

    Attributes:
        status: HTTP status code of the answer.
        code: provider error code (may be a string for some providers), or None.
        retry_after: seconds the provider asked us to wait, if it said.
    """

    title = "Provider error"

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | str | None = None,
        retry_after: float | None = None,
        provider: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.provider = provider

    def __str__(self) -> str:
        code = f" (code {self.code})" if self.code is not None else ""
        return f"{self.provider or 'provider'} answered HTTP {self.status}{code}: {self.message}"


class BadRequest(ProviderError):
    """400/422: the request was refused as invalid; sending it again will not help."""

    title = "Request refused"


class AuthError(ProviderError):
    """401/403: credentials unknown, expired or not allowed from this address."""

    title = "Authentication failed"


class PaymentRequired(ProviderError):
    """402: not enough credit."""

    title = "Not enough credit"


class NotFound(ProviderError):
    """404: the resource does not exist."""

    title = "Not found"


class RateLimited(ProviderError):
    """429: too many requests; `retry_after` says how long to wait if the provider said."""

    title = "Rate limited"


class ServerError(ProviderError):
    """5xx: the provider failed; for a send, the outcome is unknown."""

    title = "Provider failure"


class MalformedResponse(ProviderError):
    """A 2xx answer we could not parse; for a send, the outcome is unknown."""

    title = "Unexpected answer"


class AnswerTooLarge(MalformedResponse):
    """The answer exceeded the size cap (counted decompressed); for a send, outcome unknown."""

    title = "Answer too large"


class TransportError(SwitchboardError):
    """The HTTP exchange failed below the provider's level."""

    title = "Network error"


class ConnectFailed(TransportError):
    """The request never left: connection refused, DNS failure, connect timeout."""


class OutcomeUnknown(TransportError):
    """The request may have reached the provider: read timeout or dropped connection."""


class InvalidInput(SwitchboardError, ValueError):
    """Input refused before any request: a field the provider has not got, a missing one.

    Also a ValueError, so callers that check input (the CLI) report it as a usage error.
    """

    title = "Invalid input"


class DeadlineExceeded(OutcomeUnknown):
    """No whole answer within the call's deadline: the request may have been processed."""

    title = "No answer in time"
