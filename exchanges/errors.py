"""One error hierarchy for every venue.

    ExchangeError                 anything the adapter layer raises
    ├── AuthenticationError       the venue rejected the key, signature or nonce
    │   └── PermissionDenied      the key is valid but lacks the right (trade, withdraw, IP)
    ├── InsufficientFunds         not enough free balance for the order
    ├── InvalidOrder              the venue (or local validation) refused the order's terms
    │   └── OrderNotFound         no such order (already filled, cancelled, or never existed)
    ├── BadSymbol                 the symbol is not a market of this venue
    ├── BadResponse               a reply that could not be understood
    ├── NotSupported              the venue has no such call
    ├── RateLimitExceeded         the venue asked us to slow down
    └── NetworkError              the request may not have reached the venue, or its reply was lost
        ├── RequestTimeout        no reply within the time limit
        ├── ExchangeNotAvailable  the venue is down, in maintenance, closed, or has no adapter yet
        └── OrderStatusUnknown    an order was sent but its fate could not be confirmed yet

Messages name the venue and say what happened in a trader's words. They never contain a key or
a secret: `scrub()` is applied to every message built from venue text.
"""
from __future__ import annotations

__all__ = [
    "ExchangeError", "AuthenticationError", "PermissionDenied", "InsufficientFunds",
    "InvalidOrder", "OrderNotFound", "BadSymbol", "BadResponse", "NotSupported",
    "RateLimitExceeded", "NetworkError", "RequestTimeout", "ExchangeNotAvailable",
    "OrderStatusUnknown",
]


class ExchangeError(Exception):
    """Base of every error the adapter layer raises.

    `http_status`: the reply's HTTP status when the error came from a reply (else None).
    `request_sent`: False when nothing left this machine (the connection was never made)."""

    http_status: int | None = None
    request_sent: bool = True

    def __init__(self, exchange: str, message: str, *, endpoint: str | None = None,
                 code: str | None = None) -> None:
        self.exchange = exchange
        self.endpoint = endpoint
        self.code = code
        self.reason = message
        where = f" ({endpoint})" if endpoint else ""
        super().__init__(f"{exchange}{where}: {message}")


class AuthenticationError(ExchangeError):
    """Raised when the venue rejects the API key, the signature or the nonce."""


class PermissionDenied(AuthenticationError):
    """Raised when the key is valid but may not do this (trading disabled, IP not whitelisted)."""


class InsufficientFunds(ExchangeError):
    """Raised when the account has too little free balance for the order."""


class InvalidOrder(ExchangeError):
    """Raised when an order's side, type, price or amount is refused (locally or by the venue)."""


class OrderNotFound(InvalidOrder):
    """Raised when the venue has no such order."""


class BadSymbol(ExchangeError):
    """Raised when a symbol is not a market of this venue."""


class BadResponse(ExchangeError):
    """Raised when the venue's reply is malformed or of an unexpected shape."""


class NotSupported(ExchangeError):
    """Raised when the venue does not offer the requested call."""


class RateLimitExceeded(ExchangeError):
    """Raised when the venue throttles us; `retry_after` is in seconds when the venue says."""

    def __init__(self, exchange: str, message: str, *, retry_after: float | None = None,
                 **kw) -> None:
        super().__init__(exchange, message, **kw)
        self.retry_after = retry_after


class NetworkError(ExchangeError):
    """Raised when the request or its reply was lost on the way."""


class RequestTimeout(NetworkError):
    """Raised when the venue did not answer within the time limit."""


class ExchangeNotAvailable(NetworkError):
    """Raised when the venue is down, in maintenance, closed for good, or not built yet."""


class OrderStatusUnknown(NetworkError):
    """Raised when an order was sent but neither its acceptance nor its rejection is confirmed.

    `client_order_id` identifies it; the caller must look it up (never re-send it blindly).
    """

    def __init__(self, exchange: str, message: str, *, client_order_id: str | None = None,
                 **kw) -> None:
        super().__init__(exchange, message, **kw)
        self.client_order_id = client_order_id
