"""CEX.IO Spot Trading: the REST and websocket API that CEX.IO documents today at
https://trade.cex.io/docs/ (the "Exchange Plus" API renamed in 2024-01; the legacy cex.io/api
that ccxt's recorded fixtures still show is being retired, "Latest Changes" 2024-01-31).

Every call is a POST of a JSON body to /api/spot/rest-public/<action> or, signed,
/api/spot/rest/<action>; replies are {"ok": "ok", "data": ...} or {"error": ..., "statusCode"}.
Signed calls carry X-AGGR-KEY, X-AGGR-TIMESTAMP (unix seconds) and X-AGGR-SIGNATURE = base64
HMAC-SHA256 over action + timestamp + body ("Authentication"). The text there says the key is
"the base64-decoded secret", but its own example and CEX.IO's Node client
(cex-io-exchange/cexio-spot-trading, lib/rest.js) use the secret as given: we do as the code.

Orders are placed from a sub-account only ("New Order: This method works only with CEX.IO Spot
Trading sub-accounts", accountId mandatory, "" not allowed): its id is the credentials' `uid`.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import POST, Pages
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.stream import StreamLimits
from ..numbers import dec, decimals_to_increment, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["CEX"]

PUBLIC, PRIVATE = "/api/spot/rest-public/", "/api/spot/rest/"
# status: PENDING_NEW, NEW, PARTIALLY_FILLED, FILLED, EXPIRED, REJECTED, PENDING_CANCEL,
# CANCELLED ("Orders" response fields); "Market orders that were executed but not completely
# filled will have CANCELED status" ("New Order"): both spellings are read.
_STATUS = {"FILLED": "closed", "CANCELLED": "canceled", "CANCELED": "canceled",
           "EXPIRED": "canceled", "REJECTED": "rejected"}


_EPOCH, _MS = datetime(1970, 1, 1, tzinfo=timezone.utc), timedelta(milliseconds=1)


def _ms(text: str) -> int:
    return (datetime.fromisoformat(text.replace("Z", "+00:00")) - _EPOCH) // _MS


def _prehash(f: dict) -> str:
    return f["path"].rsplit("/", 1)[-1] + f["stamp"] + f["body"]


def _public(action: str, rows="data", **kw):
    return POST(PUBLIC + action, rows=rows, idempotent=True, **kw)


def _private(action: str, **kw):
    return POST(PRIVATE + action, signed=True, rows="data", **kw)


def _candles(data) -> list:
    """One candle is an object, several a list; a candle with no prices is an empty one."""
    rows = data if isinstance(data, list) else [data]
    return [c for c in rows if "open" in c]


class CEX(Exchange):
    id = "cex"
    name = "CEX.IO"
    docs = ("https://trade.cex.io/docs/",)
    hosts = {"rest": "https://trade.cex.io", "ws": "wss://trade.cex.io/api/spot/ws-public"}
    # "API Rate Limit": public calls 100 points a minute per IP, private 200 points a minute
    # per key (REST and websocket together); most calls cost 1, some 5 (weights below).
    limits = {"public": (100, 60.0), "private": (200, 60.0)}
    # "resolution" allowed values: 1m, 5m, 15m, 30m, 1h, 2h, 4h, 1d.
    timeframes = {tf: tf for tf in ("1m", "5m", "15m", "30m", "1h", "2h", "4h", "1d")}
    auth = Hmac(prehash=_prehash, digest="base64", stamp="s",
                headers={"X-AGGR-KEY": "{key}", "X-AGGR-TIMESTAMP": "{stamp}",
                         "X-AGGR-SIGNATURE": "{signature}"})
    api = {
        "server_time": _public("get_server_time"),
        "markets": _public("get_pairs_info"),
        # "If this field is absent, then it means Client requests ticker data for all pairs."
        "tickers": _public("get_ticker", keyed=True, params=lambda ms: {
            "pairs": [m.id for m in ms]} if ms else {}),
        "order_book": _public("get_order_book", params=lambda m, limit: {"pair": m.id}),
        "ohlcv": _public("get_candles", rows=lambda r: _candles(r["data"])),
        "trades": _public("get_trade_history", rows="data.trades", cap=1000,
                          params=lambda m, limit: {"pair": m.id, "pageSize": limit}),
        "balance": _private("get_my_account_status_v3", weight=5, idempotent=True),
        "create_order": _private("do_my_new_order", bucket="private"),
        "cancel_order": _private("do_cancel_my_order", bucket="private"),
        # get_my_orders by orderId or clientOrderId: "the status of the exact order", in any
        # state (the docs' example answers a REJECTED, final order).
        "order": _private("get_my_orders", weight=5, idempotent=True,
                          params=lambda m, oid: {"orderId": int(oid)}),
        "order_by_client_id": _private("get_my_orders", weight=5, idempotent=True,
                                       params=lambda m, cid: {"clientOrderId": cid}),
        # Open orders by default; "pageSize" at most 1000, "First page number is 0".
        "open_orders": _private("get_my_orders", weight=5, idempotent=True,
                                params=lambda m: {"pair": m.id if m else None},
                                paging=Pages("pageNumber", size=1000, size_param="pageSize",
                                             start=0)),
    }
    lacks = {
        # https://trade.cex.io/docs/#rest-private-api-calls-transaction-history
        "fetch_my_trades": "CEX.IO Spot Trading lists balance movements per order "
                           "(get_my_transaction_history), not fills with a price and side",
        "watch_ticker": "CEX.IO's public websocket has no ticker stream: get_ticker is a "
                        "request with one reply (https://trade.cex.io/docs/)",
        "watch_tickers": "CEX.IO's public websocket has no ticker stream",
    }
    # Errors come as text ({"error": "Insufficient funds"}); the docs list no codes for them.
    error_messages = {"insufficient funds": E.InsufficientFunds,
                      "is not supported": E.BadSymbol, "unsupported pair": E.BadSymbol,
                      "order not found": E.OrderNotFound, "not found": E.OrderNotFound,
                      "too many active orders": E.InvalidOrder,
                      "authorization failed": E.AuthenticationError,
                      "rate limit": E.RateLimitExceeded, "too many requests": E.RateLimitExceeded,
                      "mandatory parameter": E.InvalidOrder, "on maintenance":
                      E.ExchangeNotAvailable}
    errors = {"401": E.AuthenticationError, "429": E.RateLimitExceeded}
    # Websocket ("Public API Calls"): order_book_subscribe answers with a 20-level snapshot
    # and seqId, order_book_increment frames follow, each seqId the last + 1; trade_subscribe
    # is acknowledged with a reqId, then tradeHistorySnapshot (the last 200 trades) and
    # tradeUpdate frames come.
    channels = {"book": "order_book", "trades": "trade"}
    stream_limits = StreamLimits(batch=1, per_second=2)   # one pair a request, 1 point each
    # "Maximum allowed period between two closest Client's messages is 10 seconds".
    ws_ping_interval = 8.0
    book_snapshot, book_sequence = "ws", "next"
    # Not handled: the docs say a seqId lower than the last one means an internal restart
    # that needs a resubscribe; such frames are dropped as old here (not confirmed how often).

    def error_code(self, reply):
        p = reply.payload
        if isinstance(p, dict) and "error" in p:
            return str(p.get("statusCode") or reply.status), str(p["error"])
        data = p.get("data") if isinstance(p, dict) else None
        if isinstance(data, dict) and "error" in data:
            return str(reply.status), str(data["error"])
        return None

    def parse_server_time(self, reply) -> int:
        return int(reply["timestamp"])

    def _account(self) -> str:
        uid = self.require_credentials().uid
        if not uid:
            raise E.AuthenticationError(self.id, "CEX.IO places orders from a sub-account only: "
                                                 "add its id as the account id in Credentials")
        return uid

    def ohlcv_params(self, m, resolution, since, limit):
        # "limit ... is mandatory if at least one of fromISO or toISO is specified". Candles
        # are of the best bid ("dataType": bestAsk or bestBid), not of trades.
        return {"pair": m.id, "resolution": resolution, "dataType": "bestBid",
                "limit": limit or 100, **({"fromISO": since} if since is not None
                                          else {"toISO": self.now()})}

    def balance_params(self):
        return {"accountIds": [self.credentials.uid or ""]}

    def create_order_params(self, m, side, type, amount, price, cid, options):
        base, quote = m.id.split("-")
        return {"clientOrderId": cid, "accountId": self._account(), "currency1": base,
                "currency2": quote, "side": side.upper(),
                "timestamp": self.now(), "orderType": type.capitalize(),
                # "For Market orders only IOC TimeInForce value is allowed."
                "timeInForce": "GTC" if type == "limit" else "IOC",
                "amountCcy1": amount, "price": price}

    def cancel_order_params(self, m, oid):
        return {"orderId": int(oid), "cancelRequestId": f"cancel_{oid}_{self.now()}",
                "timestamp": self.now()}

    def parse_placed(self, d: dict, market: Market) -> Order:
        if d.get("status") == "REJECTED":     # answered "ok", the order refused
            err = self.error_for(d.get("rejectCode"), str(d.get("rejectReason") or
                                                          "the order was rejected"),
                                 "do_my_new_order")
            raise err if type(err) is not E.ExchangeError else E.InvalidOrder(
                self.id, err.reason, endpoint="do_my_new_order", code=err.code)
        return self.parse_order(d, market)

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, p: dict, key=None) -> Market:
        base, quote = self.currency(p["base"]), self.currency(p["quote"])
        # The listing carries no status field: every pair listed is taken as tradable.
        return Market(f"{base}/{quote}", f"{p['base']}-{p['quote']}", base, quote,
                      decimals_to_increment(int(p["pricePrecision"])), dec(p["baseLotSize"]),
                      opt_dec(p.get("baseMin")), opt_dec(p.get("quoteMin")), True)

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        if market is None:
            return None
        last, change = opt_dec(t.get("last")), opt_dec(t.get("priceChange"))
        return Ticker(market.symbol, None, opt_dec(t.get("bestBid")), opt_dec(t.get("bestAsk")),
                      last, opt_dec(t.get("high")), opt_dec(t.get("low")),
                      last - change if last is not None and change is not None else None,
                      opt_dec(t.get("volume")), opt_dec(t.get("quoteVolume")))

    def parse_order_book(self, r: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, levels(r["bids"]), levels(r["asks"]),
                         int(r["timestamp"]))

    @staticmethod
    def parse_candle(c: dict) -> Candle:
        return Candle(int(c["timestamp"]), dec(c["open"]), dec(c["high"]), dec(c["low"]),
                      dec(c["close"]), dec(c.get("volume", 0)))

    def parse_trade(self, t: dict, market: Market) -> Trade:
        # "side: Side of trade event" — whose side is not stated (not confirmed; read as the
        # taker's, as for the other venues).
        return Trade(str(t["tradeId"]), _ms(t["dateISO"]), t["side"].lower(),
                     dec(t["price"]), dec(t["amount"]), market.symbol)

    def parse_balance(self, data: dict) -> dict[str, Balance]:
        out: dict[str, Balance] = {}
        for account in data["balancesPerAccounts"].values():
            for code, b in account.items():
                total, used = dec(b["balance"]), dec(b["balanceOnHold"])
                out[self.currency(code)] = Balance(total - used, used, total)
        return out

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = self.by_id(f"{o['currency1']}-{o['currency2']}")
        if market is None:
            return None
        type_ = "market" if o["orderType"] == "Market" else "limit"
        amount = opt_dec(o.get("requestedAmountCcy1")) or Decimal(0)
        filled = opt_dec(o.get("executedAmountCcy1")) or Decimal(0)
        status = _STATUS.get(o["status"], "open")
        fee = opt_dec(o.get("feeAmount"))
        return Order(str(o["orderId"]), o.get("clientOrderId") or None, market.symbol,
                     o["side"].lower(), type_, opt_dec(o.get("price")) if type_ == "limit"
                     else None, amount, filled, amount - filled if status == "open"
                     else Decimal(0), status, o.get("serverCreateTimestamp"),
                     average=opt_dec(o.get("averagePrice")), fee=fee or None)

    # -- streams -----------------------------------------------------------------------------
    def stream_ping(self):
        return {"e": "ping"}

    def ws_subscribe(self, channel, args, subscribe):
        event = f"{channel}_{'subscribe' if subscribe else 'unsubscribe'}"
        # "oid": a unique id of the request, echoed in the reply (also in a refusal).
        return [{"e": event, "oid": f"{self.ws_request([f'{channel}:{a}'])}_{event}",
                 "data": {"pair": a}} for a in args]

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        e, data = msg.get("e"), msg.get("data")
        if not isinstance(data, dict):
            return None                 # connected, pong, disconnected
        if "error" in data:
            req = str(msg.get("oid", "")).partition("_")[0]
            return self.refused(self.ws_request_keys(int(req) if req.isdigit() else None),
                                str(data["error"]))
        if e in ("order_book_subscribe", "order_book_increment") and "pair" in data:
            return f"order_book:{data['pair']}"
        if e in ("tradeHistorySnapshot", "tradeUpdate") and "pair" in data:
            return f"trade:{data['pair']}"
        return None                     # trade_subscribe and unsubscribe acks

    def parse_ws_trades(self, msg, market) -> list[Trade]:
        # The snapshot is history (sent again "in some cases ... during a session"): only
        # tradeUpdate frames are new trades. Updates may repeat snapshot trades, which are
        # not passed on here.
        if msg["e"] != "tradeUpdate":
            return []
        return [self.parse_trade(msg["data"], market)]

    def parse_book_frame(self, msg, market) -> BookFrame:
        d = msg["data"]
        # The reply to order_book_subscribe is the snapshot; increments are unordered: levels
        # are applied by price, amount 0 removes one.
        return BookFrame(msg["e"] == "order_book_subscribe", levels(d["bids"]),
                         levels(d["asks"]), seq=int(d["seqId"]))
