"""CoinSpot: the v2 Public and (read-only) private REST API.

Docs: https://www.coinspot.com.au/v2/api (its summary and security sections could be read; the
endpoint list could not). Endpoint paths are the dossier's (from ccxt's api map) and the reply
shapes those of the `coinspot-api` TypeScript client's types (third party); both unconfirmed
in the official text and marked so.

Signing (v2 docs, "Security"): every private call is a POST whose JSON body carries `nonce`
("any integer value which must always be greater than the previous request's"); headers `key`
and `sign` = hex HMAC-SHA512 of the POST data with the secret.

No client order id exists: a lost reply is found by its terms (core/orders.py,
`takes_client_ids`) among the open and completed orders. Limit orders only: /api/v2/my/buy and
/my/sell {cointype, markettype, amount, rate}, answered with the order's `id` (the dossier and
the third-party clients; unconfirmed in the official text). The market ("now") orders are not
offered: what /my/buy/now answers (whether it names an order id, how it shows in the completed
list) could not be confirmed, so such an order could not be told apart after a lost reply.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST
from ..numbers import dec, opt_dec
from ..types import Balance, Market, Order, OrderBook, Ticker, Trade

__all__ = ["CoinSpot"]

_NO_WS = "CoinSpot has no websocket API (its v2 docs describe REST only)"
# No precision is published for any market (the dossier; ccxt hard-codes a few): 8 decimals
# for amounts and prices are assumed, unconfirmed.
_STEP = Decimal("0.00000001")


def _ms(text: str | None) -> int | None:
    """"2020-05-21T13:22:45.000Z" (v2 docs, "Important things to note") → ms."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000) \
        if text else None


def _coin(m: Market) -> dict:
    coin, _, market = m.id.partition("-")
    return {"cointype": coin, "markettype": market}


def _sides(reply: dict) -> list:
    """{"buyorders": [...], "sellorders": [...]} → rows tagged with their side."""
    return [{**r, "side": side} for key, side in (("buyorders", "buy"), ("sellorders", "sell"))
            for r in reply.get(key) or ()]


class _Auth:
    """`nonce` first in the JSON body, as an integer; `sign` over the exact body sent."""

    def sign(self, ex, request):
        creds = ex.require_credentials()
        request.prepend_data({"nonce": int(ex.stamp("nonce"))})
        body = request.body.encode() if isinstance(request.body, str) else request.body or b""
        request.headers["key"] = creds.api_key
        request.headers["sign"] = hmac.new(creds.secret.encode(), body,
                                           hashlib.sha512).hexdigest()
        return request


class CoinSpot(Exchange):
    id = "coinspot"
    name = "CoinSpot"
    docs = ("https://www.coinspot.com.au/v2/api",)
    hosts = {"rest": "https://www.coinspot.com.au"}
    rate_limit = (1000, 60.0)        # "Requests are limited to 1000 requests per minute."
    auth = _Auth()
    api = {
        "markets": GET("/pubapi/v2/latest", rows="prices", keyed=True),
        "tickers": GET("/pubapi/v2/latest", rows="prices", keyed=True),
        "ticker": GET("/pubapi/v2/latest/{cointype}/{markettype}", rows="prices",
                      params=_coin),
        # The top 100 open orders a side (third-party client's doc comment; unconfirmed).
        "order_book": GET("/pubapi/v2/orders/open/{cointype}/{markettype}",
                          params=lambda m, limit: _coin(m)),
        "trades": GET("/pubapi/v2/orders/completed/{cointype}/{markettype}", rows=_sides,
                      params=lambda m, limit: _coin(m)),
        "balance": POST("/api/v2/ro/my/balances", signed=True, rows="balances"),
        "create_order": POST("/api/v2/my/{side}", signed=True, params=lambda m, side, type,
                             amount, price, cid, o: {"side": side, **_coin(m), "amount": amount,
                                                     "rate": price}),
        "cancel_order": POST("/api/v2/my/{side}/cancel", signed=True),
        "open_orders": POST("/api/v2/ro/my/orders/market/open", signed=True, idempotent=True,
                            rows=_sides, params=lambda m: _coin(m) if m else {}),
        "closed_orders": POST("/api/v2/ro/my/orders/market/completed", signed=True,
                              idempotent=True, rows=_sides,
                              params=lambda m: _coin(m) if m else {}),
        # Completed orders are the account's fills (each row one execution: unconfirmed).
        "my_trades": POST("/api/v2/ro/my/orders/market/completed", signed=True,
                          idempotent=True, rows=_sides,
                          params=lambda m, since, limit: _coin(m) if m else {}),
    }
    # {"status": "error", "message": "Coin not found"} with a non-200 status (v2 docs); no
    # other message is documented: the fragments below are guesses at plain wording.
    error_messages = {"coin not found": E.BadSymbol, "insufficient": E.InsufficientFunds,
                      "not found": E.OrderNotFound, "invalid key": E.AuthenticationError,
                      "invalid sign": E.AuthenticationError, "nonce": E.AuthenticationError}
    lacks = {
        "fetch_ohlcv": "CoinSpot publishes no candles (v2 API: prices, open and completed "
                       "orders only)",
        "fetch_order": "CoinSpot has no order lookup: it lists open and completed orders only "
                       "(v2 read-only API), and a canceled order appears in neither "
                       "(unconfirmed), so an order could be reported missing that was canceled",
        "watch_ticker": _NO_WS, "watch_tickers": _NO_WS, "watch_order_book": _NO_WS,
        "watch_trades": _NO_WS,
    }

    takes_client_ids = False
    order_types = ("limit",)            # see the module's docstring: no "now" orders
    # The reply is {"status", "coin", "market", "amount", "rate", "id"}: no fills. With no order
    # lookup there is no record to read after it (core: `_with_venue_state` needs "order"),
    # so the order is returned as accepted (open, nothing filled); its fills show in the open
    # and completed orders.
    create_returns_state = True

    def parse_placed(self, r: dict, market: Market) -> str:
        return str(r["id"])

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and d.get("status") == "error":
            return "", str(d.get("message") or "")
        return None

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        # Cancels are per side (/my/buy/cancel, /my/sell/cancel): the side is read from the
        # open orders. A canceled order then appears in no listing, so it is returned as
        # canceled once the venue said "ok".
        market = await self.market(symbol)
        self.require_credentials()
        order = next((o for o in await self.fetch_open_orders(symbol) if o.id == str(order_id)),
                     None)
        if order is None:
            raise E.OrderNotFound(self.id, f"there is no open order {order_id} in {symbol}")
        await self.call("cancel_order", market, str(order_id),
                        params={"side": order.side, "id": str(order_id)})
        return Order(order.id, None, order.symbol, order.side, order.type, order.price,
                     order.amount, order.filled, order.remaining, "canceled", order.timestamp)

    # -- parsers -------------------------------------------------------------------------------
    def parse_market(self, row, key=None) -> Market:
        # Keys of /latest: "btc" (an AUD market); other markets as "btc_usdt" (unconfirmed).
        coin, _, market = str(key).partition("_")
        base, quote = self.currency(coin), self.currency(market or "AUD")
        return Market(f"{base}/{quote}", f"{coin.upper()}-{(market or 'AUD').upper()}", base,
                      quote, _STEP, _STEP, None, None, True)

    def each(self, rows, endpoint):
        if endpoint == "tickers":
            return [(r, m.id) for k, r in rows.items() if (m := self.by_id(
                f"{k.partition('_')[0].upper()}-{(k.partition('_')[2] or 'AUD').upper()}"))]
        return super().each(rows, endpoint)

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        if market is None:
            return None
        return Ticker(market.symbol, None, opt_dec(t.get("bid")), opt_dec(t.get("ask")),
                      dec(t["last"]), None, None, None, None, None)

    @staticmethod
    def parse_order_book(r: dict, market: Market) -> OrderBook:
        side = lambda rows: [(dec(o["rate"]), dec(o["amount"])) for o in rows or ()]  # noqa
        return OrderBook(market.symbol, side(r.get("buyorders")), side(r.get("sellorders")),
                         None, None)

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # Completed orders carry no id: one is made of the time, rate and amount. `side` is the
        # list the row came in (buyorders/sellorders); whose side that is, is not said.
        ms, price, amount = _ms(t.get("solddate")), dec(t["rate"]), dec(t["amount"])
        return Trade(f"{ms}:{t['side']}:{price}:{amount}", ms, t["side"], price, amount,
                     market.symbol)

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        # [{"BTC": {"balance", "audbalance", "rate"}}]: no amount held by open orders is given,
        # so all of it is counted free (unconfirmed how open orders count).
        out = {}
        for entry in rows:
            for code, b in entry.items():
                total = dec(b["balance"])
                free = dec(b["available"]) if b.get("available") is not None else total
                out[self.currency(code)] = Balance(free, total - free, total)
        return out

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(f"{o.get('coin', '')}-{o.get('market', 'AUD')}".upper())
        if market is None:
            return None
        done = "solddate" in o               # a completed order: filled
        amount = dec(o["amount"])
        return Order(str(o["id"]), None, market.symbol, o["side"], "limit", dec(o["rate"]),
                     amount, amount if done else Decimal(0), Decimal(0) if done else amount,
                     "closed" if done else "open", _ms(o.get("created") or o.get("solddate")))

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(f"{t.get('coin', '')}-{t.get('market', 'AUD')}".upper())
        if market is None:
            return None
        fee = opt_dec(t.get("audfeeExGst"))
        gst = opt_dec(t.get("audGst"))
        return Trade(str(t["id"]), _ms(t["solddate"]), t["side"], dec(t["rate"]),
                     dec(t["amount"]), market.symbol, str(t["id"]), None,
                     fee + gst if fee is not None and gst is not None else fee,
                     "AUD" if fee is not None else None, None)
