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
from exchanges.types import Market, Order, Ticker

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


async def test_a_venue_declares_how_often_its_stream_is_pinged():
    class Streaming(_Venue):
        hosts = {"rest": "http://127.0.0.1:1", "ws": "ws://127.0.0.1:1/ws"}

    class Quiet(Streaming):
        ws_ping_interval = 8.0      # CEX.IO closes a connection silent for 10 s
    for venue, every in ((Streaming(), 20.0), (Quiet(), 8.0)):     # 20 s: the default
        assert venue.hub()._options["ping_interval"] == every
        await venue.close()


async def test_a_declared_absence_is_not_offered_and_raises_its_reason():
    class Lacking(_Venue):
        api = {"ohlcv": GET("/candles")}
        channels = {"trades": "trades"}
        lacks = {"fetch_ohlcv": "no candles here", "watch_trades": "no trade stream here"}
    ex = Lacking()
    assert not ex.has["fetch_ohlcv"] and not ex.has["watch_trades"]
    with pytest.raises(E.NotSupported, match="no candles here"):
        await ex.fetch_ohlcv("BTC/USD", "1h")
    with pytest.raises(E.NotSupported, match="no trade stream here"):
        await ex.watch_trades("BTC/USD").__anext__()
    await ex.close()


class _OneTicker(_Venue):
    """A venue with a one-market ticker endpoint only (bitFlyer, Coincheck, Zaif)."""
    api = {"ticker": GET("/ticker", params=lambda m: {"pair": m.id})}
    tickers_one_by_one = True

    async def _fetch_markets(self):
        return [Market(f"{b}/USD", f"{b}USD", b, "USD", D("0.01"), D("0.01"), active=a)
                for b, a in (("BTC", True), ("ETH", True), ("LTC", False))]

    async def call(self, name, market, params=None, extra=None):
        self.asked.append(market.id)
        return {"last": "1"}

    def parse_ticker(self, row, market):
        return Ticker(market.symbol, None, None, None, D(row["last"]), None, None, None, None,
                      None)


async def test_tickers_one_by_one_asks_each_active_market_once():
    class _Not(_OneTicker):
        tickers_one_by_one = False
    assert _OneTicker.has["fetch_tickers"] and not _Not.has["fetch_tickers"]
    async with _OneTicker() as ex:
        ex.asked = []
        assert set(await ex.fetch_tickers()) == {"BTC/USD", "ETH/USD"}     # LTC is inactive
        assert ex.asked == ["BTCUSD", "ETHUSD"]
        assert list(await ex.fetch_tickers(["ETH/USD"])) == ["ETH/USD"]
        assert ex.asked[2:] == ["ETHUSD"]
    async with _Not() as ex:
        with pytest.raises(E.NotSupported):
            await ex.fetch_tickers()


NOW = 1_700_000_000_000


class _NoClientIds(_Venue):
    """A venue that takes no client order id: an order is known by the id the venue gives it.
    `held` is what the venue holds; `lose` is how the next create request ends after the
    venue has (or, with `land` False, has not) taken the order."""
    api = {"create_order": POST("/order", signed=True), "open_orders": GET("/open", signed=True),
           "closed_orders": GET("/all", signed=True)}
    takes_client_ids = False
    reconcile_delay = 0

    def __init__(self):
        super().__init__(credentials=Credentials("k", "s"), clock=lambda: NOW)
        self.held, self.lose, self.land = [], None, True

    def hold(self, id, price="100", amount="1", side="buy", created=NOW):
        self.held.append({"id": id, "side": side, "price": price, "amount": amount,
                          "created": created})

    async def call(self, name, *args, params=None, extra=None):
        if name != "create_order":
            return list(self.held)          # open orders and history: every order held
        market, side, type, amount, price, cid, options = args
        if self.land:
            self.hold(f"v{len(self.held) + 1}", str(price), str(amount), side)
        lose, self.lose = self.lose, None
        if lose is not None:
            raise lose
        return {"id": self.held[-1]["id"]}

    def parse_placed(self, reply, market):
        return reply["id"]

    def parse_order(self, row, market):
        return Order(row["id"], None, "BTC/USD", row["side"], "limit", D(row["price"]),
                     D(row["amount"]), D(0), D(row["amount"]), "open", row["created"])


def _timeout():
    return E.RequestTimeout("hooks", "no reply in time")


async def test_without_client_ids_a_lost_reply_is_the_one_order_with_its_terms():
    assert _NoClientIds.client_id_lookup() == "terms" and _NoClientIds.has["create_order"]
    async with _NoClientIds() as ex:
        ex.hold("before", created=NOW - 60_000)    # same terms, placed a minute before ours
        ex.hold("dearer", price="101")             # other terms
        ex.hold("undated", created=None)           # no creation time: could be anyone's
        ex.lose = _timeout()
        order = await ex.create_order("BTC/USD", "buy", "limit", "1", "100",
                                      client_order_id="mine")
        assert (order.id, order.client_order_id) == ("v4", "mine")
        # From then on the venue's listings name it by our id, and only it.
        named = {o.id: o.client_order_id for o in await ex.fetch_open_orders("BTC/USD")}
        assert named == {"before": None, "dearer": None, "undated": None, "v4": "mine"}
        market = await ex.market("BTC/USD")
        assert (await ex.find_order_by_client_id(market, "mine")).id == "v4"
        assert await ex.find_order_by_client_id(market, "never-sent") is None


async def test_without_client_ids_two_orders_alike_are_unknown_never_a_guess():
    async with _NoClientIds() as ex:
        ex.hold("elsewhere")                       # same terms, placed just now by someone else
        ex.lose = _timeout()
        with pytest.raises(E.OrderStatusUnknown) as caught:
            await ex.create_order("BTC/USD", "buy", "limit", "1", "100", client_order_id="c1")
        assert caught.value.client_order_id == "c1"
        market = await ex.market("BTC/USD")
        assert await ex.find_order_by_client_id(market, "c1") is None
        assert all(o.client_order_id is None for o in await ex.fetch_open_orders("BTC/USD"))


async def test_without_client_ids_an_order_claimed_by_one_id_is_not_another_ids():
    async with _NoClientIds() as ex:
        first = await ex.create_order("BTC/USD", "buy", "limit", "1", "100",
                                      client_order_id="a")
        assert (first.id, first.client_order_id) == ("v1", "a")
        # The same terms again; the venue never gets it and the reply is a 502.
        ex.land, ex.lose = False, _with_status(E.ExchangeNotAvailable("hooks", "bad gateway"),
                                               502)
        with pytest.raises(E.OrderStatusUnknown):
            await ex.create_order("BTC/USD", "buy", "limit", "1", "100", client_order_id="b")
        market = await ex.market("BTC/USD")
        assert await ex.find_order_by_client_id(market, "b") is None
        assert (await ex.find_order_by_client_id(market, "a")).id == "v1"


async def test_a_declared_absence_is_not_supported_before_its_arguments_are_read():
    class _Lacking(_OneTicker):
        lacks = {"watch_tickers": "no ticker stream (docs)", "fetch_ohlcv": "no candles (docs)"}
    async with _Lacking() as ex:
        with pytest.raises(E.NotSupported, match="no ticker stream"):
            await ex.watch_tickers("not a list of symbols").__anext__()
        with pytest.raises(E.NotSupported, match="no candles"):
            await ex.fetch_ohlcv("NOPE/COIN", "1h")


async def test_a_venue_without_market_orders_says_so_and_sends_none():
    class _LimitOnly(_NoClientIds):
        order_types = ("limit",)
    assert _NoClientIds.has["create_market_order"] and not _LimitOnly.has["create_market_order"]
    assert _LimitOnly.has["create_order"]
    async with _LimitOnly() as ex:
        with pytest.raises(E.NotSupported, match="market orders are not offered"):
            await ex.create_order("BTC/USD", "buy", "market", "1")
        assert ex.held == []


def test_a_declared_absence_turns_has_off_even_where_an_endpoint_would_serve_it():
    class _NoLookup(_NoClientIds):
        lacks = {"fetch_order": "no order lookup (docs)"}
    assert _NoClientIds.has["fetch_order"] and not _NoLookup.has["fetch_order"]


async def test_a_venue_may_stream_each_market_on_its_own_connection():
    class _PerPair(_OneTicker):
        hosts = {"rest": "https://x.test", "ws": "wss://x.test/stream"}
        channels = {"book": "book"}

        def stream_host(self, kind, market):
            return f"ws:{market.id}"

        def stream_url(self, host):
            return self.urls["ws"] + "?pair=" + host.partition(":")[2]
    async with _PerPair() as ex:
        btc, eth = [await ex.market(s) for s in ("BTC/USD", "ETH/USD")]
        assert ex.hub(ex.stream_host("book", btc)).url == "wss://x.test/stream?pair=BTCUSD"
        assert ex.hub(ex.stream_host("book", eth)).url == "wss://x.test/stream?pair=ETHUSD"
    async with _OneTicker() as ex:          # the default: one host for every market
        assert ex.stream_host("book", await ex.market("BTC/USD")) == "ws"


async def test_the_terms_lookup_asks_only_for_orders_since_the_send():
    class _Since(_NoClientIds):
        async def _open_and_closed(self, market, client_order_id=None, since=None):
            self.asked_since.append(since)
            return await super()._open_and_closed(market, client_order_id, since)
    async with _Since() as ex:
        ex.asked_since, ex.lose = [], _timeout()
        await ex.create_order("BTC/USD", "buy", "limit", "1", "100", client_order_id="mine")
        await ex.find_order_by_client_id(await ex.market("BTC/USD"), "mine")
    assert ex.asked_since == [NOW - ex.terms_window_ms, None]     # then known by its id


async def test_a_market_buy_sized_in_quote_is_converted_at_the_best_ask():
    """Venues whose market buy names the quote to spend declare it; the core converts."""
    class QuoteBuys(_Venue):
        market_buy_in_quote = True

    async with QuoteBuys() as ex:
        market = await ex.market("BTC/USD")

        async def book(symbol, limit=None):
            from exchanges.types import OrderBook
            return OrderBook(symbol, [(D("99"), D(1))], [(D("101.5"), D(2))])
        ex.fetch_order_book = book
        assert await ex._quote_for(market, D("0.2")) == D("20.300")
