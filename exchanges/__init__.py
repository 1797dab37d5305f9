"""Exchange Atlas adapter layer: asyncio, no Qt, usable from a plain script.

    import asyncio, exchanges

    async def main():
        async with exchanges.create("demo") as ex:
            print(await ex.fetch_ticker("BTC/USD"))

    asyncio.run(main())
"""
from .errors import (
    AuthenticationError, BadResponse, BadSymbol, ExchangeError, ExchangeNotAvailable,
    InsufficientFunds, InvalidOrder, NetworkError, NotSupported, OrderNotFound,
    OrderStatusUnknown, PermissionDenied, RateLimitExceeded, RequestTimeout,
)
from .portfolio import Valuation, value_in
from .crossvenue import consolidated_book, plan_fill
from .registry import VenueEntry, by_country, create, registry
from .types import Balance, Candle, Credentials, Market, Order, OrderBook, Ticker, Trade

__all__ = [
    "create", "registry", "by_country", "VenueEntry", "consolidated_book", "plan_fill",
    "Market", "Ticker", "OrderBook", "Candle", "Trade", "Balance", "Order", "Credentials",
    "ExchangeError", "AuthenticationError", "PermissionDenied", "InsufficientFunds",
    "InvalidOrder", "OrderNotFound", "BadSymbol", "BadResponse", "NotSupported",
    "RateLimitExceeded", "NetworkError", "RequestTimeout", "ExchangeNotAvailable",
    "OrderStatusUnknown", "value_in", "Valuation",
]
