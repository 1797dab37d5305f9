"""The account's calls written once over a venue's endpoints: balances, orders, fills.

A venue declares "balance", "order" (and "closed_order" where finished orders are looked up
apart), "open_orders", "closed_orders", "cancel_order" and
"my_trades" endpoints (with their paging) and writes `parse_balance(rows)`,
`parse_order(row, market)` and `parse_my_trade(row, market)`. Here, once: one symbol or all,
every page of open orders, cancel then the venue's own record of the order, fills sorted
oldest first.
"""
from __future__ import annotations

import dataclasses
from typing import ClassVar

from .. import errors as E
from ..types import Balance, Market, Order, Trade
from .market_data import rows_of, sorted_trades

__all__ = ["AccountCalls"]


class AccountCalls:
    """Mixed into `Exchange`; relies on its `api`, `call`, `paged`, `market`, `capped`."""

    # Whether the cancel endpoint answers with the whole order (parsed with parse_order);
    # otherwise the order is fetched again after the cancel.
    cancel_returns_order: ClassVar[bool] = False

    async def rows(self, name: str, *args, limit: int | None = None, extra=None) -> list:
        """All rows of endpoint `name`: every page where it pages (`extra`: more parameters)."""
        if self.api[name].paging is not None:
            return await self.paged(name, *args, limit=limit, extra=extra)
        return rows_of(await self.call(name, *args, extra=extra))

    async def fetch_balance(self) -> dict[str, Balance]:
        if "balance" not in self.api:
            raise E.NotSupported(self.id, "balances are not supported")
        self.require_credentials()
        if self.api["balance"].paging is not None:
            return self.parse_balance(await self.paged("balance"))
        return self.parse_balance(await self.call("balance"))

    def parse_balance(self, rows) -> dict[str, Balance]:
        raise NotImplementedError

    def parse_order(self, row, market: Market | None) -> Order | None:
        """An order row → Order. `market` is None when the row names its own market (look it
        up with `by_id`); return None for an order of a market we do not list."""
        raise NotImplementedError

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        market = await self.market(symbol)
        self.require_credentials()
        if "order" in self.api:
            orders = []
            # A venue that looks open and finished orders up apart declares "closed_order"
            # too. A reply naming some other order is no answer about this one.
            for name in ("order", "closed_order"):
                if name in self.api and not orders:
                    rows = rows_of(await self.call(name, market, str(order_id)))
                    orders = [o for r in rows if (o := self.parse_order(r, market)) is not None
                              and o.id == str(order_id)]
        elif "closed_orders" in self.api:
            orders = [o for o in await self._open_and_closed(market) if o.id == str(order_id)]
        else:
            raise E.NotSupported(self.id, "looking up an order is not supported")
        if not orders:
            raise E.OrderNotFound(self.id, f"there is no order {order_id} in {symbol}")
        return self.with_our_client_id(orders[0])

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        if "open_orders" not in self.api:
            raise E.NotSupported(self.id, "listing open orders is not supported")
        market = await self.market(symbol) if symbol is not None else None
        await self.load_markets()
        self.require_credentials()
        return self._orders(await self.rows("open_orders", market), market)

    def _orders(self, rows, market: Market | None) -> list[Order]:
        out = [self.with_our_client_id(o) for r in rows
               if (o := self.parse_order(r, market)) is not None]
        return [o for o in out if market is None or o.symbol == market.symbol]

    async def _open_and_closed(self, market: Market, client_order_id: str | None = None,
                               since: int | None = None) -> list[Order]:
        """The market's open orders, then its recent closed ones (any state but open); only
        those of `client_order_id` where a listing filters by client id (`Endpoint.client_id`).
        `since` (ms): no order created before then is wanted (a venue whose finished orders
        cost a request each, Coincheck, reads no further back)."""
        orders: list[Order] = []
        for name in ("open_orders", "closed_orders"):
            by = self.api[name].client_id
            extra = {by: client_order_id} if by and client_order_id else None
            orders += self._orders(await self.rows(name, market, extra=extra), market)
        return orders

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        market = await self.market(symbol)
        if "cancel_order" not in self.api:
            raise E.NotSupported(self.id, "cancelling orders is not supported")
        self.require_credentials()
        reply = await self.call("cancel_order", market, str(order_id))
        if self.cancel_returns_order:
            order = self.parse_order(rows_of(reply)[0], market)
        else:
            order = await self.fetch_order(order_id, symbol)
        if order.status == "open":
            # The venue accepted the cancel; its own record may lag a moment behind.
            order = dataclasses.replace(order, status="canceled")
        return order

    async def fetch_my_trades(self, symbol: str | None = None, since: int | None = None,
                              limit: int | None = None) -> list[Trade]:
        if "my_trades" not in self.api:
            raise E.NotSupported(self.id, "the account's trade history is not supported")
        market = await self.market(symbol) if symbol is not None else None
        await self.load_markets()
        self.require_credentials()
        asked = self.capped(limit, "my_trades")
        # From `since` a newest-first listing is read back to it: its first `limit` rows
        # would be the newest, and a sync paging forward from its cursor would skip the rest.
        whole = since is not None and self.api["my_trades"].newest_first
        rows = await self.rows("my_trades", market, since, asked,
                               limit=None if whole else limit)
        fills = [t for r in rows if (t := self.parse_my_trade(r, market)) is not None
                 and (market is None or t.symbol == market.symbol)]
        if since is not None:
            fills = sorted_trades(t for t in fills if t.timestamp >= since)
            return fills[:limit] if limit else fills
        return sorted_trades(fills, limit)

    def parse_my_trade(self, row, market: Market | None) -> Trade | None:
        raise NotImplementedError
