"""Endpoints as data: what a venue declares instead of writing request code.

    api = {
        "order_book": GET("/api/v3/depth", cap=5000, weight=depth_weight,
                          params=lambda m, limit: {"symbol": m.id, "limit": limit}),
        "open_orders": GET("/api/v5/trade/orders-pending", signed=True, rows="data",
                           paging=After("after", key=lambda o: o["ordId"], size=100)),
    }

The names are the contract's calls (see `ENDPOINTS`); the base class turns them into calls:
it fills the path from the parameters (`/v2/book/{symbol}/P0`), puts the rest in the query or
the body, paces the request in its bucket (orders first), unwraps the reply envelope, follows
the pages, and hands the rows to the venue's small pure parsers.
"""
from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Endpoint", "GET", "POST", "DELETE", "PUT", "Cursor", "After", "Pages",
           "ENDPOINTS", "ORDER_WRITES", "fill_path", "unwrap"]

# Each endpoint name and the arguments its `params` builder receives (market: a Market, or
# None for "every market"; timeframe: the venue's own value from `timeframes`).
ENDPOINTS = {
    "server_time": (),
    "markets": (),
    "tickers": ("markets",),                # list of Market, or None for all
    "ticker": ("market",),
    "order_book": ("market", "limit"),
    "ohlcv": ("market", "timeframe", "since", "limit"),
    "trades": ("market", "limit"),
    "balance": (),
    "create_order": ("market", "side", "type", "amount", "price", "client_order_id",
                     "options"),
    "cancel_order": ("market", "order_id"),
    "order": ("market", "order_id"),
    "closed_order": ("market", "order_id"),  # where "order" sees open orders only (Bitfinex)
    "order_by_client_id": ("market", "client_order_id"),
    "open_orders": ("market",),
    "closed_orders": ("market",),
    "my_trades": ("market", "since", "limit"),
}
# Endpoints that change an order: their own bucket where the venue has one, and first in line.
ORDER_WRITES = frozenset({"create_order", "cancel_order"})


@dataclass(frozen=True, slots=True)
class Cursor:
    """The reply names the next page: `next(reply)` is the value for `param` (None: done)."""
    param: str
    next: Callable[[object], object]


@dataclass(frozen=True, slots=True)
class After:
    """Each page continues after the last row of the one before: `param` = key(last row). A
    page with fewer than `size` rows is the last. (OKX's `after=<ordId>`: older orders.)"""
    param: str
    key: Callable[[object], object]
    size: int
    size_param: str | None = "limit"
    replaces: tuple[str, ...] = ()      # parameters of the first page the marker replaces


@dataclass(frozen=True, slots=True)
class Pages:
    """Numbered pages (`kind="page"`, counting from `start`) or row offsets (`kind="offset"`),
    `size` rows each; a short page is the last."""
    param: str
    size: int
    size_param: str | None = "limit"
    kind: str = "page"
    start: int = 1


Paging = Cursor | After | Pages


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One REST endpoint of a venue, exactly as the venue documents it.

    rows: the reply's envelope: a key ("data"), a dotted path ("result.open"), or a callable
      reply → rows; `keyed`: they are a mapping market id → row (else a dict is one row). cap: the largest `limit` the venue takes in one request. body: where a
      non-GET request's parameters go: "json", "json_numbers" (Decimals as JSON numbers),
      "form" or "query" (default: the venue's
      `body_format`). weight: a number, or a callable of the parameters. bucket: the rate-limit
      bucket (default "orders" for order writes, "private" for signed calls, else "public").
      client_id: the parameter by which the venue filters this listing to one client order
      id (Kraken's `cl_ord_id` on OpenOrders/ClosedOrders): the lookup by client id then asks
      for that order alone instead of reading every page of the account's history.
      newest_first: the venue lists newest first (OKX fills-history, Kraken TradesHistory):
      asked from `since` with a `limit`, every page back to `since` is read, since the first
      `limit` rows would be the newest, not the oldest after `since`.
    """
    method: str
    path: str
    signed: bool = False
    params: Callable | None = None
    rows: str | Callable | None = None
    weight: float | Callable[[dict], float] = 1
    bucket: str | None = None
    idempotent: bool | None = None
    cap: int | None = None
    paging: Paging | None = None
    host: str | None = None
    body: str | None = None
    decode: Callable | None = None
    keyed: bool = False         # the rows are a mapping of market id (or key) → row
    client_id: str | None = None
    newest_first: bool = False


def GET(path: str, **kw) -> Endpoint:
    return Endpoint("GET", path, **kw)


def POST(path: str, **kw) -> Endpoint:
    return Endpoint("POST", path, **kw)


def DELETE(path: str, **kw) -> Endpoint:
    return Endpoint("DELETE", path, **kw)


def PUT(path: str, **kw) -> Endpoint:
    return Endpoint("PUT", path, **kw)


def fill_path(path: str, params: Mapping | list | None) -> tuple[str, object]:
    """`/v2/book/{symbol}/P0` filled from `params`; the fields it used leave the parameters."""
    fields = [f for _, f, _, _ in string.Formatter().parse(path) if f]
    if not fields:
        return path, params
    items = dict(params.items() if isinstance(params, Mapping) else params or ())
    path = path.format_map({f: items.pop(f) for f in fields})
    return path, items


def unwrap(reply: object, rows: str | Callable | None) -> object:
    """The part of a reply the parsers want (the envelope taken off)."""
    if rows is None:
        return reply
    if callable(rows):
        return rows(reply)
    for key in rows.split("."):
        reply = reply[key]
    return reply
