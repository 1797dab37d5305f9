"""Kraken spot adapter against its fake venue (REST + WebSocket v2) and Kraken's own examples."""
from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal as D
from urllib.parse import parse_qsl

import pytest

import exchanges
from exchanges import errors as E
from exchanges.core.transport import Request
from exchanges.types import Credentials
from exchanges.venues.kraken import Kraken, book_checksum
from tests.fakes.kraken import CREDENTIALS, KEY, SECRET, FakeKraken, kraken_checksum


@pytest.fixture
async def fake():
    async with FakeKraken() as f:
        yield f


def _open(fake, credentials=CREDENTIALS, clock=None):
    return exchanges.create("kraken", credentials=credentials, urls=fake.urls, clock=clock)


def _form(seen) -> dict[str, str]:
    return dict(parse_qsl(seen.body, keep_blank_values=True))


def _private_seen(fake, name):
    return [s for s in fake.seen if s.path == f"/0/private/{name}"]


async def _next(it, timeout=5.0):
    return await asyncio.wait_for(it.__anext__(), timeout)


# -- signing -------------------------------------------------------------------------------
def test_docs_worked_signing_example_byte_for_byte():
    ex = Kraken(credentials=Credentials(api_key="k", secret=SECRET))
    ex.nonce_source = lambda: 1616492376594
    req = Request("POST", "/0/private/AddOrder", signed=True, body_format="form", data=[
        ("ordertype", "limit"), ("pair", "XBTUSD"), ("price", "37500"), ("type", "buy"),
        ("volume", "1.25")])
    signed = ex.sign(req)
    assert signed.body == ("nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500"
                           "&type=buy&volume=1.25")
    assert signed.query is None
    assert signed.headers["API-Sign"] == (
        "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==")
    assert signed.headers["API-Key"] == "k"


def test_nonces_increase_under_a_fixed_clock():
    ex = Kraken(credentials=CREDENTIALS, clock=lambda: 1_700_000_000_000)
    nonces = []
    for _ in range(3):
        req = ex.sign(Request("POST", "/0/private/Balance", signed=True, body_format="form",
                              data={}))
        nonces.append(int(_form_body(req.body)["nonce"]))
    assert nonces == [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002]


def _form_body(body: str) -> dict[str, str]:
    return dict(parse_qsl(body))


def test_a_secret_that_is_not_base64_is_refused_without_echo():
    ex = Kraken(credentials=Credentials(api_key="k", secret="not base64 !!"))
    with pytest.raises(E.AuthenticationError) as info:
        ex.sign(Request("POST", "/0/private/Balance", signed=True))
    assert "not base64 !!" not in str(info.value)


# -- markets and public data ---------------------------------------------------------------
async def test_markets_increments_minimums_and_legacy_codes(fake):
    async with _open(fake) as ex:
        markets = await ex.load_markets()
    btc = markets["BTC/USD"]
    assert (btc.id, btc.base, btc.quote) == ("XXBTZUSD", "BTC", "USD")
    assert btc.price_increment == D("0.1") and btc.amount_increment == D("0.00000001")
    assert btc.min_amount == D("0.00005") and btc.min_cost == D("0.5") and btc.active
    doge = markets["DOGE/USD"]            # XXDG → DOGE through the shared XDG table + override
    assert doge.id == "XDGUSD" and doge.price_increment == D("0.0000001")
    assert markets["ETH/USD"].base == "ETH"
    assert markets["SOL/USD"].active is False          # status cancel_only
    assert "XBT/USD" not in markets


async def test_ticker_and_tickers(fake):
    async with _open(fake) as ex:
        t = await ex.fetch_ticker("BTC/USD")
        all_ = await ex.fetch_tickers()
        some = await ex.fetch_tickers(["DOGE/USD"])
    assert (t.bid, t.ask, t.last) == (D("30000.00000"), D("30001.00000"), D("30000.50000"))
    # high/low are the 24 h values; `o` (29800, today's open since 00:00 UTC) is another
    # window, so the REST ticker has no open (issue 12 #5)
    assert (t.high, t.low, t.open) == (D("30200.00000"), D("29400.10000"), None)
    assert t.change_percent is None and t.open_today == D("29800.00000")     # kept apart
    assert t.change_percent_today == (D("30000.50000") - t.open_today) * 100 / t.open_today
    assert t.base_volume == D("598.03698452")
    assert t.quote_volume == D("598.03698452") * D("29950.50000")
    assert set(all_) == {"BTC/USD", "DOGE/USD"} and set(some) == {"DOGE/USD"}
    assert [s for s in fake.seen if s.path == "/0/public/Ticker"][0].query_string == \
        "pair=XXBTZUSD"


async def test_order_book(fake):
    async with _open(fake) as ex:
        book = await ex.fetch_order_book("BTC/USD", 5)
    server = fake.books["BTC/USD"]
    assert book.bids == [(D(p), D(q)) for p, q in server.top("bids", 5)]
    assert book.asks == [(D(p), D(q)) for p, q in server.top("asks", 5)]
    assert book.bids[0][0] > book.bids[1][0] and book.asks[0][0] < book.asks[1][0]
    assert [s.query_string for s in fake.seen if s.path == "/0/public/Depth"] == \
        ["pair=XXBTZUSD&count=5"]


H = 3_600_000
FORMING = 1705258800000       # the fake's clock is 1705259439563: this hour is still forming


async def test_ohlcv_oldest_first_with_since_and_limit(fake):
    since = FORMING - 10 * H + 123
    async with _open(fake) as ex:
        candles = await ex.fetch_ohlcv("BTC/USD", "1h", since=since, limit=2)
        with pytest.raises(E.NotSupported):
            await ex.fetch_ohlcv("BTC/USD", "3m")
    assert [c.timestamp for c in candles] == [FORMING - 9 * H, FORMING - 8 * H]
    assert candles[0].open == D("43710.5") and candles[0].volume == D("4.25000000")
    assert [s.query_string for s in fake.seen if s.path == "/0/public/OHLC"] == \
        [f"pair=XXBTZUSD&interval=60&since={since // 1000}"]


async def test_ohlcv_since_and_limit_are_the_first_candles_from_since(fake):
    """Issue 12 #3: OHLC returns up to 720 rows after `since` (exclusive), oldest first; the
    contract wants the first `limit` from `since`, the one opening at `since` included."""
    async with _open(fake) as ex:
        first = await ex.fetch_ohlcv("BTC/USD", "1h", since=FORMING - 700 * H, limit=3)
        newest = await ex.fetch_ohlcv("BTC/USD", "1h", limit=2)
        every = await ex.fetch_ohlcv("BTC/USD", "1h")
    assert [c.timestamp for c in first] == [FORMING - 700 * H, FORMING - 699 * H,
                                           FORMING - 698 * H]
    assert [c.timestamp for c in newest] == [FORMING - H, FORMING]     # the last still forming
    assert len(every) == 720 and every[0].timestamp == FORMING - 719 * H


async def test_ohlcv_offers_only_kraken_intervals(fake):
    """Issue 12 #6: 21600 minutes is 15 days, not "2w"; Kraken has no two-week candle."""
    async with _open(fake) as ex:
        with pytest.raises(E.NotSupported):
            await ex.fetch_ohlcv("BTC/USD", "2w")
        fifteen = await ex.fetch_ohlcv("BTC/USD", "15d", limit=2)
        assert set(ex.timeframes) == {"1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w", "15d"}
    assert fifteen[1].timestamp - fifteen[0].timestamp == 15 * 24 * H
    assert [s.query_string for s in fake.seen if s.path == "/0/public/OHLC"] == \
        ["pair=XXBTZUSD&interval=21600"]


async def test_trades_oldest_first(fake):
    async with _open(fake) as ex:
        trades = await ex.fetch_trades("BTC/USD")
    assert [t.id for t in trades] == ["6324366", "6324367"]
    assert trades[0].timestamp == 1710327959173 and trades[0].side == "buy"
    assert trades[0].price == D("73324.40000") and trades[0].amount == D("0.01030900")
    assert trades[1].side == "sell"


# -- account and orders --------------------------------------------------------------------
async def test_balance_uses_balance_ex_and_skips_staked(fake):
    async with _open(fake) as ex:
        bal = await ex.fetch_balance()
    assert set(bal) == {"BTC", "USD", "DOGE"}
    assert bal["BTC"].total == D("1.5") and bal["BTC"].used == D("0.25")
    assert bal["BTC"].free == D("1.25")
    assert bal["USD"].free == D("25435.2100") - D("8249.7600")
    seen = _private_seen(fake, "BalanceEx")[0]
    assert seen.headers["API-Key"] == KEY and seen.query_string == ""
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_create_limit_and_market_orders_exact_requests(fake):
    async with _open(fake, clock=lambda: 1_700_000_000_000) as ex:
        limit = await ex.create_order("BTC/USD", "buy", "limit", "0.0125", "29000.5",
                                      client_order_id="my-order-1")
        market = await ex.create_order("BTC/USD", "sell", "market", D("0.01"))
    sent = _private_seen(fake, "AddOrder")
    assert sent[0].body == ("nonce=1700000000000&pair=XXBTZUSD&type=buy&ordertype=limit"
                            "&volume=0.0125&price=29000.5&cl_ord_id=my-order-1")
    form = _form(sent[1])
    assert form["nonce"] == "1700000000001"
    assert (form["pair"], form["type"], form["ordertype"], form["volume"]) == \
        ("XXBTZUSD", "sell", "market", "0.01")
    # our ids are the long UUID form of Kraken's docs (guides/spot-clordid), not 32 hex digits
    assert "price" not in form and str(uuid.UUID(form["cl_ord_id"])) == form["cl_ord_id"]
    assert limit.client_order_id == "my-order-1" and limit.status == "open"
    assert limit.price == D("29000.5") and limit.amount == D("0.0125")
    assert market.client_order_id == form["cl_ord_id"] and market.type == "market"
    assert market.id in fake.store.orders


async def test_local_validation_sends_nothing(fake):
    async with _open(fake) as ex:
        with pytest.raises(E.InvalidOrder):
            await ex.create_order("BTC/USD", "buy", "limit", "0.00001", "29000")
        with pytest.raises(E.InvalidOrder):
            await ex.create_order("BTC/USD", "buy", "limit", "0.01", "29000.05")
    assert not _private_seen(fake, "AddOrder")


async def test_cancel_fetch_and_open_orders(fake):
    async with _open(fake) as ex:
        a = await ex.create_order("BTC/USD", "buy", "limit", "0.01", "29000",
                                  client_order_id="cid-a")
        await ex.create_order("DOGE/USD", "buy", "limit", "100", "0.08", client_order_id="cid-b")
        opened = await ex.fetch_open_orders()
        btc_only = await ex.fetch_open_orders("BTC/USD")
        got = await ex.fetch_order(a.id, "BTC/USD")
        canceled = await ex.cancel_order(a.id, "BTC/USD")
        after = await ex.fetch_open_orders()
        with pytest.raises(E.OrderNotFound):
            await ex.cancel_order(a.id, "BTC/USD")
    assert {o.client_order_id for o in opened} == {"cid-a", "cid-b"}
    assert [o.symbol for o in btc_only] == ["BTC/USD"]
    assert (got.id, got.symbol, got.side, got.type, got.price, got.status) == \
        (a.id, "BTC/USD", "buy", "limit", D("29000"), "open")
    assert got.filled == 0 and got.remaining == D("0.01") and got.timestamp == 1705259439563
    assert canceled.status == "canceled" and canceled.client_order_id == "cid-a"
    assert [o.client_order_id for o in after] == ["cid-b"]
    assert _form(_private_seen(fake, "CancelOrder")[0])["txid"] == a.id
    assert _form(_private_seen(fake, "QueryOrders")[0])["txid"] == a.id


async def test_lost_order_reply_is_reconciled_by_cl_ord_id(fake):
    fake.faults.drop_after_accept = lambda r: r.path == "/0/private/AddOrder"
    async with _open(fake) as ex:
        order = await ex.create_order("BTC/USD", "buy", "limit", "0.01", "29000",
                                      client_order_id="lost-1")
    assert order.client_order_id == "lost-1" and order.id in fake.store.orders
    assert len(_private_seen(fake, "AddOrder")) == 1           # never sent twice
    assert ("OpenOrders", _form(_private_seen(fake, "OpenOrders")[0])) == \
        ("OpenOrders", {"nonce": _form(_private_seen(fake, "OpenOrders")[0])["nonce"],
                        "cl_ord_id": "lost-1"})


async def test_filled_market_order_is_found_among_closed_orders(fake):
    fake.books["BTC/USD"].apply(asks=[("30001.0", "1.00000000")])   # it fills at one price
    async with _open(fake) as ex:
        market = await ex.market("BTC/USD")
        placed = await ex.create_order("BTC/USD", "buy", "market", "0.01",
                                       client_order_id="mkt-1")
        found = await ex.find_order_by_client_id(market, "mkt-1")
        missing = await ex.find_order_by_client_id(market, "nope")
    assert found.id == placed.id and found.status == "closed" and found.filled == D("0.01")
    assert found.average == D("30001.0")
    assert missing is None


async def test_open_orders_come_at_once_and_closed_orders_50_a_time(fake):
    """OpenOrders has no paging (get-open-orders); ClosedOrders gives 50 a time, newest first,
    from `ofs` (get-closed-orders). Both filter by cl_ord_id: the lookup asks for that one."""
    fake.store.add_open("XXBTZUSD", 120, "20000", "0.001")
    for i, o in enumerate(fake.store.add_open("XXBTZUSD", 60, "20000", "0.001")):
        o.cid, fake.now = f"old-{i}", fake.now + 1000
        fake.store.cancel(o.id)
    async with _open(fake) as ex:
        market = await ex.market("BTC/USD")
        assert len(await ex.fetch_open_orders("BTC/USD")) == 120
        closed = await ex.rows("closed_orders", market)
        found = await ex.find_order_by_client_id(market, "old-0")     # the oldest one
    assert len({r["txid"] for r in closed}) == 60
    sent = [_form(s) for s in _private_seen(fake, "ClosedOrders")]
    assert [f.get("ofs") for f in sent] == ["0", "50", "0"] and sent[-1]["cl_ord_id"] == "old-0"
    assert (found.status, found.client_order_id) == ("canceled", "old-0")


# -- my trades: TradesHistory (issue 15) ----------------------------------------------------
def test_ccxts_recorded_trades_history_row_parses():
    # ccxt ts/src/kraken.ts parseTrade, "fetchMyTrades" row (the txid is the result's key);
    # the fee is in the quote currency (get-trade-history: "total fee (quote currency)").
    row = {"ordertxid": "OSJVN7-A2AE-63WZV", "postxid": "TBP7O6-PNXI-CONU", "pair": "XXBTZUSD",
           "time": D("1710429248.3052235"), "type": "sell", "ordertype": "liquidation market",
           "price": "72026.50000", "cost": "7.20265", "fee": "0.01873", "vol": "0.00010000",
           "margin": "1.44053", "leverage": "5", "misc": "closing", "trade_id": 68230622,
           "maker": False, "txid": "TCJTWX-4RDOS-CP3D3Q"}
    ex = Kraken()
    ex.markets_by_id["XXBTZUSD"] = exchanges.Market("BTC/USD", "XXBTZUSD", "BTC", "USD",
                                                    D("0.1"), D("0.00000001"))
    assert ex.parse_my_trade(row, None) == exchanges.Trade(
        "TCJTWX-4RDOS-CP3D3Q", 1710429248305, "sell", D("72026.50000"), D("0.00010000"),
        "BTC/USD", "OSJVN7-A2AE-63WZV", None, D("0.01873"), "USD", "taker")


async def test_trades_history_pages_50_a_time_back_to_an_exclusive_start(fake):
    for i, o in enumerate(fake.store.add_open("XXBTZUSD", 130, "20000", "0.001")):
        fake.now += 3
        fake.store.fill(o.id)
    fills = fake.store.fills_of()
    async with _open(fake) as ex:
        every = await ex.fetch_my_trades()
        fake.seen.clear()
        since = fills[20].time
        page = await ex.fetch_my_trades("BTC/USD", since=since, limit=60)
    assert [f.order_id for f in every] == [f.order_id for f in fills]
    assert {(f.fee, f.fee_currency, f.taker_or_maker) for f in every[:1]} == {
        (fills[0].fee, "USD", "maker")}
    assert [f.order_id for f in page] == [f.order_id for f in fills[20:80]]
    sent = [_form(s) for s in _private_seen(fake, "TradesHistory")]
    assert [f.get("ofs") for f in sent] == ["0", "50", "100"]     # 110 from since, 50 a time
    assert sent[0]["start"] == str(D(since - 1) / 1000) and sent[0]["type"] == "all"


# -- auth and errors -----------------------------------------------------------------------
async def test_wrong_secret_is_an_authentication_error(fake):
    other = "a" * 86 + "=="
    async with _open(fake, Credentials(api_key=KEY, secret=other)) as ex:
        with pytest.raises(E.AuthenticationError) as info:
            await ex.fetch_balance()
    assert "EAPI:Invalid signature" in str(info.value)
    assert other not in str(info.value) and KEY not in str(info.value)


async def test_wrong_key_is_an_authentication_error(fake):
    async with _open(fake, Credentials(api_key="someone-else", secret=SECRET)) as ex:
        with pytest.raises(E.AuthenticationError, match="Invalid key"):
            await ex.fetch_balance()


async def test_private_call_without_credentials(fake):
    async with _open(fake, credentials=None) as ex:
        with pytest.raises(E.AuthenticationError):
            await ex.fetch_balance()
    assert not _private_seen(fake, "BalanceEx")


async def test_stale_nonce_is_refused_by_the_venue(fake):
    async with _open(fake, clock=lambda: 1_000) as ex:
        ex.nonce_source = lambda: 5       # a source that does not increase
        await ex.fetch_balance()
        with pytest.raises(E.AuthenticationError, match="Invalid nonce"):
            await ex.fetch_balance()


async def test_concurrent_private_calls_arrive_in_nonce_order(fake):
    fake.private_delay = 0.02
    async with _open(fake, clock=lambda: 1_000) as ex:
        results = await asyncio.gather(*(ex.fetch_balance() for _ in range(5)))
    assert all(r["BTC"].total == D("1.5") for r in results)
    assert fake.max_in_flight == 1        # serialized: no later nonce can overtake
    nonces = [int(_form(s)["nonce"]) for s in _private_seen(fake, "BalanceEx")]
    assert nonces == [1_000, 1_001, 1_002, 1_003, 1_004]


@pytest.mark.parametrize("error, cls", [
    ("EOrder:Insufficient funds", E.InsufficientFunds),
    ("EOrder:Order minimum not met", E.InvalidOrder),
    ("EGeneral:Invalid arguments:volume", E.InvalidOrder),
    ("EQuery:Unknown asset pair", E.BadSymbol),
    ("EAPI:Rate limit exceeded", E.RateLimitExceeded),
    ("EOrder:Rate limit exceeded", E.RateLimitExceeded),
    ("EGeneral:Permission denied", E.PermissionDenied),
])
async def test_error_table_on_add_order(fake, error, cls):
    fake.next_error = error
    async with _open(fake) as ex:
        with pytest.raises(cls) as info:
            await ex.create_order("BTC/USD", "buy", "limit", "0.01", "29000")
    assert error in str(info.value) and "private/AddOrder" in str(info.value)


@pytest.mark.parametrize("error, cls", [
    ("EOrder:Unknown order", E.OrderNotFound),
    ("EService:Unavailable", E.ExchangeNotAvailable),
    ("EService:Busy", E.ExchangeNotAvailable),
    ("EAPI:Invalid nonce", E.AuthenticationError),
])
async def test_error_table_on_cancel(fake, error, cls):
    fake.next_error = error
    async with _open(fake) as ex:
        with pytest.raises(cls):
            await ex.cancel_order("OABCDE-FGHIJ-KLMNOP", "BTC/USD")


def test_error_code_reads_kraken_error_strings():
    from exchanges.core.transport import Reply
    ex = Kraken()
    code = lambda payload: ex.error_code(Reply(200, {}, payload, ""))  # noqa: E731
    assert code({"error": [], "result": {}}) is None
    assert code({"error": ["WGeneral:Some warning"], "result": {}}) is None
    assert code({"error": ["EGeneral:Invalid arguments:volume"]}) == \
        ("EGeneral:Invalid arguments", "EGeneral:Invalid arguments:volume")
    assert code([1, 2]) is None
    assert isinstance(ex.error_for("EUnheard:of thing", "EUnheard:of thing: unknown order"),
                      E.OrderNotFound)


async def test_unknown_pair_from_public_endpoint_is_bad_symbol(fake):
    async with _open(fake) as ex:
        await ex.load_markets()
        ex.markets["ZZZ/USD"] = ex.markets["BTC/USD"].__class__(
            "ZZZ/USD", "ZZZUSD", "ZZZ", "USD", D("1"), D("1"))
        with pytest.raises(E.BadSymbol, match="Unknown asset pair"):
            await ex.fetch_order_book("ZZZ/USD")
        with pytest.raises(E.BadSymbol):
            await ex.fetch_ticker("NOPE/USD")


async def test_malformed_reply_is_bad_response_naming_the_endpoint(fake):
    async with _open(fake) as ex:
        fake.replies["Depth"] = {"error": [], "result": {"XXBTZUSD": {"asks": "??"}}}
        with pytest.raises(E.BadResponse, match="public/Depth"):
            await ex.fetch_order_book("BTC/USD")
        fake.replies["Ticker"] = {"error": [], "result": {"XXBTZUSD": {"a": []}}}
        with pytest.raises(E.BadResponse, match="public/Ticker"):
            await ex.fetch_ticker("BTC/USD")


async def test_urls_override_sends_every_request_to_the_fake(fake):
    async with _open(fake) as ex:
        assert ex.urls == {"rest": fake.urls["rest"], "ws": fake.urls["ws"]}
        await ex.fetch_ticker("BTC/USD")
        await ex.fetch_balance()
    assert [s.path for s in fake.seen] == ["/0/public/AssetPairs", "/0/public/Ticker",
                                           "/0/private/BalanceEx"]
    assert Kraken.hosts["rest"] == "https://api.kraken.com"


# -- websocket v2 --------------------------------------------------------------------------
async def test_watch_ticker(fake):
    async with _open(fake) as ex:
        it = ex.watch_ticker("BTC/USD").__aiter__()
        first = await _next(it)
        await fake.broadcast(fake.ticker_message("BTC/USD", last="30010.25"))
        second = await _next(it)
        await it.aclose()
    assert first.last == D("30000.5") and first.bid == D("30000.0")
    assert first.open == D("30000.5") - D("200.5")      # v2 `change` is over 24 h
    assert first.quote_volume == D("598.03698452") * D("29950.5")
    assert first.timestamp == 1710327959173
    assert second.last == D("30010.25")
    sub = next(m for m in fake.ws_received if m.get("method") == "subscribe")
    assert sub == {"method": "subscribe", "params": {"channel": "ticker",
                                                     "symbol": ["BTC/USD"]}}


async def test_watch_tickers_subscribes_in_one_message_and_a_refusal_raises(fake):
    async with _open(fake) as ex:
        it = ex.watch_tickers(["BTC/USD", "DOGE/USD"]).__aiter__()
        got = {(await _next(it)).symbol, (await _next(it)).symbol}
        await it.aclose()
        with pytest.raises(E.BadSymbol, match="Currency pair not supported"):
            await _next(ex.watch_ticker("SOL/USD").__aiter__())   # listed, not on the v2 feed
    assert got == {"BTC/USD", "DOGE/USD"}
    assert fake.ws_received[0] == {"method": "subscribe", "params": {
        "channel": "ticker", "symbol": ["BTC/USD", "DOGE/USD"]}}


async def test_watch_trades(fake):
    async with _open(fake) as ex:
        it = ex.watch_trades("DOGE/USD").__aiter__()
        task = asyncio.ensure_future(_next(it))
        for _ in range(100):
            if fake.ws_received:
                break
            await asyncio.sleep(0.01)
        await fake.broadcast('{"channel":"heartbeat"}')
        await fake.broadcast(fake.trade_message("DOGE/USD", 42, "0.0812340", "100.50000000",
                                                "sell"))
        trade = await task
        await it.aclose()
    assert (trade.id, trade.side, trade.price, trade.amount) == \
        ("42", "sell", D("0.0812340"), D("100.50000000"))
    assert trade.timestamp == 1695628177708 and trade.symbol == "DOGE/USD"
    assert fake.ws_received[0]["params"] == {"channel": "trade", "symbol": ["DOGE/USD"],
                                             "snapshot": False}


def _server_view(fake, n=10):
    book = fake.books["BTC/USD"]
    return ([(D(p), D(q)) for p, q in book.top("bids", n)],
            [(D(p), D(q)) for p, q in book.top("asks", n)])


async def test_watch_order_book_snapshot_updates_and_truncation(fake):
    async with _open(fake) as ex:
        it = ex.watch_order_book("BTC/USD").__aiter__()
        snap = await _next(it)
        assert (snap.bids, snap.asks) == _server_view(fake)
        # a better bid pushes the 10th out (no delete is sent: the client truncates)
        await fake.publish_book("BTC/USD", bids=[("30000.5", "0.75000000")])
        book = await _next(it)
        assert (book.bids, book.asks) == _server_view(fake)
        assert book.bids[0] == (D("30000.5"), D("0.75000000")) and len(book.bids) == 10
        # deleting the best ask brings the 11th into the window
        best_ask = fake.books["BTC/USD"].top("asks", 1)[0][0]
        await fake.publish_book("BTC/USD", asks=[(best_ask, "0")])
        book = await _next(it)
        assert (book.bids, book.asks) == _server_view(fake)
        assert book.timestamp == 1710327959173
        await it.aclose()
    subs = [m for m in fake.ws_received if m.get("method") == "subscribe"]
    assert subs == [{"method": "subscribe",
                     "params": {"channel": "book", "symbol": ["BTC/USD"], "depth": 10}}]


async def test_bad_checksum_resubscribes_and_ends_equal_to_server(fake):
    async with _open(fake) as ex:
        it = ex.watch_order_book("BTC/USD", 25).__aiter__()
        await _next(it)
        fake.bad_checksum_next = True
        await fake.publish_book("BTC/USD", bids=[("29999.1", "9.00000000")])
        book = await _next(it)         # the fresh snapshot after the resubscribe
        methods = [(m["method"], m["params"]["depth"]) for m in fake.ws_received]
        await it.aclose()              # (the last watcher gone, the kit unsubscribes)
    assert (book.bids, book.asks) == _server_view(fake, 25)
    assert methods == [("subscribe", 25), ("unsubscribe", 25), ("subscribe", 25)]


async def test_missed_update_shows_as_checksum_mismatch_and_resyncs(fake):
    """Kraken has no sequence numbers: a lost update (a gap) surfaces as a checksum error."""
    async with _open(fake) as ex:
        it = ex.watch_order_book("BTC/USD").__aiter__()
        await _next(it)
        fake.faults.gap_next = True                               # changed, never heard of
        await fake.publish_book("BTC/USD", bids=[("29999.1", "0.10000000")])
        await fake.publish_book("BTC/USD", asks=[("30001.0", "3.00000000")])
        book = await _next(it)
        methods = [m["method"] for m in fake.ws_received]
        await it.aclose()
    assert (book.bids, book.asks) == _server_view(fake)
    assert methods == ["subscribe", "unsubscribe", "subscribe"]


async def test_reconnect_rebuilds_the_book(fake):
    async with _open(fake) as ex:
        it = ex.watch_order_book("BTC/USD").__aiter__()
        await _next(it)
        fake.books["BTC/USD"].asks["30000.9"] = "1.00000000"
        await fake.drop_ws()
        book = await _next(it, timeout=10)
        await it.aclose()
    assert (book.bids, book.asks) == _server_view(fake)
    assert fake.ws_connections == 2


# -- checksum rule -------------------------------------------------------------------------
def test_checksum_uses_the_digits_as_sent():
    asks = [(D("0.05005"), D("0.00000500")), (D("45285.2"), D("0.00100000"))]
    bids = [(D("0.05000"), D("1"))]
    text = "50055004528521000005000" + "1"
    import zlib
    assert book_checksum(asks, bids) == zlib.crc32(text.encode())
    # the fake's independent implementation agrees on string input
    assert kraken_checksum([("0.05005", "0.00000500"), ("45285.2", "0.00100000")],
                           [("0.05000", "1")]) == book_checksum(asks, bids)
    # trailing zeros are significant
    assert book_checksum([(D("1.10"), D("1"))], []) != book_checksum([(D("1.1"), D("1"))], [])
