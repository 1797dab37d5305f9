"""Zaif specifics the generic suites do not cover.

Sources: the docs (zaifdotjp/api-doc: docs/PublicAPI.md, docs/TradingAPI.md; they give no
worked signature) and ccxt's recorded requests for fetchClosedOrders
(ts/src/test/static/request/zaif.json in ccxt/ccxt)."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

import exchanges
from exchanges.types import Market
from tests.fakes.zaif import CREDENTIALS, FakeZaif, _ok

CLOCK = 1_700_000_000_000
D = Decimal


async def test_sign_is_hmac_sha512_of_the_form_body_with_a_growing_decimal_nonce():
    """Sign: hex HMAC-SHA512 of every POST parameter, nonce and method included, urlencoded
    ("共通情報", 認証); the nonce is seconds with decimals ("マイクロタイム") from the clock,
    and still grows when the clock stands still."""
    async with FakeZaif() as fake:
        async with exchanges.create("zaif", urls=fake.urls, credentials=CREDENTIALS,
                                    clock=lambda: CLOCK) as ex:
            await ex.fetch_balance()
            await ex.fetch_open_orders("BTC/JPY")
    posts = [s for s in fake.seen if s.path == "/tapi"]
    nonces = [D(dict(parse_qsl(s.body))["nonce"]) for s in posts]
    assert nonces[0] >= D(CLOCK) / 1000 and nonces == sorted(set(nonces))
    assert all(len(str(n).partition(".")[2]) == 3 for n in nonces)
    for s in posts:
        assert s.headers["Key"] == CREDENTIALS.api_key
        assert s.headers["Sign"] == hmac.new(CREDENTIALS.secret.encode(), s.body.encode(),
                                             hashlib.sha512).hexdigest()
    assert [dict(parse_qsl(s.body))["method"] for s in posts] == ["get_info2", "active_orders"]


@pytest.mark.parametrize("since, limit, ccxt", [
    # ccxt's fetchClosedOrders requests: the same trade_history call as our fills.
    (1_700_000_000_000, 5, "method=trade_history&nonce=0&currency_pair=btc_jpy"
                           "&since=1700000000&count=5"),
    (None, 2000, "method=trade_history&nonce=0&currency_pair=btc_jpy&count=1000")])
async def test_ccxt_recorded_trade_history_requests(since, limit, ccxt):
    async with FakeZaif() as fake:
        async with exchanges.create("zaif", urls=fake.urls, credentials=CREDENTIALS) as ex:
            await ex.fetch_my_trades("BTC/JPY", since=since, limit=limit)
    sent = dict(parse_qsl(next(s for s in fake.seen if s.path == "/tapi").body))
    want = dict(parse_qsl(ccxt))
    assert sent.pop("nonce") and want.pop("nonce") == "0"      # ccxt skips the nonce
    assert sent == want


async def test_markets_limit_orders_only_and_declared_absences():
    async with FakeZaif() as fake:
        async with exchanges.create("zaif", urls=fake.urls, credentials=CREDENTIALS) as ex:
            markets = await ex.load_markets()
            trades = await ex.fetch_trades("BTC/JPY")
            with pytest.raises(exchanges.NotSupported, match="market orders"):
                await ex.create_order("BTC/JPY", "buy", "market", "0.01")
            with pytest.raises(exchanges.NotSupported, match="no order lookup"):
                await ex.fetch_order("184", "BTC/JPY")
            with pytest.raises(exchanges.NotSupported, match="no candles"):
                await ex.fetch_ohlcv("BTC/JPY")
    assert set(markets) == {"BTC/JPY", "ETH/JPY"}            # the Counterparty token is not
    m = markets["BTC/JPY"]
    assert (m.price_increment, m.amount_increment, m.min_amount) == (D("5.0"), D("0.0001"),
                                                                     D("0.0001"))
    assert [(t.id, t.side) for t in trades] == [("43054306", "buy"), ("43054307", "sell")]
    assert not any(s.path == "/tapi" for s in fake.seen)       # nothing private was sent


async def test_an_order_that_trades_at_once_is_found_by_its_comment():
    """"order_id: 0 when the whole order traded": the order is then read from trade_history,
    where it carries our client order id as its comment."""
    async with FakeZaif() as fake:
        async def fill_then_reply(p):       # the venue's trade call, the book taken at once
            rec = fake.store.place(p["currency_pair"], "buy", "limit", p["amount"],
                                   p["price"], p["comment"])
            fake.store.fill(rec.id)
            return _ok({"received": float(p["amount"]), "remains": 0, "order_id": 0})
        fake.m_trade = fill_then_reply
        async with exchanges.create("zaif", urls=fake.urls, credentials=CREDENTIALS) as ex:
            order = await ex.create_order("BTC/JPY", "buy", "limit", "0.01", "135900",
                                          client_order_id="mine-1")
    assert (order.client_order_id, order.status, order.filled) == ("mine-1", "closed",
                                                                   D("0.01"))
    assert order.id == next(iter(fake.store.orders))


async def test_cancel_answers_with_the_open_order_and_refuses_what_is_not_open():
    async with FakeZaif() as fake:
        async with exchanges.create("zaif", urls=fake.urls, credentials=CREDENTIALS) as ex:
            order = await ex.create_order("BTC/JPY", "sell", "limit", "0.5", "140000")
            canceled = await ex.cancel_order(order.id, "BTC/JPY")
            assert (canceled.id, canceled.status, canceled.price) == (order.id, "canceled",
                                                                      D("140000"))
            sent = len(fake.seen)
            with pytest.raises(exchanges.OrderNotFound):
                await ex.cancel_order(order.id, "BTC/JPY")
    methods = [dict(parse_qsl(s.body)).get("method") for s in fake.seen[sent:]]
    assert "cancel_order" not in methods


def test_docs_examples_parse():
    ex = exchanges.create("zaif")
    bal = ex.parse_balance({"funds": {"jpy": 15320, "btc": D("1.389")},
                            "deposit": {"jpy": 20440, "btc": D("1.479")}})
    assert (bal["BTC"].free, bal["BTC"].used, bal["BTC"].total) == (D("1.389"), D("0.090"),
                                                                    D("1.479"))
    m = Market("BTC/JPY", "btc_jpy", "BTC", "JPY", D(5), D("0.0001"))
    open_ = ex.parse_order({"id": "184", "currency_pair": "btc_jpy", "action": "ask",
                            "amount": D("0.03"), "price": 56000, "timestamp": 1402021125,
                            "comment": "demo"}, m)
    assert (open_.side, open_.status, open_.remaining, open_.client_order_id) == (
        "sell", "open", D("0.03"), "demo")
    fill = ex.parse_my_trade({"id": "182", "currency_pair": "btc_jpy", "action": "bid",
                              "amount": D("0.03"), "price": 56000, "fee": 0,
                              "your_action": "ask", "bonus": D("1.6"),
                              "timestamp": 1402018713, "comment": "demo"}, m)
    assert (fill.side, fill.amount, fill.timestamp, fill.client_order_id) == (
        "sell", D("0.03"), 1402018713000, "demo")


async def test_the_stream_is_one_connection_per_pair_and_each_push_replaces_the_book():
    """docs/WebSocket_API.md: /stream?currency_pair=…, nothing to send; a push holds the
    book, the recent trades (repeated from push to push) and the last price."""
    async with FakeZaif() as fake:
        async with exchanges.create("zaif", urls=fake.urls) as ex:
            books, trades = ex.watch_order_book("BTC/JPY"), ex.watch_trades("BTC/JPY")
            first = asyncio.ensure_future(books.__anext__())
            got = asyncio.ensure_future(trades.__anext__())
            await fake.wait_subscribed("book", "btc_jpy")
            fake.books["btc_jpy"].apply(asks=[("135920", "0")])
            await fake.push("book", "btc_jpy", fake.trade_message("btc_jpy", 43054310, "135925",
                                                                  "0.5", "bid"))
            book, trade = await first, await got
            assert book.asks[0] == (D("135925"), D("2")) and trade.id == "43054310"
            # The same trades again and a newer one: only the newer one comes out.
            await fake.push("book", "btc_jpy", fake.push_frame("btc_jpy", [
                {"tid": 43054311, "trade_type": "ask", "price": 135870, "amount": 0.1,
                 "date": 1491756600}, fake.trade_message("btc_jpy", 43054310, "135925", "0.5",
                                                         "bid")["trades"][0]]))
            assert (await trades.__anext__()).id == "43054311"
            await books.aclose()
            await trades.aclose()
    assert fake.ws_connections == 1 and fake.ws_received == []
    t = ex.parse_ws_ticker({"timestamp": "2015-04-01 18:16:01.739990", "bids": [[29500.0, 1]],
                            "asks": [], "last_price": {"action": "ask", "price": 30001}},
                           Market("BTC/JPY", "btc_jpy", "BTC", "JPY", D(5), D("0.0001")))
    assert (t.timestamp, t.bid, t.ask, t.last) == (1427879761739, D("29500.0"), None,
                                                   D("30001"))
