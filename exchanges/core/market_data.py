"""Public market data: the contract's fetch calls written once over a venue's endpoints.

A venue declares the endpoints ("tickers", "ticker", "order_book", "ohlcv", "trades") and
writes the parsers `parse_ticker(row, market)`, `parse_order_book(reply, market)`,
`parse_candle(row)` and `parse_trade(row, market)`. Here, once for every venue: the symbol
checks, filtering tickers by symbols, limits capped at what the venue takes, candles and trades
sorted oldest first and trimmed the way the contract says (`since` → the first `limit` from
then; otherwise the newest `limit`), books sorted best first.
"""
from __future__ import annotations

from collections.abc import Mapping

from .. import errors as E
from ..types import Candle, Market, OrderBook, Ticker, Trade

__all__ = ["MarketDataCalls", "sorted_candles", "sorted_trades", "trade_key", "rows_of"]


def trade_key(t: Trade):
    """Oldest first; ids in numeric order where they are numbers, else as text."""
    return (t.timestamp, 0, int(t.id), "") if t.id.isdigit() else (t.timestamp, 1, 0, t.id)


def sorted_trades(trades, limit: int | None = None) -> list[Trade]:
    """Oldest first, without repeats, the newest `limit` of them."""
    unique = {t.id: t for t in trades}
    out = sorted(unique.values(), key=trade_key)
    return out[-limit:] if limit else out


def sorted_candles(candles, since: int | None = None, limit: int | None = None) -> list[Candle]:
    """Oldest first, one per open time: from `since` the first `limit`, else the last `limit`."""
    by_time = {c.timestamp: c for c in candles}
    out = [by_time[t] for t in sorted(by_time)]
    if since is not None:
        out = [c for c in out if c.timestamp >= since]
        return out[:limit] if limit else out
    return out[-limit:] if limit else out


class MarketDataCalls:
    """Mixed into `Exchange`; relies on its `api`, `call`, `market`, `load_markets`, `by_id`."""

    def capped(self, limit: int | None, endpoint: str) -> int | None:
        """`limit` checked, and cut to the most the venue's endpoint takes in one request."""
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                                  or limit <= 0):
            raise E.ExchangeError(self.id, f"limit must be a positive whole number, "
                                           f"not {limit!r}")
        cap = self.api[endpoint].cap
        return limit if limit is None or cap is None else min(limit, cap)

    # A venue with a one-market ticker endpoint only and a handful of markets (bitFlyer,
    # Coincheck) sets this: fetch_tickers() with no symbols then asks for each market's.
    tickers_one_by_one = False

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        if "tickers" not in self.api:
            if not symbols and self.tickers_one_by_one and "ticker" in self.api:
                symbols = [s for s, m in (await self.load_markets()).items() if m.active]
            if symbols and "ticker" in self.api:
                return {t.symbol: t for t in [await self.fetch_ticker(s) for s in symbols]}
            raise E.NotSupported(self.id, "fetching all tickers is not supported")
        markets = [await self.market(s) for s in symbols] if symbols else None
        await self.load_markets()
        rows = await self.call("tickers", markets)
        wanted = {m.symbol for m in markets} if markets else None
        out = {}
        for row, key in self.each(rows, "tickers"):
            t = self.parse_ticker(row, self.by_id(key) if key is not None else None)
            if t is not None and t.symbol in self.markets and (wanted is None or
                                                                t.symbol in wanted):
                out[t.symbol] = t
        return out

    async def fetch_ticker(self, symbol: str) -> Ticker:
        market = await self.market(symbol)
        if "ticker" in self.api:
            ticker = self.parse_ticker(rows_of(await self.call("ticker", market))[0], market)
        elif "tickers" in self.api:
            ticker = (await self.fetch_tickers([symbol])).get(symbol)
        else:
            raise E.NotSupported(self.id, "tickers are not supported")
        if ticker is None:
            raise E.BadResponse(self.id, f"the reply had no ticker for {symbol}")
        return ticker

    def parse_ticker(self, row, market: Market | None) -> Ticker | None:
        """A ticker row → Ticker. `market` is None when the row names its own market (look it
        up with `by_id`); return None for a row of a market we do not list."""
        raise NotImplementedError

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        market = await self.market(symbol)
        if "order_book" not in self.api:
            raise E.NotSupported(self.id, "order books are not supported")
        reply = await self.call("order_book", market, self.capped(limit, "order_book"))
        book = self.parse_order_book(reply, market)
        if limit:           # venues that send more than asked (Bitstamp sends it all)
            book.bids, book.asks = book.bids[:limit], book.asks[:limit]
        return book

    def parse_order_book(self, reply, market: Market) -> OrderBook:
        raise NotImplementedError

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1h", since: int | None = None,
                          limit: int | None = None) -> list[Candle]:
        market = await self.market(symbol)
        if "ohlcv" not in self.api:
            raise E.NotSupported(self.id, "candles are not supported")
        tf = self.timeframe(timeframe)
        asked = self.capped(limit, "ohlcv")
        rows = await self.call("ohlcv", market, tf, since, asked)
        return sorted_candles((self.parse_candle(r) for r in rows), since, asked)

    def parse_candle(self, row) -> Candle:
        raise NotImplementedError

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        market = await self.market(symbol)
        if "trades" not in self.api:
            raise E.NotSupported(self.id, "public trades are not supported")
        asked = self.capped(limit, "trades")
        rows = await self.call("trades", market, asked)
        return sorted_trades((t for r in rows if (t := self.parse_trade(r, market))), asked)

    def parse_trade(self, row, market: Market | None) -> Trade | None:
        raise NotImplementedError


def rows_of(reply) -> list:
    """A reply that is one row or a list of rows, as a list."""
    return [reply] if isinstance(reply, Mapping) else list(reply)
