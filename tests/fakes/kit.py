"""The fake-server kit: what every fake venue shares, so a venue's fake is its wire format.

A venue's fake (a `KitVenue`) declares its routes, how it checks a signature (`check_auth`),
and its reply and frame shapes. The kit holds the state a venue keeps and the faults a test
injects:

- `ServerBook`: a book whose levels are the venue's own text, with a sequence number; the
  truth a client's local book is compared with.
- `OrderStore`: orders as a venue keeps them: limit orders rest and hold funds, market orders
  fill at once against the book (one fill per level they take), every order found by id or client id in any state, fills
  kept (with fees) for `my_trades`, balances free and used.
- faults (`self.faults`, see base.Faults): fail the next request, garble a success reply, drop
  a reply after the venue acted; on streams: lose the next book frame (`gap_next`), refuse the
  next subscription (`refuse_next`), stop sending (`stall`), drop every connection.

For the generic tests (tests/exchanges/test_all_venues.py) a fake names its symbols with
`venue_symbol(unified)` and implements the frame builders `book_message`, `ticker_message`,
`trade_message` and `refusal`, and `subscriptions(msg)` telling what a client frame asks for.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from urllib.parse import parse_qsl

from aiohttp import web

from .base import CURRENT_REQUEST, FakeVenue, json_response

__all__ = ["KitVenue", "ServerBook", "OrderStore", "Rec", "Fill", "Rejected", "Sub",
           "json_response", "text_levels"]

D = Decimal


def text_levels(levels: Iterable[tuple[object, object]]) -> list[tuple[str, str]]:
    return [(str(p), str(a)) for p, a in levels]


class ServerBook:
    """One market's book as the venue holds it: price text → amount text, and a sequence."""

    def __init__(self, bids: dict[str, str], asks: dict[str, str], seq: int = 1000) -> None:
        self.bids = dict(bids)
        self.asks = dict(asks)
        self.seq = seq

    @classmethod
    def around(cls, mid: str, tick: str, depth: int = 20, size: str = "0.5",
               seq: int = 1000) -> "ServerBook":
        """A book of `depth` levels a side, `tick` apart around `mid`."""
        m, t, s = D(mid), D(tick), D(size)
        return cls({str(m - t * (i + 1)): str(s + i) for i in range(depth)},
                   {str(m + t * (i + 1)): str(s / 2 + i) for i in range(depth)}, seq)

    def apply(self, bids: Iterable = (), asks: Iterable = (), step: int = 1) -> None:
        """Set levels (amount "0" removes one) and move the sequence on by `step`."""
        for side, levels in ((self.bids, bids), (self.asks, asks)):
            for price, amount in levels:
                price, amount = str(price), str(amount)
                # The same price may be written with other digits ("1.10" vs "1.1").
                same = next((k for k in side if D(k) == D(price)), None)
                if same is not None:
                    del side[same]
                if D(amount):
                    side[price] = amount
        self.seq += step

    def top(self, side: str, n: int | None = None) -> list[tuple[str, str]]:
        levels = self.bids if side == "bids" else self.asks
        ordered = sorted(levels.items(), key=lambda lv: D(lv[0]), reverse=side == "bids")
        return ordered[:n] if n else ordered

    def decimals(self, n: int | None = None) -> tuple[list, list]:
        """(bids, asks) as Decimal pairs, best first: what a client book must equal."""
        return ([(D(p), D(a)) for p, a in self.top("bids", n)],
                [(D(p), D(a)) for p, a in self.top("asks", n)])

    def best(self, side: str) -> Decimal:
        return D(self.top(side, 1)[0][0])


class Rejected(Exception):
    """The venue refuses an order request: `kind` is "funds", "duplicate", "unknown",
    "not_open" or "symbol"; the fake turns it into its own error reply."""

    def __init__(self, kind: str, message: str = "") -> None:
        super().__init__(message or kind)
        self.kind = kind


@dataclass
class Fill:
    id: str
    order_id: str
    symbol: str
    side: str
    price: Decimal
    amount: Decimal
    fee: Decimal
    fee_currency: str
    taker: bool
    time: int


@dataclass
class Rec:
    """An order as the venue holds it."""
    id: str
    cid: str | None
    symbol: str
    side: str                       # "buy" / "sell"
    type: str                       # "limit" / "market"
    price: Decimal | None
    amount: Decimal
    created: int
    filled: Decimal = D(0)
    cost: Decimal = D(0)
    fee: Decimal = D(0)
    status: str = "open"            # "open", "filled", "canceled"
    updated: int = 0
    hold: tuple[str, Decimal] | None = None
    fills: list[Fill] = field(default_factory=list)
    options: dict = field(default_factory=dict)

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.filled

    @property
    def average(self) -> Decimal | None:
        return self.cost / self.filled if self.filled else None


class OrderStore:
    """Orders, fills and balances of one account."""

    def __init__(self, markets: dict[str, tuple[str, str]], balances: dict[str, str], *,
                 clock: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
                 fee_rate: str = "0.001", first_id: int = 1000,
                 make_id: Callable[[int], str] = str) -> None:
        self.markets = markets                      # venue symbol → (base, quote)
        self.free = {c: D(v) for c, v in balances.items()}
        self.used = {c: D(0) for c in balances}
        self.clock = clock
        self.fee_rate = D(fee_rate)
        self._ids = itertools.count(first_id)
        self._fill_ids = itertools.count(first_id * 10)
        self._make_id = make_id
        self.orders: dict[str, Rec] = {}
        self.fills: list[Fill] = []

    def _hold(self, currency: str, amount: Decimal) -> None:
        if self.free.get(currency, D(0)) < amount:
            raise Rejected("funds", f"not enough {currency}")
        self.free[currency] -= amount
        self.used[currency] = self.used.get(currency, D(0)) + amount

    def _release(self, rec: Rec) -> None:
        if rec.hold is None:
            return
        currency, amount = rec.hold
        self.used[currency] -= amount
        self.free[currency] += amount
        rec.hold = None

    def place(self, symbol: str, side: str, type: str, amount, price=None, cid=None, *,
              book: ServerBook | None = None, **options) -> Rec:
        """A new order: a limit order rests (holding its funds); a market order fills at
        once against `book`'s levels, one fill per level. Rejected when funds are short, the client id is taken
        by an open order, or the symbol is not a market."""
        if symbol not in self.markets:
            raise Rejected("symbol", f"unknown symbol {symbol}")
        if cid is not None and any(o.cid == cid for o in self.orders.values()):
            raise Rejected("duplicate", f"client order id {cid} already used")
        base, quote = self.markets[symbol]
        amount = D(str(amount))
        now = self.clock()
        rec = Rec(self._make_id(next(self._ids)), cid, symbol, side, type,
                  D(str(price)) if price is not None and type == "limit" else None,
                  amount, now, updated=now, options=dict(options))
        if type == "limit":
            need = (quote, amount * rec.price) if side == "buy" else (base, amount)
            self._hold(*need)
            rec.hold = need
        else:
            if book is None:
                raise Rejected("symbol", "no book to fill a market order against")
            takes, left = [], amount          # one fill per level it takes, best first
            for p, a in book.top("asks" if side == "buy" else "bids"):
                take = min(left, D(a))
                takes.append((take, D(p)))
                left -= take
                if not left:
                    break
            if left:
                raise Rejected("funds", "not enough liquidity")
            cost = sum(q * p for q, p in takes)
            spend = (quote, cost) if side == "buy" else (base, amount)
            if self.free.get(spend[0], D(0)) < spend[1]:
                raise Rejected("funds", f"not enough {spend[0]}")
            for take, p in takes:
                self._execute(rec, take, p, taker=True)
        self.orders[rec.id] = rec
        return rec

    def _execute(self, rec: Rec, amount: Decimal, price: Decimal, taker: bool) -> Fill:
        base, quote = self.markets[rec.symbol]
        value = amount * price
        fee = (value * self.fee_rate).quantize(D("0.00000001"), ROUND_DOWN)
        if rec.side == "buy":
            if rec.hold is not None:        # the held quote pays for it
                self.used[quote] -= value
                rec.hold = (quote, rec.hold[1] - value)
            else:
                self.free[quote] -= value
            self.free[base] = self.free.get(base, D(0)) + amount
        else:
            if rec.hold is not None:
                self.used[base] -= amount
                rec.hold = (base, rec.hold[1] - amount)
            else:
                self.free[base] -= amount
            self.free[quote] = self.free.get(quote, D(0)) + value
        self.free[quote] -= fee
        rec.filled += amount
        rec.cost += value
        rec.fee += fee
        rec.updated = self.clock()
        fill = Fill(str(next(self._fill_ids)), rec.id, rec.symbol, rec.side, price, amount,
                    fee, quote, taker, rec.updated)
        rec.fills.append(fill)
        self.fills.append(fill)
        if rec.filled == rec.amount:
            rec.status = "filled"
            self._release(rec)
        return fill

    def fill(self, order_id: str, amount=None) -> Fill:
        """The market trades against a resting order (at its price): it fills, as maker."""
        rec = self.orders[order_id]
        return self._execute(rec, D(str(amount)) if amount else rec.remaining, rec.price,
                             taker=False)

    def cancel(self, order_id: str | None = None, cid: str | None = None) -> Rec:
        rec = self.find(order_id, cid)
        if rec is None:
            raise Rejected("unknown", f"no order {order_id or cid}")
        if rec.status != "open":
            raise Rejected("not_open", f"order {rec.id} is {rec.status}")
        rec.status = "canceled"
        rec.updated = self.clock()
        self._release(rec)
        return rec

    def find(self, order_id: str | None = None, cid: str | None = None) -> Rec | None:
        if order_id is not None:
            return self.orders.get(str(order_id))
        return next((o for o in self.orders.values() if cid is not None and o.cid == cid), None)

    def open(self, symbol: str | None = None) -> list[Rec]:
        return [o for o in self.orders.values() if o.status == "open"
                and symbol in (None, o.symbol)]

    def closed(self, symbol: str | None = None) -> list[Rec]:
        return [o for o in self.orders.values() if o.status != "open"
                and symbol in (None, o.symbol)]

    def fills_of(self, symbol: str | None = None) -> list[Fill]:
        return [f for f in self.fills if symbol in (None, f.symbol)]

    def add_open(self, symbol: str, n: int, price, amount) -> list[Rec]:
        """`n` resting orders at once (funds not checked): for paging tests."""
        out = []
        for _ in range(n):
            now = self.clock()
            rec = Rec(self._make_id(next(self._ids)), None, symbol, "buy", "limit",
                      D(str(price)), D(str(amount)), now, updated=now)
            self.orders[rec.id] = rec
            out.append(rec)
        return out

    def balances(self) -> dict[str, tuple[Decimal, Decimal]]:
        return {c: (self.free.get(c, D(0)), self.used.get(c, D(0)))
                for c in sorted(set(self.free) | set(self.used))}


@dataclass(frozen=True)
class Sub:
    """What a client frame asks for: a stream `kind` ("book", "ticker", "trades", …) of a
    venue symbol, on (subscribe) or off."""
    kind: str
    symbol: str
    on: bool = True


class KitVenue(FakeVenue):
    """A fake venue on the kit. Subclasses declare routes in `setup_routes()`, check
    signatures in `check_auth()`, and build frames; see the module docstring."""

    snapshot_on_subscribe = True     # the venue sends a book snapshot when a book is subscribed

    def __init__(self) -> None:
        self.books: dict[str, ServerBook] = getattr(self, "books", {})
        self.subscribers: dict[tuple[str, str], set[web.WebSocketResponse]] = {}
        # (method, path) of each request that placed an order: which request a test's
        # fault must hit to hit an order, whatever the venue's API looks like.
        self.placed_by: list[tuple[str, str]] = []
        store = getattr(self, "store", None)
        if store is not None:
            place = store.place

            def placing(*args, **kwargs):
                rec = place(*args, **kwargs)
                request = CURRENT_REQUEST.get()
                if request is not None:
                    self.placed_by.append((request.method, request.path))
                return rec
            store.place = placing
        super().__init__()

    # -- what a venue's fake writes ----------------------------------------------------------
    def venue_symbol(self, symbol: str) -> str:
        raise NotImplementedError

    def store_symbol(self, symbol: str) -> str:
        """The key of a unified symbol in `self.store` (a venue whose REST and stream names
        differ, Kraken's XXBTZUSD and BTC/USD, keeps its orders under the REST one)."""
        return self.venue_symbol(symbol)

    def check_auth(self, request: web.Request, body: str) -> web.Response | None:
        """None when the request is signed as the venue checks it, else its error reply."""
        raise NotImplementedError

    def subscriptions(self, message) -> list[Sub] | None:
        """The streams a client frame (un)subscribes; None: not a subscription frame."""
        return None

    async def acknowledge(self, ws, message, subs: list[Sub]) -> None:
        """The venue's reply to a subscription frame (an ack), sent before any data."""

    def book_message(self, symbol: str, changes: tuple[list, list] | None):
        """A book frame: the snapshot (changes None), or the delta of `changes` (bids, asks
        as text pairs), as of the book's current sequence."""
        raise NotImplementedError

    def ticker_message(self, symbol: str):
        """A ticker frame for `symbol` as the venue streams it, priced from its book."""
        raise NotImplementedError

    def refusal(self, message, subs: list[Sub]):
        """The venue's frame refusing the subscription `message`."""
        raise NotImplementedError

    # -- private routes ----------------------------------------------------------------------
    def signed(self, handler):
        """Wrap a route handler: the signature checked first, then `handler(request,
        params)` with the query, form or JSON body parameters merged."""
        async def checked(request: web.Request):
            body = await request.text()
            refused = self.check_auth(request, body)
            if refused is not None:
                return refused
            return await handler(request, self.params_of(request, body))
        return checked

    @staticmethod
    def params_of(request: web.Request, body: str) -> dict:
        params = dict(request.query)
        if body:
            if body.lstrip().startswith(("{", "[")):
                data = json.loads(body)
                if isinstance(data, dict):
                    params.update(data)
            else:
                params.update(parse_qsl(body, keep_blank_values=True))
        return params

    # -- streams -----------------------------------------------------------------------------
    async def on_ws_text(self, ws, message) -> None:
        subs = self.subscriptions(message)
        if subs is None:
            return
        if self.faults.refuse_next and any(s.on for s in subs):
            self.faults.refuse_next = False
            await self.send(ws, self.refusal(message, subs))
            return
        await self.acknowledge(ws, message, subs)
        for sub in subs:
            key = (sub.kind, sub.symbol)
            if sub.on:
                self.subscribers.setdefault(key, set()).add(ws)
                if sub.kind == "book" and self.snapshot_on_subscribe:
                    await self.send(ws, self.book_message(sub.symbol, None))
            else:
                self.subscribers.get(key, set()).discard(ws)

    async def send(self, ws, message) -> None:
        if message is None or ws.closed:
            return
        await ws.send_str(message if isinstance(message, str) else json.dumps(message))

    async def push(self, kind: str, symbol: str, message) -> None:
        """Send `message` to every subscriber of `kind` for `symbol` (nothing while stalled)."""
        if self.faults.stall:
            return
        for ws in list(self.subscribers.get((kind, symbol), ())):
            await self.send(ws, message)

    async def publish_book(self, symbol: str, bids=(), asks=()) -> None:
        """Change the venue's book and stream the delta; with `faults.gap_next` the frame is
        lost on the way (the book changed, nobody heard)."""
        changes = (text_levels(bids), text_levels(asks))
        self.books[symbol].apply(*changes)
        message = self.book_message(symbol, changes)
        if self.faults.gap_next:
            self.faults.gap_next = False
            return
        await self.push("book", symbol, message)

    async def publish_ticker(self, symbol: str) -> None:
        await self.push("ticker", symbol, self.ticker_message(symbol))

    def subscribed(self, kind: str, symbol: str) -> bool:
        return any(not ws.closed for ws in self.subscribers.get((kind, symbol), ()))

    async def wait_for(self, predicate, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("the fake waited in vain")
            await asyncio.sleep(0.005)

    async def wait_subscribed(self, kind: str, symbol: str, timeout: float = 5.0) -> None:
        await self.wait_for(lambda: self.subscribed(kind, symbol), timeout)

    def requests_to(self, path: str, method: str | None = None) -> int:
        return sum(1 for s in self.seen if s.path == path and method in (None, s.method))
