"""OKX v5 (and OKX US) against the fake OKX server and ccxt's recorded replies."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import zlib
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

import exchanges
from exchanges import Credentials
from exchanges.core.auth import iso_timestamp
from exchanges.core.book import BookSync, LocalBook, OutOfSync
from exchanges.core.market_data import sorted_candles
from exchanges.core.transport import Request
from exchanges.venues.okx import OKX, OKXUS
from tests.fakes.okx import CREDENTIALS, FIXED_TS, FakeOKX

D = Decimal
DATA = Path(__file__).parent.parent / "data" / "ccxt" / "okx"


@pytest.fixture
async def fake():
    async with FakeOKX() as server:
        yield server


def open_okx(fake, credentials=CREDENTIALS, venue="okx"):
    return exchanges.create(venue, credentials=credentials, urls=fake.urls,
                            clock=lambda: FIXED_TS)


def last(fake, path):
    return [s for s in fake.seen if s.path == path][-1]


async def next_item(iterator, timeout=5.0):
    return await asyncio.wait_for(iterator.__anext__(), timeout)


# -- registry and hosts ----------------------------------------------------------------------
def test_seed_ids_open_okx_and_okx_us():
    assert isinstance(exchanges.create("okex"), OKX)
    us = exchanges.create("okcoinusd")
    assert type(us) is OKXUS and us.id == "okxus"
    assert us.urls == {"rest": "https://us.okx.com", "ws": "wss://wsus.okx.com:8443/ws/v5/public"}
    assert OKX.hosts["rest"] == "https://www.okx.com"


async def test_okx_us_runs_against_the_override(fake):
    async with open_okx(fake, venue="okxus") as ex:
        await ex.fetch_balance()
    assert last(fake, "/api/v5/account/balance").headers["OK-ACCESS-KEY"] == CREDENTIALS.api_key


# -- public REST -----------------------------------------------------------------------------
async def test_markets_take_increments_and_minimums_from_the_instruments(fake):
    async with open_okx(fake) as ex:
        markets = await ex.load_markets()
    btc = markets["BTC/USDT"]
    assert (btc.id, btc.base, btc.quote) == ("BTC-USDT", "BTC", "USDT")
    assert btc.price_increment == D("0.1") and btc.amount_increment == D("0.00000001")
    assert btc.min_amount == D("0.00001") and btc.min_cost is None and btc.active
    assert markets["OLD/USDT"].active is False
    assert last(fake, "/api/v5/public/instruments").query_string == "instType=SPOT"


async def test_ticker_and_tickers(fake):
    async with open_okx(fake) as ex:
        t = await ex.fetch_ticker("ETH/USDT")
        all_ = await ex.fetch_tickers()
        some = await ex.fetch_tickers(["BTC/USDT"])
    assert last(fake, "/api/v5/market/ticker").query_string == "instId=ETH-USDT"
    assert (t.symbol, t.timestamp, t.bid, t.ask, t.last) == (
        "ETH/USDT", 1700000000123, D("43000.1"), D("43000.2"), D("43000.1"))
    assert (t.high, t.low, t.open) == (D("43500.5"), D("41800"), D("42000"))
    assert (t.base_volume, t.quote_volume) == (D("5000.12345678"), D("215000000.123"))
    assert set(all_) == {"BTC/USDT", "ETH/USDT"}     # NEW-USDT is not a listed market
    assert all_["ETH/USDT"].last == D("2200.55") and list(some) == ["BTC/USDT"]
    assert last(fake, "/api/v5/market/tickers").query_string == "instType=SPOT"


async def test_order_book(fake):
    async with open_okx(fake) as ex:
        book = await ex.fetch_order_book("BTC/USDT", limit=2)
    assert last(fake, "/api/v5/market/books").query_string == "instId=BTC-USDT&sz=2"
    assert book.bids == [(D("43000.1"), D("1.5")), (D("43000"), D("0.25"))]
    assert book.asks == [(D("43000.2"), D("0.5")), (D("43000.3"), D("1.2"))]
    assert book.timestamp == 1700000000500


async def test_ohlcv_oldest_first_with_the_since_window(fake):
    async with open_okx(fake) as ex:
        candles = await ex.fetch_ohlcv("BTC/USDT", "1h", since=1_700_000_000_000, limit=3)
        with pytest.raises(exchanges.NotSupported):
            await ex.fetch_ohlcv("BTC/USDT", "7m")
    q = dict(parse_qsl(last(fake, "/api/v5/market/candles").query_string))
    assert q == {"instId": "BTC-USDT", "bar": "1H", "limit": "3",
                 "after": str(1_700_000_000_000 + 3 * 3_600_000),
                 "before": str(1_700_000_000_000 - 1)}
    assert [c.timestamp for c in candles] == [1700000000000, 1700003600000, 1700007200000]
    assert candles[0].open == D("42900.5") and candles[-1].volume == D("12.5")


@pytest.mark.parametrize("bars_back, path", [
    (1439, "/api/v5/market/candles"),            # still among the latest 1,440 bars
    (1440, "/api/v5/market/history-candles"),    # older: only the history endpoint has it
    (3 * 1440, "/api/v5/market/history-candles"),
])
async def test_ohlcv_older_than_the_latest_1440_bars_reads_history_candles(fake, bars_back,
                                                                            path):
    # docs-v5 "Get candlesticks": "This endpoint can retrieve the latest 1,440 data entries";
    # "Get candlesticks history": "Retrieve history candlestick charts from recent years".
    since = FIXED_TS - bars_back * 3_600_000
    async with open_okx(fake) as ex:
        candles = await ex.fetch_ohlcv("BTC/USDT", "1h", since=since, limit=2)
    sent = [s for s in fake.seen if "candles" in s.path]
    assert [s.path for s in sent] == [path] and len(candles) == 2
    assert dict(parse_qsl(sent[0].query_string))["before"] == str(since - 1)


async def test_trades_oldest_first(fake):
    async with open_okx(fake) as ex:
        trades = await ex.fetch_trades("BTC/USDT", limit=2)
    assert last(fake, "/api/v5/market/trades").query_string == "instId=BTC-USDT&limit=2"
    assert [t.id for t in trades] == ["497859871", "497859872"]
    assert trades[1].side == "sell" and trades[1].amount == D("0.0009478")


async def test_unknown_instrument_on_the_venue_is_bad_symbol(fake):
    async with open_okx(fake) as ex:
        with pytest.raises(exchanges.BadSymbol):
            await ex.fetch_ticker("NOPE/USDT")       # refused locally, nothing sent
        with pytest.raises(exchanges.BadSymbol, match="51001"):
            await ex.request("GET", "/api/v5/market/ticker", {"instId": "NOPE-USDT"})


# -- private REST ----------------------------------------------------------------------------
async def test_balance_and_the_exact_signature(fake):
    async with open_okx(fake) as ex:
        bal = await ex.fetch_balance()
    assert bal["BTC"] == exchanges.Balance(D("1.25"), D("0.25"), D("1.5"))
    assert bal["USDT"].free == D("9000.5") and bal["USDT"].total == D("10000.5")
    seen = last(fake, "/api/v5/account/balance")
    stamp = "2023-11-14T22:13:20.000Z"
    assert seen.headers["OK-ACCESS-TIMESTAMP"] == stamp
    assert seen.headers["OK-ACCESS-PASSPHRASE"] == CREDENTIALS.passphrase
    want = base64.b64encode(hmac.new(b"okx-test-secret", f"{stamp}GET/api/v5/account/balance"
                                     .encode(), hashlib.sha256).digest()).decode()
    assert seen.headers["OK-ACCESS-SIGN"] == want


def test_the_documented_prehash_and_timestamp():
    # docs-v5 "REST Authentication": 2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC
    assert iso_timestamp(1607418537715) == "2020-12-08T09:08:57.715Z"
    ex = OKX(credentials=Credentials("k", "s3cr3t", passphrase="p"), clock=lambda: 1607418537715)
    req = Request("GET", "/api/v5/account/balance", query="ccy=BTC", signed=True)
    signed = ex.sign(req)
    prehash = "2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC"
    assert signed.headers["OK-ACCESS-SIGN"] == base64.b64encode(
        hmac.new(b"s3cr3t", prehash.encode(), hashlib.sha256).digest()).decode()


@pytest.mark.parametrize("creds, code", [
    (Credentials("okx-test-key", "wrong-secret", passphrase="okx-test-passphrase"), "50113"),
    (Credentials("okx-test-key", "okx-test-secret", passphrase="wrong"), "50105"),
    (Credentials("other-key", "okx-test-secret", passphrase="okx-test-passphrase"), "50111"),
])
async def test_rejected_credentials_are_authentication_errors(fake, creds, code):
    async with open_okx(fake, creds) as ex:
        with pytest.raises(exchanges.AuthenticationError) as info:
            await ex.fetch_balance()
    assert info.value.code == code
    assert "wrong-secret" not in str(info.value) and "okx-test-secret" not in str(info.value)


async def test_missing_passphrase_is_refused_before_sending(fake):
    async with open_okx(fake, Credentials("okx-test-key", "okx-test-secret")) as ex:
        with pytest.raises(exchanges.AuthenticationError, match="passphrase"):
            await ex.fetch_balance()
    assert not [s for s in fake.seen if s.path == "/api/v5/account/balance"]


async def test_limit_order_lifecycle(fake):
    async with open_okx(fake) as ex:
        order = await ex.create_order("BTC/USDT", "buy", "limit", "0.01", "42000.5",
                                      client_order_id="atlas01")
        sent = last(fake, "/api/v5/trade/order")
        assert json.loads(sent.body) == {"instId": "BTC-USDT", "tdMode": "cash", "side": "buy",
                                         "ordType": "limit", "sz": "0.01",
                                         "clOrdId": "atlas01", "px": "42000.5"}
        assert (order.id, order.client_order_id, order.status) == ("1000000001", "atlas01",
                                                                   "open")
        opened = await ex.fetch_open_orders("BTC/USDT")
        assert [o.id for o in opened] == [order.id]
        assert last(fake, "/api/v5/trade/orders-pending").query_string == \
            "instType=SPOT&instId=BTC-USDT"
        fetched = await ex.fetch_order(order.id, "BTC/USDT")
        assert (fetched.price, fetched.amount, fetched.remaining, fetched.type) == (
            D("42000.5"), D("0.01"), D("0.01"), "limit")
        cancelled = await ex.cancel_order(order.id, "BTC/USDT")
        assert json.loads(last(fake, "/api/v5/trade/cancel-order").body) == {
            "instId": "BTC-USDT", "ordId": order.id}
        assert cancelled.status == "canceled" and await ex.fetch_open_orders() == []
        with pytest.raises(exchanges.OrderNotFound, match="51400"):
            await ex.cancel_order(order.id, "BTC/USDT")
        with pytest.raises(exchanges.OrderNotFound, match="51603"):
            await ex.fetch_order("999", "BTC/USDT")


async def test_market_order_sends_a_base_amount_and_a_fresh_client_id(fake):
    fake.store.free["USDT"] = D("100000")          # 0.5 BTC at 43000.2 needs 21500.1 USDT
    async with open_okx(fake) as ex:
        order = await ex.create_order("BTC/USDT", "buy", "market", D("0.5"))
        body = json.loads(last(fake, "/api/v5/trade/order").body)
        assert body["ordType"] == "market" and body["tgtCcy"] == "base_ccy"
        assert "px" not in body and body["sz"] == "0.5"
        assert len(body["clOrdId"]) == 32 and body["clOrdId"].isalnum()
        assert order.client_order_id == body["clOrdId"]
        done = await ex.fetch_order(order.id, "BTC/USDT")
        assert (done.status, done.filled, done.average, done.fee) == (
            "closed", D("0.5"), D("43000.2"), D("0.0001"))
        with pytest.raises(exchanges.InvalidOrder, match="letters or digits"):
            await ex.create_order("BTC/USDT", "buy", "market", "0.5", client_order_id="a-b")


async def test_lost_order_reply_is_found_by_client_id(fake):
    fake.faults.drop_after_accept = lambda r: (r.method, r.path) == ("POST", "/api/v5/trade/order")
    async with open_okx(fake) as ex:
        order = await ex.create_order("BTC/USDT", "sell", "limit", "0.01", "45000",
                                      client_order_id="lost01")
    assert order.client_order_id == "lost01" and order.status == "open"
    assert len([s for s in fake.seen if (s.method, s.path) == ("POST", "/api/v5/trade/order")]) == 1
    lookup = [s for s in fake.seen if s.method == "GET" and s.path == "/api/v5/trade/order"]
    assert lookup[0].query_string == "instId=BTC-USDT&clOrdId=lost01"


@pytest.mark.parametrize("code, msg, error", [
    ("51008", "Order failed. Insufficient USDT balance in account.", exchanges.InsufficientFunds),
    ("51001", "Instrument ID does not exist", exchanges.BadSymbol),
    ("51000", "Parameter sz error", exchanges.InvalidOrder),
    ("51603", "Order does not exist", exchanges.OrderNotFound),
    ("50011", "Too Many Requests", exchanges.RateLimitExceeded),
])
async def test_order_item_errors_map_through_the_table(fake, code, msg, error):
    fake.order_error = (code, msg)
    async with open_okx(fake) as ex:
        with pytest.raises(error) as info:
            await ex.create_order("BTC/USDT", "buy", "limit", "0.01", "42000")
    assert info.value.code == code and msg in str(info.value)


async def test_http_429_rate_limit_reply(fake):
    fake.error_next = (429, "50011", "Too Many Requests")
    async with open_okx(fake) as ex:
        with pytest.raises(exchanges.RateLimitExceeded):
            await ex.create_order("BTC/USDT", "buy", "limit", "0.01", "42000")


def test_error_table():
    ex = OKX()
    cases = {"50111": exchanges.AuthenticationError, "50113": exchanges.AuthenticationError,
             "50119": exchanges.AuthenticationError, "51008": exchanges.InsufficientFunds,
             "51603": exchanges.OrderNotFound, "51400": exchanges.OrderNotFound,
             "51001": exchanges.BadSymbol, "50011": exchanges.RateLimitExceeded,
             "51000": exchanges.InvalidOrder}
    for code, cls in cases.items():
        assert type(ex.error_for(code, "x")) is cls, code


# -- open orders: every page (issue 12, item 4) ----------------------------------------------
async def test_open_orders_page_past_the_100_a_request(fake):
    # docs-v5 "Get order list": "The maximum is 100; The default is 100", newest first, and
    # `after`: "records earlier than the requested ordId". One request saw only 100 of these.
    placed = fake.store.add_open("BTC-USDT", 150, "42000", "0.01")
    async with open_okx(fake) as ex:
        mine = await ex.fetch_open_orders("BTC/USDT")
        every = await ex.fetch_open_orders()
    assert sorted(o.id for o in mine) == sorted(o.id for o in placed) == \
        sorted(o.id for o in every)
    pages = [dict(parse_qsl(s.query_string)) for s in fake.seen
             if s.path == "/api/v5/trade/orders-pending"]
    newest_first = sorted((o.id for o in placed), key=int, reverse=True)
    assert pages[:2] == [{"instType": "SPOT", "instId": "BTC-USDT"},
                         {"instType": "SPOT", "instId": "BTC-USDT", "after": newest_first[99]}]
    assert len(pages) == 4 and pages[3] == {"instType": "SPOT", "after": newest_first[99]}


# -- my trades: fills-history (issue 15) ------------------------------------------------------
def make_fills(store, symbol, n, t0, step=7):
    """`n` resting orders, each filled as maker at its own moment `step` ms apart."""
    times = iter(range(t0, t0 + 10 * n * step, step))
    store.clock = lambda: next(times)
    recs = store.add_open(symbol, n, "42000", "0.01")
    for i, rec in enumerate(recs):
        rec.cid = f"c{symbol[:3]}{i}"
        store.fill(rec.id)
    return store.fills_of(symbol)[-n:]


def test_the_docs_fill_row_parses_with_fee_sign_and_liquidity():
    # "Get transaction details (last 3 months)", Response Example (docs-v5): the fee is
    # negative when charged; execType "T" taker.
    row = {"side": "buy", "fillSz": "0.00192834", "fillPx": "51858", "fee": "-0.00000192834",
           "fillPnl": "0", "ordId": "680800019749904384", "feeRate": "-0.001",
           "instType": "SPOT", "instId": "BTC-USDT", "clOrdId": "", "posSide": "net",
           "billId": "680800019754098688", "subType": "1", "tag": "",
           "fillTime": "1708587373361", "execType": "T", "tradeId": "744876980",
           "feeCcy": "BTC", "ts": "1708587373362"}
    ex = OKX()
    market = exchanges.Market("BTC/USDT", "BTC-USDT", "BTC", "USDT", D("0.1"), D("0.00000001"))
    fill = ex.parse_my_trade(row, market)
    assert fill == exchanges.Trade("744876980", 1708587373361, "buy", D("51858"),
                                   D("0.00192834"), "BTC/USDT", "680800019749904384", None,
                                   D("0.00000192834"), "BTC", "taker")


async def test_my_trades_page_back_by_bill_id_and_from_since_oldest_first(fake):
    btc = make_fills(fake.store, "BTC-USDT", 230, FIXED_TS)
    eth = make_fills(fake.store, "ETH-USDT", 20, FIXED_TS + 5_000)
    async with open_okx(fake) as ex:
        every = await ex.fetch_my_trades()
        mine = await ex.fetch_my_trades("BTC/USDT")
        fake.seen.clear()
        since = btc[50].time
        page = await ex.fetch_my_trades("BTC/USDT", since=since, limit=100)
    assert [f.id for f in every] == [f.id for f in sorted(btc + eth, key=lambda f: f.time)]
    assert [f.id for f in mine] == [f.id for f in btc]
    f = mine[0]
    assert (f.order_id, f.client_order_id, f.fee, f.fee_currency, f.taker_or_maker) == (
        btc[0].order_id, "cBTC0", btc[0].fee, "USDT", "maker") and f.fee > 0
    # newest first: the first 100 rows from `since` would be the newest; the oldest 100
    # after `since` are wanted, so every page back to `since` is read
    assert [f.id for f in page] == [f.id for f in btc[50:150]]
    asked = [dict(parse_qsl(s.query_string)) for s in fake.seen]
    assert asked[0] == {"instType": "SPOT", "instId": "BTC-USDT", "begin": str(since - 1),
                        "limit": "100"}
    assert len(asked) == 2 and asked[1]["after"] == str(int(btc[130].id) * 10 + 1)


# -- websocket -------------------------------------------------------------------------------
def subscribes(fake, channel, op="subscribe"):
    """The (un)subscribe requests the fake received for `channel`, without their ids."""
    return [{"op": m["op"], "args": m["args"]} for m in fake.ws_received
            if isinstance(m, dict) and m.get("op") == op
            and any(a["channel"] == channel for a in m["args"])]


async def test_watch_ticker_and_trades(fake):
    async with open_okx(fake) as ex:
        t = await next_item(ex.watch_ticker("BTC/USDT").__aiter__())
        trade = await next_item(ex.watch_trades("BTC/USDT").__aiter__())
    assert t.symbol == "BTC/USDT" and t.last == D("43000.1")
    # The trades channel's side is the taker's ("Trade side of taker", docs-v5
    # #order-book-trading-market-data-ws-trades-channel): a buy lifted the ask.
    assert (trade.id, trade.side, trade.price, trade.amount) == ("130639474", "buy",
                                                                  D("43000.2"), D("0.25"))
    assert {"op": "subscribe", "args": [{"channel": "tickers", "instId": "BTC-USDT"}]} \
        in subscribes(fake, "tickers")


def server_book(fake):
    return fake.books["BTC-USDT"].decimals()


async def test_watch_order_book_applies_deltas_with_checksums(fake):
    fake.checksums = True
    async with open_okx(fake) as ex:
        books = ex.watch_order_book("BTC/USDT").__aiter__()
        first = await next_item(books)
        assert (first.bids, first.asks) == server_book(fake) and first.nonce == 100
        await fake.publish_book("BTC-USDT", bids=[("43000.1", "0"), ("42999.5", "7")],
                                asks=[("43000.25", "0.10")])
        second = await next_item(books)
    assert (second.bids, second.asks) == server_book(fake) and second.nonce == 101
    assert len(subscribes(fake, "books")) == 1


@pytest.mark.parametrize("fault", ["bad_checksum", "gap"])
async def test_broken_book_stream_resyncs_to_the_server_book(fake, fault):
    fake.checksums = True
    async with open_okx(fake) as ex:
        books = ex.watch_order_book("BTC/USDT").__aiter__()
        await next_item(books)
        if fault == "gap":
            fake.faults.gap_next = True          # this delta is lost on the way …
            await fake.publish_book("BTC-USDT", asks=[("43000.2", "0.75")])
            await fake.publish_book("BTC-USDT", bids=[("42999.9", "4")])   # … this one shows it
        else:
            fake.bad_checksum_next = True
            await fake.publish_book("BTC-USDT", asks=[("43000.2", "0.75")])
        book = await next_item(books)
    assert len(subscribes(fake, "books")) == 2
    assert {"op": "unsubscribe", "args": [{"channel": "books", "instId": "BTC-USDT"}]} \
        in subscribes(fake, "books", "unsubscribe")
    assert (book.bids, book.asks) == server_book(fake)
    assert book.asks[0] == (D("43000.2"), D("0.75"))


def test_stream_errors_reach_the_channel_they_name():
    ex = OKX()
    refused = ex.stream_route({"event": "error", "code": "60018", "msg": "doesn't exist",
                               "arg": {"channel": "books", "instId": "X-USDT"}})
    assert refused.keys == ("books:X-USDT",) and isinstance(refused.error, exchanges.BadSymbol)
    sent = ex.ws_subscribe("tickers", ["A-USDT", "B-USDT"], True)      # refused by its id
    refused = ex.stream_route({"id": sent["id"], "event": "error", "code": "60018", "msg": "x"})
    assert refused.keys == ("tickers:A-USDT", "tickers:B-USDT")
    with pytest.raises(exchanges.ExchangeError, match="60012"):
        ex.stream_route({"event": "error", "code": "60012", "msg": "Invalid request"})
    assert ex.stream_route({"event": "subscribe", "arg": {"channel": "books"}}) is None
    assert ex.stream_route("pong") is None


async def test_a_refused_subscription_raises_to_its_watcher(fake):
    # OKX's error event names no channel, only the request's `id` (docs-v5 "Subscribe",
    # failure example): the watcher is told instead of waiting forever.
    fake.faults.refuse_next = True
    async with open_okx(fake) as ex:
        with pytest.raises(exchanges.BadSymbol, match="60018"):
            await next_item(ex.watch_ticker("ETH/USDT").__aiter__())


def test_a_zero_checksum_is_not_checked():
    # OKX retired the field: "its value is fixed to 0 and must no longer be used" (docs-v5
    # #order-book-trading-market-data-ws-order-book-channel); sequence checks still apply.
    ex = OKX()
    market = exchanges.Market("BTC/USDT", "BTC-USDT", "BTC", "USDT", D("0.1"), D("1"))
    sync = BookSync("BTC/USDT", sequence=ex.book_sequence, checksum=ex.book_checksum)
    frame = {"arg": {"channel": "books", "instId": "BTC-USDT"}, "action": "snapshot",
             "data": [{"bids": [["10", "1", "0", "1"]], "asks": [["11", "2", "0", "1"]],
                       "ts": "1", "checksum": 0, "prevSeqId": -1, "seqId": 5}]}
    assert sync.apply(ex.parse_book_frame(frame, market)) and sync.book.nonce == 5
    frame["data"][0]["checksum"] = 12345
    with pytest.raises(OutOfSync, match="checksum"):
        sync.apply(ex.parse_book_frame(frame, market))


def test_heartbeats_and_a_maintenance_reset_are_not_gaps():
    # docs-v5 order book channel, "Sequence ID" example: snapshot 10; update 10→15; no change
    # 15→15 (empty, ~every 60 s); reset after maintenance 15→3; then 3→5. Only a broken chain
    # is a gap.
    ex = OKX()
    market = exchanges.Market("BTC/USDT", "BTC-USDT", "BTC", "USDT", D("0.1"), D("1"))
    sync = BookSync("BTC/USDT", sequence=ex.book_sequence)

    def frame(action, prev, seq, bids=()):
        return ex.parse_book_frame({"action": action, "data": [
            {"bids": [[p, "1", "0", "1"] for p in bids], "asks": [], "ts": "1",
             "checksum": 0, "prevSeqId": prev, "seqId": seq}]}, market)
    for f in (frame("snapshot", -1, 10, ["9"]), frame("update", 10, 15, ["8"]),
              frame("update", 15, 15), frame("update", 15, 3, ["7"]), frame("update", 3, 5)):
        sync.apply(f)
    assert sync.book.nonce == 5 and [p for p, _ in sync.book.top_bids()] == [9, 8, 7]
    with pytest.raises(OutOfSync):
        sync.apply(frame("update", 6, 8))


def okx_checksum(bids, asks):
    book = LocalBook("BTC/USDT")
    book.reset(bids, asks)
    return OKX().book_checksum(book)


def test_checksum_interleaves_levels_as_sent():
    bids = [(D("3366.1"), D("7")), (D("3366"), D("6"))]
    asks = [(D("3366.8"), D("9")), (D("3368"), D("8")), (D("3372"), D("8"))]
    text = "3366.1:7:3366.8:9:3366:6:3368:8:3372:8"
    crc = zlib.crc32(text.encode())
    assert okx_checksum(bids, asks) == (crc - 2**32 if crc >= 2**31 else crc)
    # trailing zeros and tiny sizes stay as sent (no exponent form)
    assert okx_checksum([(D("1.10"), D("0.00000010"))], []) == \
        zlib.crc32(b"1.10:0.00000010") - (2**32 if zlib.crc32(b"1.10:0.00000010") >= 2**31
                                          else 0)


async def test_app_level_ping_is_answered(fake, caplog):
    assert OKX().stream_ping() == "ping"
    async with open_okx(fake) as ex:
        ex.hub()._options["ping_interval"] = 0.05
        tickers = ex.watch_ticker("BTC/USDT").__aiter__()
        await next_item(tickers)
        for _ in range(100):
            if fake.ws_received.count("ping") >= 2:
                break
            await asyncio.sleep(0.02)
        assert ex.hub().state == "live"
    assert fake.ws_received.count("ping") >= 2
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


# -- ccxt's recorded replies -----------------------------------------------------------------
def fixture(name):
    return json.loads((DATA / name).read_text(), parse_float=D)


def ccxt_adapter():
    ex = OKX()
    for inst, base in (("BTC-USDT", "BTC"), ("LTC-USDT", "LTC")):
        ex.markets_by_id[inst] = exchanges.Market(f"{base}/USDT", inst, base, "USDT",
                                                  D("0.1"), D("0.0001"))
    return ex


def test_ccxt_ticker_trades_book_candles():
    ex = ccxt_adapter()
    case = fixture("ticker.json")
    t = ex.parse_ticker(case["httpResponse"]["data"][0], None)
    want = case["expected"]
    assert t.symbol == want["symbol"] and t.timestamp == want["timestamp"]
    for field in ("high", "low", "bid", "ask", "open", "last", "base_volume", "quote_volume"):
        assert getattr(t, field) == D(want[field]), field

    case = fixture("trades.json")
    [trade] = [ex.parse_trade(r, None) for r in case["httpResponse"]["data"]]
    w = case["expected"][0]
    assert (trade.id, trade.timestamp, trade.side, trade.symbol) == (
        w["id"], w["timestamp"], w["side"], w["symbol"])
    assert (trade.price, trade.amount) == (D(w["price"]), D(w["amount"]))

    case = fixture("order_book.json")
    book = ex.parse_order_book(case["httpResponse"]["data"], ex.markets_by_id["BTC-USDT"])
    w = case["expected"]
    assert book.bids == [(D(p), D(a)) for p, a in w["bids"]]
    assert book.asks == [(D(p), D(a)) for p, a in w["asks"]]
    assert book.timestamp == w["timestamp"]

    case = fixture("ohlcv.json")
    candles = sorted_candles(ex.parse_candle(r) for r in case["httpResponse"]["data"])
    assert [[c.timestamp, c.open, c.high, c.low, c.close, c.volume] for c in candles] == \
        [[r[0], *map(D, r[1:])] for r in case["expected"]]


def test_ccxt_order_and_balance():
    ex = ccxt_adapter()
    case = fixture("order.json")
    o = ex.parse_order(case["httpResponse"]["data"][0], None)
    w = case["expected"]
    assert (o.id, o.client_order_id, o.symbol, o.side, o.type, o.status, o.timestamp) == (
        w["id"], w["client_order_id"], w["symbol"], w["side"], w["type"], w["status"],
        w["timestamp"])
    for field in ("amount", "filled", "remaining", "average", "fee"):
        assert getattr(o, field) == D(w[field]), field
    assert o.price is None   # a market order has no limit price

    case = fixture("balance.json")
    bal = ex.parse_balance(case["httpResponse"]["data"])
    assert {c: [b.free, b.used, b.total] for c, b in bal.items()} == \
        {c: [D(x) for x in v] for c, v in case["expected"].items()}


async def test_malformed_reply_is_bad_response_naming_the_endpoint(fake):
    fake.malformed = True
    async with open_okx(fake) as ex:
        with pytest.raises(exchanges.BadResponse) as info:
            await ex.fetch_tickers()
    assert info.value.endpoint == "GET /api/v5/market/tickers"
