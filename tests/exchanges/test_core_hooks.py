"""Small core hooks: significant-digit prices, catch-all error codes, messages built when sent."""
from __future__ import annotations

from decimal import Decimal

import pytest

from exchanges import errors as E
from exchanges import Credentials
from exchanges.core.adapter import Exchange
from exchanges.core.api import GET, POST
from exchanges.core.orders import may_have_left
from exchanges.core.stream import StreamHub
from exchanges.types import Market, Order

D = Decimal


def _market(**kw) -> Market:
    return Market("BTC/USD", "tBTCUSD", "BTC", "USD", D("0.00000001"), D("0.00000001"), **kw)


@pytest.mark.parametrize("price, step", [
    ("60000", "1"), ("99999", "1"), ("100000", "10"), ("1234.5", "0.1"), ("1.2345", "0.0001"),
    ("0.00012345", "0.00000001"), ("0.000012345", "0.00000001")])
def test_price_step_follows_significant_digits(price, step):
    assert _market(price_significant_digits=5).price_step(D(price)) == D(step)


def test_price_step_is_the_tick_without_significant_digits():
    assert _market().price_step(D("60000.5")) == D("0.00000001")


class _Venue(Exchange):
    id = "hooks"
    errors = {"10001": E.ExchangeError, "10100": E.AuthenticationError}
    generic_error_codes = frozenset({"10001"})
    error_messages = {"not enough exchange balance": E.InsufficientFunds,
                      "apikey": E.PermissionDenied}

    async def _fetch_markets(self):
        return [_market(price_significant_digits=5)]


async def test_generic_code_lets_the_message_decide():
    async with _Venue() as ex:
        err = ex.error_for("10001", "Invalid order: not enough exchange balance for 1 BTCUSD")
        assert type(err) is E.InsufficientFunds
        assert type(ex.error_for("10001", "something else")) is E.ExchangeError
        # A specific code still wins over a fragment.
        assert type(ex.error_for("10100", "apikey: invalid")) is E.AuthenticationError


async def test_check_order_validates_significant_digits():
    async with _Venue() as ex:
        market, amount, price = await ex.check_order("BTC/USD", "buy", "limit", "0.1", "61234")
        assert price == D("61234")
        with pytest.raises(E.InvalidOrder, match="multiple of 1 USD"):
            await ex.check_order("BTC/USD", "buy", "limit", "0.1", "61234.5")


class _WS:
    def __init__(self):
        self.sent = []
        self.closed = False

    async def send_str(self, text):
        self.sent.append(text)


async def test_a_message_may_be_built_when_sent():
    hub = StreamHub("x", "ws://unused", lambda: None, route=lambda m: None,
                    build=lambda channel, args, subscribe: None)
    hub._ws = _WS()
    state = {"chan": 7}
    await hub._send(lambda: {"event": "unsubscribe", "chanId": state["chan"]})
    await hub._send(lambda: None)          # nothing known to unsubscribe: nothing sent
    assert hub._ws.sent == ['{"event": "unsubscribe", "chanId": 7}']


class _Listings(_Venue):
    """Listings that filter by client id, and an order endpoint that may name another order."""
    api = {"order": GET("/order", signed=True, params=lambda m, oid: {"id": oid}),
           "open_orders": GET("/open", signed=True, client_id="cid"),
           "closed_orders": GET("/closed", signed=True, client_id="cid"),
           "create_order": GET("/never")}

    def __init__(self):
        super().__init__(credentials=Credentials("k", "s"))
        self.sent, self.replies = [], {}

    async def _send(self, name, ep, params):
        self.sent.append((name, dict(params or {})))
        return self.replies.get(name, [])

    def parse_order(self, row, market):
        return Order(row["id"], row.get("cid"), "BTC/USD", "buy", "limit", D(1), D(1), D(0),
                     D(1), "open", 0)


async def test_lookup_by_client_id_asks_filtering_listings_for_that_order_only():
    async with _Listings() as ex:
        ex.replies["closed_orders"] = [{"id": "7", "cid": "c-1"}]
        market = await ex.market("BTC/USD")
        assert ex.client_id_lookup() == "history" and ex.has["create_order"]
        assert (await ex.find_order_by_client_id(market, "c-1")).id == "7"
    assert ex.sent == [("open_orders", {"cid": "c-1"}), ("closed_orders", {"cid": "c-1"})]


async def test_fetch_order_ignores_a_reply_about_another_order():
    async with _Listings() as ex:
        ex.replies["order"] = [{"id": "8"}]
        assert (await ex.fetch_order("8", "BTC/USD")).id == "8"
        with pytest.raises(E.OrderNotFound):
            await ex.fetch_order("9", "BTC/USD")


def _with_status(err: E.ExchangeError, status: int | None) -> E.ExchangeError:
    err.http_status = status
    return err


@pytest.mark.parametrize("err, left", [
    # Bitfinex answers every refusal with HTTP 500: the venue said why, nothing was placed.
    (_with_status(E.InsufficientFunds("v", "not enough exchange balance"), 500), False),
    (_with_status(E.InvalidOrder("v", "minimum size for BTC/USD is 0.00006"), 500), False),
    (_with_status(E.AuthenticationError("v", "nonce: small"), 500), False),
    (_with_status(E.ExchangeError("v", "something unexpected"), 500), True),
    (_with_status(E.ExchangeNotAvailable("v", "bad gateway"), 502), True),
    (E.RequestTimeout("v", "no reply"), True),
    (_with_status(E.InvalidOrder("v", "bad price"), 400), False),
])
def test_a_refusal_the_venue_names_left_nothing_behind_whatever_the_status(err, left):
    assert may_have_left(err) is left


class _ApartVenue(_Venue):
    """Open orders by id on one endpoint, finished ones on another (Bitfinex's split)."""
    api = {"order": GET("/orders", signed=True), "closed_order": GET("/hist", signed=True)}
    held = {"/orders": [{"id": "1", "status": "open"}], "/hist": [{"id": "2", "status": "closed"}]}

    async def call(self, name, market, order_id, params=None):
        self.asked.append(name)
        return [r for r in self.held[self.api[name].path] if r["id"] == order_id]

    def parse_order(self, row, market):
        return Order(row["id"], None, market.symbol, "buy", "limit", D(1), D(1), D(0), D(1),
                     row["status"], 0)


async def test_an_order_not_open_is_looked_up_where_finished_ones_are():
    assert _ApartVenue.has["fetch_order"]
    async with _ApartVenue(credentials=Credentials(api_key="k", secret="s")) as ex:
        ex.asked = []
        assert (await ex.fetch_order("1", "BTC/USD")).status == "open"
        assert ex.asked == ["order"]
        assert (await ex.fetch_order("2", "BTC/USD")).status == "closed"
        assert ex.asked == ["order", "order", "closed_order"]
        with pytest.raises(E.OrderNotFound):
            await ex.fetch_order("3", "BTC/USD")


class _Placing(Exchange):
    """A venue whose create reply is only the order's id (Bitstamp's market orders)."""
    id = "placing"
    api = {"create_order": POST("/o", signed=True), "order": GET("/o", signed=True),
           "order_by_client_id": GET("/o", signed=True)}
    create_returns_state = False
    record: object = {"filled": "2", "status": "closed", "average": "100.5"}

    async def call(self, name, *args, params=None):
        if isinstance(self.record, Exception) and name == "order":
            raise self.record
        return {"id": "9"} if name == "create_order" else self.record

    def parse_placed(self, reply, market):
        return reply["id"]

    def parse_order(self, row, market):
        filled = D(row["filled"])
        return Order("9", None, market.symbol, "buy", "limit", None, filled, filled, D(0),
                     row["status"], 7, average=D(row["average"]))


async def test_a_placed_order_takes_its_state_from_the_venue_record():
    ex, market = _Placing(), _market()
    order = await ex._place_order(market, "buy", "market", D("2"), None, "c1")
    assert (order.id, order.type, order.client_order_id, order.price) == ("9", "market", "c1",
                                                                           None)
    assert (order.status, order.filled, order.remaining, order.average, order.timestamp) == (
        "closed", D("2"), D("0"), D("100.5"), 7)
    ex.record = E.ExchangeNotAvailable("placing", "down")     # placed all the same
    order = await ex._place_order(market, "buy", "market", D("2"), None, "c2")
    assert (order.id, order.status, order.filled, order.client_order_id) == (
        "9", "open", D("0"), "c2")


class _ListLookup(_Venue):
    """A venue whose client-id lookup answers with a list of recent orders (Coinbase)."""
    api = {"create_order": POST("/orders"), "order_by_client_id": GET("/orders")}

    def parse_order(self, row, market):
        return Order(row["id"], row.get("cid"), "BTC/USD", "buy", "limit", D(1), D(1), D(0),
                     D(1), "open", None)


async def test_a_lookup_answering_a_list_finds_only_the_order_with_that_client_id(monkeypatch):
    rows = [{"id": "9", "cid": None}, {"id": "7", "cid": "mine"}]

    async def call(name, *args, params=None):
        return rows
    async with _ListLookup() as ex:
        monkeypatch.setattr(ex, "call", call)
        assert (await ex.find_order_by_client_id(_market(), "mine")).id == "7"
        # Order 9 (placed elsewhere, no client id) is not the order that was sent.
        assert await ex.find_order_by_client_id(_market(), "lost") is None
        rows[:] = [{"id": "5"}]           # a direct lookup that does not echo the client id
        assert (await ex.find_order_by_client_id(_market(), "lost")).id == "5"


class _Lacking(Exchange):
    id = "lacking"
    api = {"ticker": GET("/t")}
    lacks = {"fetch_ohlcv": "no candle endpoint (docs)", "watch_tickers": "no ticker stream"}


async def test_a_declared_absence_raises_its_reason_before_reading_arguments():
    assert not _Lacking.has["fetch_ohlcv"] and not _Lacking.has["watch_tickers"]
    assert _Lacking.has["fetch_ticker"]
    async with _Lacking() as ex:
        with pytest.raises(E.NotSupported, match="no candle endpoint"):
            await ex.fetch_ohlcv("BTC/USD", "1h")
        with pytest.raises(E.NotSupported, match="no ticker stream"):
            await ex.watch_tickers("not even a list").__anext__()
