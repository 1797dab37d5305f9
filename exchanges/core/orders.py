"""Orders: checked before anything is sent, never sent twice, never called "not placed" while
the venue may hold them.

`OrderCalls` is the part of the adapter base that places orders. `create_order` validates the
order against its market (increments, minimums, numbers, options), makes a client order id in
the venue's format, and sends it (the venue's "create_order" endpoint and `parse_placed`). Any
failure after the request may have left this machine — a timeout, a dropped connection, a 5xx,
and also a 2xx reply that cannot be read (no order id in it) — goes to reconciliation: the venue
is asked by client order id what it did, whatever the order's state by then (a market order is
already filled). Found: the venue's own record. Not found: `OrderStatusUnknown`, never "not
placed".

How a venue finds an order by client id is declared (`client_id_lookup`): a direct lookup
endpoint ("order_by_client_id") where the venue has one, else its open orders plus its recent
history ("open_orders" + "closed_orders"). A venue with neither does not get
`has["create_order"]`: an order that cannot be found after a lost reply cannot be placed safely.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from decimal import Decimal
from typing import ClassVar

from .. import errors as E
from ..numbers import is_multiple, user_decimal, wire
from ..types import Market, Order
from .guard import from_parser
from .market_data import rows_of

__all__ = ["OrderCalls", "may_have_left"]

log = logging.getLogger("exchanges")


# Errors in which the venue says why it refused the request: whatever the HTTP status (Bitfinex
# answers every refusal, "not enough exchange balance" included, with a 500), nothing was placed.
_REFUSALS = (E.AuthenticationError, E.InsufficientFunds, E.InvalidOrder, E.BadSymbol,
             E.RateLimitExceeded)


def may_have_left(exc: E.ExchangeError) -> bool:
    """Whether an order request that failed with `exc` may still have reached the venue."""
    if isinstance(exc, E.BadResponse):
        return True                  # the venue answered: it may have placed the order
    if isinstance(exc, E.NetworkError):
        return exc.request_sent is not False
    if isinstance(exc, _REFUSALS):
        return False
    return (exc.http_status or 0) >= 500


class OrderCalls:
    """Mixed into `Exchange`; relies on its `api`, `call`, `market()`, `has`,
    `require_credentials()`, `fetch_open_orders()` and `_emit_status()`."""

    def new_client_order_id(self) -> str:
        """A fresh client order id in the venue's valid format (32 hex digits by default)."""
        return uuid.uuid4().hex

    @classmethod
    def client_id_lookup(cls) -> str | None:
        """How this venue finds an order by client id in any state: "direct", "history",
        "custom" (the venue wrote `find_order_by_client_id`), or None (it cannot)."""
        if cls.find_order_by_client_id is not OrderCalls.find_order_by_client_id:
            return "custom"
        if "order_by_client_id" in cls.api:
            return "direct"
        if "open_orders" in cls.api and "closed_orders" in cls.api:
            return "history" if cls.takes_client_ids else "terms"
        return None

    # False where the venue takes no client order id at all (bitFlyer, Coincheck): the id is
    # then ours alone. An accepted order is remembered under it; an order whose reply was lost
    # is found by its terms (market, side, type, amount, limit price) among the orders the
    # venue created since it was sent that no other id of ours has claimed, and only if
    # exactly one matches: none, or two alike, are OrderStatusUnknown, never a guess. Orders
    # of our own with the same terms are interchangeable, so which of them a lost reply takes
    # changes nothing the trader holds. An order with no creation time cannot be told from
    # one placed before ours, so it never matches.
    takes_client_ids: ClassVar[bool] = True
    # The order types the venue takes ("market" absent: has["create_market_order"] is False
    # and a market order is NotSupported before anything is sent).
    order_types: ClassVar[tuple[str, ...]] = ("limit", "market")
    # How far the venue's clock may run behind ours (now(): the measured offset where the
    # venue has a server time). An order created earlier than that before ours was sent is
    # not ours; a venue clock further behind makes ours unknown, never someone else's ours.
    terms_window_ms: ClassVar[int] = 5_000

    async def check_order(self, symbol: str, side: str, type: str, amount, price=None
                          ) -> tuple[Market, Decimal, Decimal | None]:
        """Validate an order against the market before anything is sent; InvalidOrder if not."""
        market = await self.market(symbol)
        if side not in ("buy", "sell"):
            raise E.InvalidOrder(self.id, f"side must be 'buy' or 'sell', not {side!r}")
        if type not in ("limit", "market"):
            raise E.InvalidOrder(self.id, f"order type must be 'limit' or 'market', not {type!r}")
        if type not in self.order_types:
            raise E.NotSupported(self.id, f"{type} orders are not offered on {self.name}")
        try:
            amount = user_decimal(amount, "the amount")
            if type == "limit":
                if price is None:
                    raise ValueError("a limit order needs a price")
                price = user_decimal(price, "the price")
            elif price is not None:
                price = user_decimal(price, "the price")
        except ValueError as exc:
            raise E.InvalidOrder(self.id, str(exc)) from None
        if not is_multiple(amount, market.amount_increment):
            raise E.InvalidOrder(self.id, f"the amount {wire(amount)} is not a multiple of "
                                          f"{wire(market.amount_increment)} {market.base}")
        if type == "limit" and not is_multiple(price, market.price_step(price)):
            raise E.InvalidOrder(self.id, f"the price {wire(price)} is not a multiple of "
                                          f"{wire(market.price_step(price))} {market.quote}")
        if market.min_amount is not None and amount < market.min_amount:
            raise E.InvalidOrder(self.id, f"the amount {wire(amount)} is below the minimum "
                                          f"{wire(market.min_amount)} {market.base}")
        if market.min_cost is not None and price is not None and amount * price < market.min_cost:
            raise E.InvalidOrder(self.id, f"the order's value {wire(amount * price)} is below the"
                                          f" minimum {wire(market.min_cost)} {market.quote}")
        return market, amount, (price if type == "limit" else None)

    def check_options(self, type: str, post_only: bool, time_in_force: str | None,
                      stop_price) -> dict:
        """The order options the venue takes (`has`), checked before anything is sent; only
        the ones set are returned, so a venue without options never sees them."""
        options: dict = {}
        if post_only:
            options["post_only"] = True
        if time_in_force is not None:
            tif = str(time_in_force).upper()
            if tif not in self.time_in_force_values:
                raise E.InvalidOrder(self.id, f"time in force {time_in_force!r} is not offered "
                                              f"(offered: {', '.join(self.time_in_force_values)})")
            options["time_in_force"] = tif
        if stop_price is not None:
            try:
                options["stop_price"] = user_decimal(stop_price, "the stop price")
            except ValueError as exc:
                raise E.InvalidOrder(self.id, str(exc)) from None
        for name in options:
            if not self.has.get(name):
                raise E.NotSupported(self.id, f"{name.replace('_', ' ')} orders are not "
                                              f"supported on {self.name}")
        if options.get("post_only") and type != "limit":
            raise E.InvalidOrder(self.id, "only a limit order can be post-only")
        return options

    async def create_order(self, symbol: str, side: str, type: str, amount, price=None, *,
                           client_order_id: str | None = None, post_only: bool = False,
                           time_in_force: str | None = None, stop_price=None) -> Order:
        market, amount, price = await self.check_order(symbol, side, type, amount, price)
        options = self.check_options(type, post_only, time_in_force, stop_price)
        cid = client_order_id or self.new_client_order_id()
        if not self.has["create_order"]:
            raise E.NotSupported(self.id, "placing orders is not supported")
        self.require_credentials()
        try:
            return await self._place_order(market, side, type, amount, price, cid, **options)
        except E.ExchangeError as exc:
            if not may_have_left(exc):
                raise       # refused, or nothing left this machine: the order does not exist
            return await self._reconcile(market, cid, exc)
        except Exception as exc:
            if not from_parser(exc):
                raise
            # The venue answered, but not in a shape we can read: it may hold the order.
            return await self._reconcile(market, cid, self._bad_response(exc))

    async def _quote_for(self, market: Market, amount: Decimal) -> Decimal:
        """What buying `amount` costs at the best ask just read: for venues whose market buy
        names the quote to spend. The fill is `amount` while the top level lasts; deeper
        levels buy a little less. Sent exactly (venues do not document a coarser precision)."""
        book = await self.fetch_order_book(market.symbol)
        if not book.asks:
            raise E.InvalidOrder(self.id, f"{market.symbol} has no asks to buy from")
        return amount * book.asks[0][0]

    async def _place_order(self, market: Market, side: str, type: str, amount: Decimal,
                           price: Decimal | None, client_order_id: str, **options) -> Order:
        """Send the order through the "create_order" endpoint. `options` holds only the
        ORDER_OPTIONS the caller set, each one already checked against `has`."""
        if "create_order" not in self.api:
            raise E.NotSupported(self.id, "placing orders is not supported")
        if type == "market" and side == "buy" and self.market_buy_in_quote:
            options["quote_amount"] = await self._quote_for(market, amount)
        if not self.takes_client_ids:
            self._sent_terms()[client_order_id] = (side, type, amount, price, self.now())
        reply = await self.call("create_order", market, side, type, amount, price,
                                client_order_id, options)
        placed = self.parse_placed(reply, market)
        if isinstance(placed, Order):
            if placed.client_order_id is None:
                placed = dataclasses.replace(placed, client_order_id=client_order_id)
        elif not placed:
            raise ValueError("the reply has no order id")
        else:
            # The venue confirmed acceptance (its id); the rest is what was asked.
            placed = Order(str(placed), client_order_id, market.symbol, side, type, price,
                           amount, Decimal(0), amount, "open", self.clock())
        if not self.takes_client_ids:
            self._sent_terms()[client_order_id] = placed.id
        if self.create_returns_state:
            return placed
        return await self._with_venue_state(placed, market)

    def with_our_client_id(self, order: Order) -> Order:
        """An order this adapter placed on a venue without client ids, named by our id."""
        if self.takes_client_ids or order.client_order_id is not None:
            return order
        cid = next((c for c, v in self._sent_terms().items() if v == order.id), None)
        return dataclasses.replace(order, client_order_id=cid) if cid else order

    def _sent_terms(self) -> dict:
        """Our client id → the venue's order id once accepted, else the terms that were sent."""
        sent = self.__dict__.get("_client_ids")
        if sent is None:
            sent = self.__dict__["_client_ids"] = {}
        return sent

    # Whether the create reply says what became of the order (its fills and state). Where it
    # does not (Bitstamp answers with id, price and amount only, for a market order too), the
    # venue's own record ("order" endpoint) is read as soon as the order is accepted.
    create_returns_state: ClassVar[bool] = True
    _STATE = ("status", "filled", "remaining", "average", "fee", "timestamp")

    async def _with_venue_state(self, placed: Order, market: Market) -> Order:
        """`placed` with its state (status, fills, average, fee) as the venue records it; what
        was sent (type, price, amount) stays. Placed either way: if the record cannot be read,
        the order is returned as accepted, never as failed."""
        try:
            rows = rows_of(await self.call("order", market, placed.id))
            record = next((o for r in rows if (o := self.parse_order(r, market))), None)
            why = "the venue does not list it yet"
        except E.ExchangeError as exc:
            record, why = None, exc.reason
        except Exception as exc:
            if not from_parser(exc):
                raise
            record, why = None, self._bad_response(exc).reason
        if record is None:
            log.warning("%s: order %s accepted; what it filled is not known yet (%s)",
                        self.id, placed.id, why)
            return placed
        return dataclasses.replace(placed, **{f: v for f in self._STATE
                                              if (v := getattr(record, f)) is not None})

    def parse_placed(self, reply, market: Market) -> Order | str:
        """The create reply → the venue's order, or just its id (the base echoes the rest).
        Default: the reply is the order."""
        return self.parse_order(rows_of(reply)[0], market)

    async def find_order_by_client_id(self, market: Market, client_order_id: str
                                      ) -> Order | None:
        """The order with this client id in any state (open, filled, canceled), or None."""
        kind = self.client_id_lookup()
        if kind == "direct":
            try:
                rows = rows_of(await self.call("order_by_client_id", market, client_order_id))
            except E.OrderNotFound:
                return None
            orders = [o for r in rows if r and (o := self.parse_order(r, market)) is not None]
            # A lookup answering with one order that does not echo the client id is that
            # order; where a list comes back (a venue's recent orders), the client id decides.
            unnamed = (None,) if len(orders) == 1 else ()
            return next((o for o in orders if o.client_order_id in (*unnamed, client_order_id)),
                        None)
        if kind == "history":
            for order in await self._open_and_closed(market, client_order_id):
                if order.client_order_id == client_order_id:
                    return order
            return None
        if kind == "terms":
            return await self._find_by_terms(market, client_order_id)
        raise E.NotSupported(self.id, "this venue cannot look an order up by client id")

    async def _find_by_terms(self, market: Market, cid: str) -> Order | None:
        sent = self._sent_terms()
        known = sent.get(cid)
        if known is None:
            return None             # not sent by this adapter: nothing to match it by
        # A venue's history may list its open orders too: each order once.
        since = None if isinstance(known, str) else known[-1] - self.terms_window_ms
        orders = list({o.id: o for o in await self._open_and_closed(market, since=since)
                       }.values())
        if isinstance(known, str):
            match = [o for o in orders if o.id == known]
        else:
            side, type, amount, price, at = known
            taken = {v for v in sent.values() if isinstance(v, str)}
            match = [o for o in orders if o.id not in taken and o.side == side
                     and o.type == type and o.amount == amount
                     and (type == "market" or o.price == price)
                     and o.timestamp is not None and o.timestamp >= at - self.terms_window_ms]
            if len(match) != 1:
                if match:
                    log.warning("%s: %d orders match the terms of %s; not guessing", self.id,
                                len(match), cid)
                return None
            sent[cid] = match[0].id
        return dataclasses.replace(match[0], client_order_id=cid) if match else None

    # A market buy sized in the quote currency (Gate, HTX, Coincheck, Indodax …): the base
    # amount asked goes out as options["quote_amount"], converted by `_quote_for`.
    market_buy_in_quote: ClassVar[bool] = False

    reconcile_attempts: ClassVar[int] = 3
    reconcile_delay: ClassVar[float] = 0.5

    async def _reconcile(self, market: Market, cid: str, cause: E.ExchangeError) -> Order:
        """The order's reply was lost: ask the venue what it did instead of sending it again.

        Found → the venue's own record of it. Not found, or the lookups fail → OrderStatusUnknown:
        a venue may still be processing a delayed request, so "not found yet" is not proof that
        nothing was placed; the caller keeps checking by client id and never re-sends blindly.
        """
        log.warning("%s: order %s: %s; checking with the venue", self.id, cid, cause.reason)
        self._emit_status("order_unknown", f"order {cid}: unknown — checking")
        failure: E.ExchangeError | None = None
        for attempt in range(self.reconcile_attempts):
            if attempt:
                await asyncio.sleep(self.reconcile_delay * attempt)
            try:
                found = await self.find_order_by_client_id(market, cid)
            except E.ExchangeError as exc:
                failure = exc
                if isinstance(exc, (E.AuthenticationError, E.NotSupported)):
                    break
                continue
            except Exception as exc:
                if not from_parser(exc):
                    raise
                failure = self._bad_response(exc)
                continue
            if found is not None:
                self._emit_status("order_known", f"order {cid}: {found.status}")
                return found
            failure = None
        if failure is None:
            why = (f"the venue does not list it after {self.reconcile_attempts} checks; it may "
                   f"still be on its way")
        else:
            why = f"the venue could not be asked ({failure.reason})"
        raise E.OrderStatusUnknown(
            self.id, f"the order {cid} was sent but its outcome is not known ({cause.reason});"
                     f" {why}. Check open orders and fills before sending it again",
            client_order_id=cid, endpoint=cause.endpoint)
