"""Orders: checked before anything is sent, never sent twice.

`OrderCalls` is the part of the adapter base that places orders. `create_order` validates the
order against its market (increments, minimums, numbers), makes a client order id in the venue's
format, and hands it to the venue's `_place_order`. When the reply is lost (timeout, dropped
connection, 5xx) it does not send again: it asks the venue by client order id what happened.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from decimal import Decimal
from typing import ClassVar

from .. import errors as E
from ..numbers import is_multiple, user_decimal, wire
from ..types import Market, Order

__all__ = ["OrderCalls"]

log = logging.getLogger("exchanges")


class OrderCalls:
    """Mixed into `Exchange`; relies on its `market()`, `has`, `require_credentials()`,
    `fetch_open_orders()` and `_emit_status()`."""

    def new_client_order_id(self) -> str:
        """A fresh client order id in the venue's valid format (32 hex digits by default)."""
        return uuid.uuid4().hex

    async def check_order(self, symbol: str, side: str, type: str, amount, price=None
                          ) -> tuple[Market, Decimal, Decimal | None]:
        """Validate an order against the market before anything is sent; InvalidOrder if not."""
        market = await self.market(symbol)
        if side not in ("buy", "sell"):
            raise E.InvalidOrder(self.id, f"side must be 'buy' or 'sell', not {side!r}")
        if type not in ("limit", "market"):
            raise E.InvalidOrder(self.id, f"order type must be 'limit' or 'market', not {type!r}")
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
        except E.NetworkError as exc:
            if getattr(exc, "request_sent", True) is False:
                raise   # nothing left this machine: the order certainly does not exist
            return await self._reconcile(market, cid, exc)

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

    async def _place_order(self, market: Market, side: str, type: str, amount: Decimal,
                           price: Decimal | None, client_order_id: str, **options) -> Order:
        """Send the order. `options` holds only the ORDER_OPTIONS the caller set, each one
        already checked against `has`."""
        raise E.NotSupported(self.id, "placing orders is not supported")

    async def find_order_by_client_id(self, market: Market, client_order_id: str
                                      ) -> Order | None:
        """Look an order up by its client id; None if the venue has no such order.
        The default scans open orders; venues with a direct lookup override it."""
        for order in await self.fetch_open_orders(market.symbol):
            if order.client_order_id == client_order_id:
                return order
        return None

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
            except E.NetworkError as exc:
                failure = exc
                continue
            if found is not None:
                self._emit_status("order_known", f"order {cid}: {found.status}")
                return found
            failure = None
        if failure is None:
            why = (f"the venue does not list it after {self.reconcile_attempts} checks, so it "
                   f"was most likely not placed")
        else:
            why = f"the venue could not be asked ({failure.reason})"
        raise E.OrderStatusUnknown(
            self.id, f"the order {cid} was sent but its reply was lost ({cause.reason}); {why}."
                     f" Check open orders before sending it again",
            client_order_id=cid, endpoint=cause.endpoint)
