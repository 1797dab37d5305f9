"""The shared websocket hub and the book driver: reconnect, resubscribe, resync."""
from __future__ import annotations

import asyncio
import gc
from decimal import Decimal

import pytest
from aiohttp import web

from exchanges import Credentials
from exchanges import errors as E

from exchanges.core.api import GET
from exchanges.core.book import LocalBook
from exchanges.core.stream import StreamLimits, connection
from exchanges.types import OrderBook
from tests.exchanges.toy import FakeStreamingToy, StreamingToy
from tests.fakes.base import json_response

D = Decimal


@pytest.fixture
async def fake():
    async with FakeStreamingToy() as f:
        yield f


def server_book(fake):
    return ([(D(p), D(a)) for p, a in sorted(fake.bids.items(), key=lambda x: -D(x[0]))],
            [(D(p), D(a)) for p, a in sorted(fake.asks.items(), key=lambda x: D(x[0]))])


async def next_book(it, fake, timeout=3.0):
    """The next book the client yields that equals the server's."""
    async def wait():
        async for book in it:
            if (book.bids, book.asks) == server_book(fake):
                return book
    return await asyncio.wait_for(wait(), timeout)


async def test_book_follows_deltas(fake):
    async with StreamingToy(urls=fake.urls) as ex:
        it = ex.watch_order_book("BTC/USD")
        book = await next_book(it, fake)
        assert book.nonce == 10
        await fake.change("bid", "100.5", "3")
        await fake.change("ask", "101", "0")
        await fake.change("ask", "102", "1.5")
        book = await next_book(it, fake)
        assert book.bids[0] == (D("100.5"), D("3")) and book.asks == [(D("102"), D("1.5"))]
        await it.aclose()


async def test_sequence_gap_resubscribes_and_ends_equal_to_the_server(fake):
    events = []
    async with StreamingToy(urls=fake.urls) as ex:
        ex.status_listeners.append(lambda *a: events.append(a))
        it = ex.watch_order_book("BTC/USD")
        await next_book(it, fake)
        await fake.change("bid", "99", "4", skip_seq=True)          # a lost frame
        book = await next_book(it, fake)
        assert (D("99"), D("4")) in book.bids
        assert fake.subscribed.count("book:btcusd") == 2             # fresh snapshot asked for
        assert any(e[1] == "resync" for e in events)
        await it.aclose()


async def test_dropped_connection_reconnects_resubscribes_and_resyncs(fake):
    states = []
    async with StreamingToy(urls=fake.urls) as ex:
        ex.status_listeners.append(lambda *a: states.append(a[1]))
        it = ex.watch_order_book("BTC/USD")
        await next_book(it, fake)
        await fake.drop_ws()
        fake.bids["98"] = "7"                 # changed while the client was away
        fake.seq += 5
        loop = asyncio.get_running_loop()
        start = loop.time()
        book = await next_book(it, fake)
        assert loop.time() - start < 2.0      # recovered within 2 s of the server being back
        assert (D("98"), D("7")) in book.bids
        assert fake.ws_connections == 2 and "reconnecting" in states and "live" in states
        await it.aclose()


async def test_silent_connection_is_dropped_after_the_heartbeat(fake):
    async with StreamingToy(urls=fake.urls) as ex:
        it = ex.watch_order_book("BTC/USD")
        await next_book(it, fake)
        # Say nothing for longer than ws_heartbeat (0.5 s): the client must reconnect.
        await asyncio.sleep(1.2)
        assert fake.ws_connections >= 2
        await fake.change("bid", "100", "9")
        book = await next_book(it, fake)
        assert book.bids[0] == (D("100"), D("9"))
        await it.aclose()


async def test_a_streaming_connection_outlives_the_heartbeat_and_a_silent_one_says_why(
        fake, caplog):
    """The silence check is one timer per heartbeat: frames keep pushing it on, and a
    connection quiet for a heartbeat is dropped with the reason."""
    async with StreamingToy(urls=fake.urls) as ex:
        it = ex.watch_order_book("BTC/USD")
        await next_book(it, fake)
        for i in range(15):                 # 1.5 s of frames, each within the 0.5 s heartbeat
            await fake.change("bid", "100", str(i + 1))
            await next_book(it, fake)
            await asyncio.sleep(0.1)
        assert fake.ws_connections == 1
        await asyncio.sleep(1.0)            # then silence
        assert fake.ws_connections >= 2
        assert "stream dropped (no data for 0.5 s)" in caplog.text
        await it.aclose()


async def test_garbage_frames_are_skipped(fake):
    async with StreamingToy(urls=fake.urls) as ex:
        it = ex.watch_trades("BTC/USD")
        task = asyncio.ensure_future(it.__anext__())
        await asyncio.sleep(0.2)
        await fake.broadcast("{not json")
        await fake.broadcast('["unexpected", "shape"]')
        await fake.broadcast({"ch": "trades:btcusd",
                              "trades": [{"id": 1, "ts": 5, "side": "buy", "p": "100.5",
                                          "q": "0.25"}]})
        trade = await asyncio.wait_for(task, 2)
        assert trade.price == D("100.5") and trade.amount == D("0.25")
        await it.aclose()


async def test_breaking_out_unsubscribes_and_closes_the_socket(fake):
    async with StreamingToy(urls=fake.urls) as ex:
        it = ex.watch_order_book("BTC/USD")
        await next_book(it, fake)
        await it.aclose()
        await asyncio.sleep(0.1)
        assert {"op": "unsub", "ch": "book:btcusd"} in fake.ws_received
        assert ex.hub().state == "closed"


async def test_each_connection_keeps_its_own_state(fake):
    routed = []

    class Sharded(StreamingToy):
        stream_limits = StreamLimits(per_connection=1)     # book and trades: two connections

        def stream_route(self, msg):
            hub = connection()
            hub.venue_state["frames"] = hub.venue_state.get("frames", 0) + 1
            routed.append((hub, msg))
            return super().stream_route(msg)

    async with Sharded(urls=fake.urls) as ex:
        books = ex.watch_order_book("BTC/USD")
        await next_book(books, fake)
        trades = ex.watch_trades("BTC/USD")
        task = asyncio.ensure_future(trades.__anext__())
        while fake.ws_connections < 2 or len(fake.subscribed) < 2:
            await asyncio.sleep(0.01)
        await fake.broadcast({"ch": "trades:btcusd", "trades": [
            {"id": 1, "ts": 5, "side": "buy", "p": "100.5", "q": "0.25"}]})
        await asyncio.wait_for(task, 2)
        book_hub, trades_hub = (ex.hub().hub_of("book:btcusd"), ex.hub().hub_of("trades:btcusd"))
        assert book_hub is not trades_hub
        # The snapshot came on the book's connection and was routed as that connection's.
        assert [h for h, m in routed if m.get("type") == "snapshot"] == [book_hub]
        for hub in (book_hub, trades_hub):
            assert hub.venue_state["frames"] == sum(1 for h, _ in routed if h is hub)
        before = book_hub.venue_state["frames"]
        await fake.drop_ws()
        await fake.change("bid", "99", "2")
        await next_book(books, fake)
        assert book_hub.venue_state["frames"] < before + 2      # emptied on the reconnect
        await books.aclose()
        await trades.aclose()


def test_local_book_ordering_and_truncation():
    b = LocalBook("X/Y")
    b.reset([(D("1"), D("1")), (D("3"), D("1")), (D("2"), D("0"))],
            [(D("5"), D("1")), (D("4"), D("2"))])
    assert [p for p, _ in b.top_bids()] == [D("3"), D("1")]
    assert [p for p, _ in b.top_asks()] == [D("4"), D("5")]
    b.set_bid(D("4.5"), D("1"))
    assert b.crossed()
    b.truncate(1)
    assert b.top_bids() == [(D("4.5"), D("1"))] and b.top_asks() == [(D("4"), D("2"))]


class RestSnapshotToy(StreamingToy):
    """Deltas stamped by time and a REST snapshot: Bitstamp's protocol."""
    book_snapshot, book_sequence = "rest", "time"
    api = {**StreamingToy.api, "order_book": GET("/book")}

    def parse_order_book(self, reply, market):
        return OrderBook(market.symbol, [(D(p), D(a)) for p, a in reply["bids"]],
                         [(D(p), D(a)) for p, a in reply["asks"]], None, reply["seq"])


class FakeRestToy(FakeStreamingToy):
    def setup_routes(self):
        super().setup_routes()
        self.route("GET", "/book", self.rest_book)

    async def rest_book(self, request):
        return json_response(self.snapshot())

    async def on_ws_text(self, ws, message):      # no snapshot over the websocket
        self.subscribed.append(message["ch"])


async def test_a_rest_snapshot_without_sequence_waits_for_the_first_delta():
    # Taken before the subscription is live, the snapshot could miss changes no id would show.
    async with FakeRestToy() as fake, RestSnapshotToy(urls=fake.urls) as ex:
        it = ex.watch_order_book("BTC/USD")
        task = asyncio.ensure_future(next_book(it, fake))
        await asyncio.wait_for(_until(lambda: fake.subscribed), 2)
        await asyncio.sleep(0.1)
        assert not [s for s in fake.seen if s.path == "/book"]
        await fake.change("bid", "100.5", "3")
        book = await task
        assert book.bids[0] == (D("100.5"), D("3")) and book.nonce == fake.seq
        assert len([s for s in fake.seen if s.path == "/book"]) == 1


class _TwinTickers(StreamingToy):
    """Two markets on one book whose ticker frames name only the book (Coinbase's USD/USDC)."""
    channels = {"ticker": "ticker"}

    async def _fetch_markets(self):
        from exchanges.types import Market
        return [Market(f"BTC/{q}", f"btc{q.lower()}", "BTC", q, D("0.01"), D("0.0001"))
                for q in ("USD", "USDC")]

    def ws_topic(self, kind, market, depth=None):
        from exchanges.core.stream import Topic
        return Topic("ticker", "btcusd")

    def parse_ws_ticker(self, msg, market):
        from exchanges.types import Ticker
        return Ticker(market.symbol, msg["ts"], last=D(msg["last"]))


async def test_markets_sharing_a_topic_each_get_their_ticker(fake):
    async with _TwinTickers(urls=fake.urls) as ex:
        it = ex.watch_tickers(["BTC/USD", "BTC/USDC"])
        first = asyncio.ensure_future(it.__anext__())
        await asyncio.wait_for(_until(lambda: fake.subscribed), 3)
        await fake.broadcast({"ch": "ticker:btcusd", "ts": 1, "last": "5"})
        got = {(await first).symbol, (await asyncio.wait_for(it.__anext__(), 3)).symbol}
        assert got == {"BTC/USD", "BTC/USDC"} and fake.subscribed == ["ticker:btcusd"]
        await it.aclose()


async def _until(cond):
    while not cond():
        await asyncio.sleep(0.01)


class TokenToy(StreamingToy):
    """A venue that hands out a connection token before each connection (KuCoin's bullet)."""
    ws_ping_interval = 0.1
    tokens = 0

    async def connect_url(self, host, url):
        self.tokens += 1
        return f"{url}?token=t{self.tokens}"

    def stream_ping(self):
        return {"op": "ping"}


async def test_each_connection_gets_a_fresh_url_and_pings_at_the_venues_interval(fake):
    async with TokenToy(urls=fake.urls) as ex:
        it = ex.watch_order_book("BTC/USD")
        await next_book(it, fake)
        await asyncio.sleep(0.25)
        assert {"op": "ping"} in fake.ws_received        # within 0.25 s: not the default 20 s
        await fake.drop_ws()
        await fake.change("bid", "100", "2")
        await next_book(it, fake)
        assert [s.query_string for s in fake.seen if s.path == "/ws"] == ["token=t1", "token=t2"]
        await it.aclose()


async def test_a_fake_venue_greets_each_connection_before_the_client_speaks():
    class Greeting(FakeStreamingToy):
        greeted: list = []

        async def on_ws_open(self, ws, request):
            self.greeted = [*self.greeted, request.query_string]
            await ws.send_json({"ch": "welcome"})      # a frame of no topic: ignored

    async with Greeting() as fake, TokenToy(urls=fake.urls) as ex:
        it = ex.watch_order_book("BTC/USD")
        await next_book(it, fake)
        assert fake.greeted == ["token=t1"] and fake.ws_received[0]["op"] == "sub"
        await it.aclose()


async def test_a_cancelled_watcher_unsubscribes_at_once_without_waiting_for_gc():
    """A consumer cancelled mid-stream (the app closing a venue) closes the adapter's
    generators on the spot, on its own loop: the venue hears the unsubscribe even with the
    garbage collector off (an unclosed generator would be finalised later, on whatever loop
    is running then)."""
    import gc

    import exchanges
    from tests.fakes.binance import FakeBinance
    gc.disable()
    try:
        async with FakeBinance() as fake:
            async with exchanges.create("binance", urls=fake.urls) as ex:
                async def consume():
                    async for _ in ex.watch_trades("BTC/USDT"):
                        pass
                task = asyncio.ensure_future(consume())
                await fake.wait_subscribed("trades", "BTCUSDT")
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await fake.wait_for(lambda: any(
                    isinstance(m, dict) and m.get("method") == "UNSUBSCRIBE"
                    for m in fake.ws_received))
    finally:
        gc.enable()


# -- one websocket per market, the snapshot on connect, a refusal by closing (Luno) -----------
class _PerMarket(StreamingToy):
    """The toy's frames, but each market on a websocket of its own whose first frame is the
    book (no subscribe message), and a connection closed before any frame is a refusal."""
    book_snapshot = "connect"
    needs_keys = {"watch_trades": "the toy's trade stream wants keys"}

    def stream_host(self, kind, market):
        return f"ws:{market.id}" if market is not None else "ws"

    def stream_url(self, host):
        base, _, market = host.partition(":")
        return f"{self.urls[base]}/{market}"

    def ws_subscribe(self, channel, args, subscribe):
        return None

    def stream_closed(self, code, frames):
        return None if frames else E.PermissionDenied(self.id, "stream refused")


class _FakePerMarket(FakeStreamingToy):
    def __init__(self):
        super().__init__()
        self.add_ws("/ws/{market}")
        self.paths: list[str] = []
        self.refuse = False

    async def _ws_handler(self, request):
        self.paths.append(request.path)
        if self.refuse:
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            await ws.close()
            return ws
        return await super()._ws_handler(request)

    async def on_ws_text(self, ws, message):
        pass


async def _connected(ws_fake, ws):
    while not ws_fake.ws_clients:
        await asyncio.sleep(0.01)
    await ws_fake.ws_clients[-1].send_json(ws_fake.snapshot())


async def test_a_market_of_its_own_url_gets_its_snapshot_on_connect_and_resyncs_by_reconnecting():
    async with _FakePerMarket() as fake:
        async with _PerMarket(urls=fake.urls) as ex:
            it = ex.watch_order_book("BTC/USD")
            first = asyncio.ensure_future(next_book(it, fake))
            await _connected(fake, None)
            await first
            assert fake.paths == ["/ws/btcusd"] and fake.ws_received == []
            await fake.change("bid", "99", "4", skip_seq=True)          # a lost frame
            while fake.ws_connections < 2:                               # a new connection
                await asyncio.sleep(0.01)
            await _connected(fake, None)
            book = await next_book(it, fake)
            assert (D("99"), D("4")) in book.bids and fake.paths == ["/ws/btcusd"] * 2
            await it.aclose()


async def test_a_connection_closed_before_any_frame_is_a_refusal_not_a_retry():
    async with _FakePerMarket() as fake:
        fake.refuse = True
        async with _PerMarket(urls=fake.urls, credentials=Credentials("k", "s")) as ex:
            with pytest.raises(E.PermissionDenied):
                await asyncio.wait_for(ex.watch_trades("BTC/USD").__anext__(), 3)
        assert fake.paths == ["/ws/btcusd"]


async def test_a_call_that_needs_keys_raises_without_them_before_connecting():
    assert _PerMarket.has["watch_trades"] and not _PerMarket().has["watch_trades"]
    assert _PerMarket(credentials=Credentials("k", "s")).has["watch_trades"]
    async with _FakePerMarket() as fake:
        async with _PerMarket(urls=fake.urls) as ex:
            with pytest.raises(E.AuthenticationError):
                await asyncio.wait_for(ex.watch_trades("BTC/USD").__anext__(), 3)
        assert fake.paths == []


def test_an_order_level_book_sums_each_levels_orders():
    from exchanges.core.book import BookFrame, BookSync
    sync = BookSync("X/Y", sequence="next")
    sync.apply(BookFrame(True, seq=5, orders=[("a", "bid", D("100"), D("1")),
                                              ("b", "bid", D("100"), D("2")),
                                              ("c", "ask", D("101"), D("3"))]))
    assert sync.book.top_bids() == [(D("100"), D("3"))]
    sync.apply(BookFrame(False, seq=6, orders=[("a", "bid", D("100"), D("0.5")),
                                               ("c", "ask", D("101"), D("0")),
                                               ("d", "ask", D("102"), D("4"))]))
    assert sync.book.top_bids() == [(D("100"), D("2.5"))]
    assert sync.book.top_asks() == [(D("102"), D("4"))] and set(sync.orders) == {"a", "b", "d"}
    sync.apply(BookFrame(False, seq=6, orders=[("b", "bid", D("100"), D("0"))]))   # held
    assert sync.book.top_bids() == [(D("100"), D("2.5"))]
    sync.reset()
    assert not sync.orders and not sync.book.bids


class _CrossedIsGap(StreamingToy):
    book_crossed_is_gap = True


async def test_a_failed_book_is_freed_without_the_cycle_collector(fake):
    """A book that keeps failing (here: crossed, so every resync fails too) ends its watch
    with an error; once the watcher has handled it, the error, its traceback's frames and
    the closed connection they hold are freed at once, not kept in a reference cycle until
    a full garbage collection (two cycles: the guard's local holding the error it raised,
    and the watch holding its error, whose cause's traceback holds the watch)."""
    gc.collect()
    gc.disable()
    before = {id(o) for o in gc.get_objects() if isinstance(o, BaseException)}
    try:
        async with _CrossedIsGap(urls=fake.urls) as ex:
            it = ex.watch_order_book("BTC/USD")
            await next_book(it, fake)
            await fake.change("bid", "102", "1")        # above the best ask: crossed for good
            failed = None
            try:
                async with asyncio.timeout(10):     # (wait_for's task would hold the error)
                    async for _ in it:
                        pass
            except E.BadResponse as exc:
                failed = str(exc)
            await it.aclose()
        assert failed is not None and "book" in failed
        left = [o for o in gc.get_objects() if isinstance(o, BaseException)
                and id(o) not in before]
        assert not left, left
    finally:
        gc.enable()

