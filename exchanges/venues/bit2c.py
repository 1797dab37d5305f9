"""Bit2C (Israel): the REST API, NIS markets.

Docs: https://bit2c.co.il/home/api ("Bit2C API Documantation"). Public data under
/Exchanges/{pair}/…json; private calls carry the headers `key` and `sign`, the sign being
base64(HMAC-SHA512) of the whole form data (the query of a GET, the body of a POST) with an
increasing `nonce` among the parameters, keyed with the secret in upper case ("Your secret key
(upper case)", the older revision of the page; the Node.js client the docs list,
github.com/OferE/bit2c, upper-cases it too).

What Bit2C does not offer, declared in `lacks`: candles and websockets. Bit2C takes no client
order id (none in ccxt or the clients the docs list): a lost reply is found by its terms
(core/orders.py, `takes_client_ids`) among the open orders and the orders of the newest fills.
Orders: Order/AddOrder (limit: Amount, Price, IsBid, Pair), Order/AddOrderMarketPriceBuy
(Total, the NIS to spend) and Order/AddOrderMarketPriceSell (Amount); the endpoint names are
those of ccxt's map and the Node.js client the docs list; the parameter names could not be
confirmed on the docs page itself (unconfirmed).
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST
from ..core.market_data import rows_of
from ..numbers import dec, opt_dec
from ..types import Balance, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Bit2C"]

_DOCS = "https://bit2c.co.il/home/api"
# The markets the page names ("[BtcNis/EthNis/LtcNis/UsdcNis]"); there is no markets call.
# Increments and minimums are not published (unconfirmed): prices in agorot (0.01 NIS),
# amounts to 8 decimals, no minimum declared.
_PAIRS = {"BtcNis": ("BTC", "NIS"), "EthNis": ("ETH", "NIS"), "LtcNis": ("LTC", "NIS"),
          "UsdcNis": ("USDC", "NIS")}
_NOT_OFFERED = "Bit2C's API has no websocket (https://bit2c.co.il/home/api)"


_RECENT_FILLS_MS = 600_000


def _order_body(m, side, type, amount, price, cid, options) -> dict:
    if type == "limit":
        return {"kind": "AddOrder", "Amount": amount, "Price": price,
                "IsBid": "true" if side == "buy" else "false", "Pair": m.id}
    if side == "sell":
        return {"kind": "AddOrderMarketPriceSell", "Amount": amount, "Pair": m.id}
    return {"kind": "AddOrderMarketPriceBuy", "Total": options["quote_amount"], "Pair": m.id}


def _open_rows(reply) -> list:
    """Order/MyOrders: {"BtcNis": {"ask": [...], "bid": [...]}, …} → every order row."""
    out = []
    for pair, sides in (reply or {}).items():
        for side in ("bid", "ask"):
            out += [{"pair": pair, **o} for o in (sides or {}).get(side) or ()]
    return out


class Bit2C(Exchange):
    id = "bit2c"
    # AddOrderMarketPriceBuy takes the NIS to spend (its precision is not documented:
    # unconfirmed, sent unrounded); the core converts at the best ask.
    market_buy_in_quote = True
    name = "Bit2C"
    docs = (_DOCS,)
    hosts = {"rest": "https://bit2c.co.il"}
    # Rate limits are not published (unconfirmed): 1 request a second, bursts of 5, for each
    # of public data, private reads and order writes.
    limits = {"public": (5, 5.0), "private": (5, 5.0), "orders": (5, 5.0)}
    body_format = "form"
    api = {
        "ticker": GET("/Exchanges/{pair}/Ticker.json", params=lambda m: {"pair": m.id}),
        # orderbook.json: the full book, "cached 1 sec."
        "order_book": GET("/Exchanges/{pair}/orderbook.json",
                          params=lambda m, limit: {"pair": m.id}),
        # All Trades: `limit` "max = 100,000"; `isBid` "true = taker buy".
        "trades": GET("/Exchanges/{pair}/trades.json", cap=100_000,
                      params=lambda m, limit: {"pair": m.id, "limit": limit or 100}),
        "balance": GET("/Account/Balance/v2", signed=True),
        "create_order": POST("/Order/{kind}", signed=True, params=_order_body),
        "cancel_order": POST("/Order/CancelOrder", signed=True,
                             params=lambda m, oid: {"id": oid}),
        "order": GET("/Order/GetById", signed=True, params=lambda m, oid: {"id": oid}),
        "open_orders": GET("/Order/MyOrders", signed=True, rows=_open_rows,
                           params=lambda m: {"pair": m.id if m else None}),
        # OrderHistory: the account's executions, `take` of them (the date filters' format
        # is not documented in what could be read: unconfirmed, not sent).
        # No list of finished orders: the fills name them (`_open_and_closed`).
        "closed_orders": GET("/Order/OrderHistory", signed=True,
                             params=lambda m: {"pair": m.id if m else None, "take": 100}),
        "my_trades": GET("/Order/OrderHistory", signed=True, cap=1000,
                         params=lambda m, since, limit: {"pair": m.id if m else None,
                                                         "take": limit or 1000}),
    }
    # Errors are {"error": …} or {"Error": …} texts (ccxt's bit2c.ts quotes them).
    error_messages = {"please provide valid apikey": E.AuthenticationError,
                      "please provide valid nonce": E.AuthenticationError,
                      "no order found": E.OrderNotFound,
                      "approve new terms of use": E.PermissionDenied,
                      "insufficient": E.InsufficientFunds}
    lacks = {"fetch_ohlcv": "Bit2C has no candle endpoint (https://bit2c.co.il/home/api)",
             **dict.fromkeys(("watch_ticker", "watch_tickers", "watch_order_book",
                              "watch_trades"), _NOT_OFFERED)}

    takes_client_ids = False
    # The create reply: {"OrderResponse": {...}, "NewOrder": {"id", ...}} (ccxt's bit2c.ts
    # reading; the docs page shows no example: unconfirmed). Only the id is taken.
    create_returns_state = False

    def parse_placed(self, r: dict, market: Market) -> str:
        return str(r["NewOrder"]["id"])

    async def _open_and_closed(self, market, client_order_id=None, since=None) -> list[Order]:
        """Open orders, then the orders behind the fills since `since` (by default the last
        ten minutes), each read by id: Bit2C lists no finished orders."""
        orders = self._orders(await self.rows("open_orders", market), market)
        known = {o.id for o in orders}
        since = self.now() - _RECENT_FILLS_MS if since is None else since
        ids = [str(f["reference"]).split("|")[1] for f in await self.rows("closed_orders", market)
               if str(f.get("reference", "")).startswith(f"{market.id}|")
               and int(f.get("ticks") or 0) * 1000 >= since - 1000]
        for oid in dict.fromkeys(i for i in ids if i not in known):
            orders += self._orders(rows_of(await self.call("order", market, oid)), market)
        return orders

    def sign(self, request):
        """key + sign = base64(HMAC-SHA512(SECRET, form data)), the nonce the last field."""
        creds = self.require_credentials()
        nonce = self.stamp("nonce")
        if request.method == "GET":
            request.query = f"{request.query}&nonce={nonce}" if request.query else \
                f"nonce={nonce}"
            signed = request.query
        else:
            request.append_data({"nonce": nonce})
            signed = request.body or ""
        mac = hmac.new(creds.secret.upper().encode(), signed.encode(), hashlib.sha512)
        request.headers.update({"key": creds.api_key,
                                "sign": base64.b64encode(mac.digest()).decode()})
        return request

    def error_code(self, reply):
        d = reply.payload
        if not isinstance(d, dict):
            return None
        text = d.get("error") or d.get("Error")
        answer = d.get("OrderResponse")
        if not text and isinstance(answer, dict) and answer.get("HasError"):
            text = answer.get("Error") or answer.get("Message") or "the order was refused"
        return ("", str(text)) if text else None

    async def _fetch_markets(self) -> list[Market]:
        return [Market(f"{b}/{q}", pair, b, q, dec("0.01"), dec("0.00000001"), None, None,
                       True) for pair, (b, q) in _PAIRS.items()]

    async def fetch_tickers(self, symbols=None):
        """No all-tickers call: one Ticker.json per market."""
        await self.load_markets()
        return {s: await self.fetch_ticker(s) for s in symbols or list(self.markets)}

    # -- parsers -----------------------------------------------------------------------------
    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        # ll last, h "highest buy order", l "lowest sell order", a "last 24 hours volume";
        # no time, high, low or open.
        return Ticker(market.symbol, None, opt_dec(t.get("h")), opt_dec(t.get("l")),
                      opt_dec(t.get("ll")), None, None, None, opt_dec(t.get("a")), None)

    @staticmethod
    def parse_order_book(reply: dict, market: Market) -> OrderBook:
        # A dead zero-amount row can sit on top of the snapshot (ccxt's recorded incident,
        # response/bit2c.json): dropped, as the venue's orderbook-top feed does.
        def side(rows):
            return [(dec(r[0]), dec(r[1])) for r in rows or () if dec(r[1]) > 0]
        return OrderBook(market.symbol, side(reply.get("bids")), side(reply.get("asks")),
                         None, None)

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        return Trade(str(t["tid"]), int(t["date"]) * 1000, "buy" if t["isBid"] else "sell",
                     dec(t["price"]), dec(t["amount"]), market.symbol)

    def parse_balance(self, reply: dict) -> dict[str, Balance]:
        # Balance/v2: AVAILABLE_X, LOCKED_X and X (the total) for each currency X.
        out = {}
        for key in reply:
            if key.startswith("AVAILABLE_"):
                code = key[len("AVAILABLE_"):]
                out[self.currency(code)] = Balance(dec(reply[key]),
                                                   dec(reply.get(f"LOCKED_{code}", 0)),
                                                   dec(reply.get(code, 0)))
        return out

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o.get("pair"))
        if market is None or o.get("pair") not in (None, market.id):
            return None
        # `amount` is what is left, `initialAmount` what was asked; type 0 buy / 1 sell,
        # order_type 0 limit / 1 market (ccxt's reading). Status New, Open, Completed; the
        # word for a cancelled order is not documented (unconfirmed): any other word is
        # taken as cancelled, and a Completed order with an amount left as cancelled too.
        left = dec(o.get("amount") or 0)
        amount = dec(o.get("initialAmount") or left)
        status = o.get("status")
        status = ("open" if status in ("New", "Open") else
                  "closed" if status == "Completed" and not left else "canceled")
        return Order(str(o["id"]), None, market.symbol, "buy" if int(o["type"]) == 0 else "sell",
                     "market" if int(o.get("order_type") or 0) == 1 else "limit",
                     opt_dec(o.get("price")) or None, amount, amount - left, left, status,
                     int(o["created"]) * 1000 if o.get("created") else None)

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        # `reference` "pair|orderId|tradeId" (ccxt's reading; unconfirmed); action 0 buy,
        # 1 sell; firstAmount the signed base amount; the fee is charged in NIS.
        pair, order_id, trade_id = str(t["reference"]).split("|")[:3]
        market = market or self.by_id(pair)
        if market is None or pair != market.id:
            return None
        return Trade(trade_id, int(t["ticks"]) * 1000, "buy" if int(t["action"]) == 0 else "sell",
                     dec(t["price"]), abs(dec(t["firstAmount"])), market.symbol, order_id,
                     None, opt_dec(t.get("feeAmount")), market.quote, None)
