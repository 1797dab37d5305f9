"""Bitso specifics: the Authorization header built as the docs say, ccxt's recorded requests and
replies, the official Java SDK's fixtures, and the order-level diff-orders book."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from decimal import Decimal

import pytest

import exchanges
from exchanges.core.api import fill_path
from exchanges.venues.bitso import Bitso
from tests.fakes import bitso as fake_bitso
from tests.fakes.bitso import CREDENTIALS, FAKE, SYMBOL

CLOCK = 1710328244969
D = Decimal


def _open(fake, creds=CREDENTIALS):
    return exchanges.create("bitso", urls=fake.urls, credentials=creds, clock=lambda: CLOCK)


def _market(book="btc_mxn"):
    return Bitso().parse_market({**fake_bitso.BOOKS[0], "book": book})


async def test_the_authorization_header_is_key_nonce_and_the_hmac_the_docs_describe():
    # "Create Signed Requests": hex HMAC-SHA256(secret, nonce + method + request path + JSON
    # payload); "Bitso <key>:<nonce>:<signature>". The docs give no numeric example, so the
    # recipe is rebuilt here from its words, for a GET with a query and a POST with a body.
    async with FAKE() as fake:
        async with _open(fake) as ex:
            await ex.fetch_open_orders(SYMBOL)
            await ex.create_order(SYMBOL, "buy", "limit", "0.001", "1000000", client_order_id="c1")
    for seen in [s for s in fake.seen if s.path in ("/api/v3/open_orders", "/api/v3/orders")
                 and s.method in ("GET", "POST")][:2]:
        key, nonce, signature = seen.headers["Authorization"].removeprefix("Bitso ").split(":")
        path = seen.path + (f"?{seen.query_string}" if seen.query_string else "")
        message = f"{nonce}{seen.method}{path}{seen.body}"
        assert key == "BitsoKey123" and int(nonce) >= CLOCK
        assert signature == hmac.new(CREDENTIALS.secret.encode(), message.encode(),
                                     hashlib.sha256).hexdigest()
    post = [s for s in fake.seen if s.method == "POST"][0]
    assert json.loads(post.body) == {"book": "btc_mxn", "side": "buy", "type": "limit",
                                     "major": "0.001", "price": "1000000", "origin_id": "c1"}


def test_ccxt_recorded_order_requests_and_where_we_differ():
    # request/bitso.json "limit buy order": {"book":"xrp_usdt","side":"buy","type":"limit",
    # "major":"10","price":"0.4"} to https://api.bitso.com/v3/orders. We send the same fields
    # plus origin_id (Place an Order: the client-supplied id, for reconciliation) to
    # /api/v3/orders, the path the docs use (e.g. "DELETE https://stage.bitso.com/api/v3/orders").
    m = _market("xrp_usdt")
    ep = Bitso.api["create_order"]
    params = ep.params(m, "buy", "limit", D("10"), D("0.4"), "cid1", {})
    assert {k: v for k, v in params.items() if v is not None} == {
        "book": "xrp_usdt", "side": "buy", "type": "limit", "major": D("10"),
        "price": D("0.4"), "origin_id": "cid1"}
    market = ep.params(m, "sell", "market", D("10"), None, "cid2", {})
    assert (market["major"], market["price"], market["type"]) == (D("10"), None, "market")
    # "cancel order": https://api.bitso.com/v3/orders/hG5WlCiC4OWRt2up
    path, rest = fill_path(Bitso.api["cancel_order"].path,
                           Bitso.api["cancel_order"].params(m, "hG5WlCiC4OWRt2up"))
    assert path == "/api/v3/orders/hG5WlCiC4OWRt2up" and not rest
    # "spot ticker" / "spot orderbook": ticker?book=btc_usdt, order_book?book=btc_usdt; the
    # book asks aggregate=true explicitly (the documented default).
    assert Bitso.api["ticker"].params(_market("btc_usdt"), ) == {"book": "btc_usdt"}
    assert Bitso.api["order_book"].params(_market("btc_usdt"), None) == {
        "book": "btc_usdt", "aggregate": "true"}


def test_ccxt_recorded_replies_and_the_sdk_fixtures_parse_with_the_venues_digits():
    ex = Bitso()
    m = _market("btc_usdt")
    t = ex.parse_ticker({"high": "73681", "last": "73440",
                         "created_at": "2024-03-13T11:10:45+00:00", "book": "btc_usdt",
                         "volume": "33.96216034", "vwap": "71004.0822715099", "low": "68696",
                         "ask": "73440", "bid": "73288", "change_24": "1239",
                         "rolling_average_change": {"6": "0.2759"}}, m)
    assert (t.timestamp, t.bid, t.ask, t.base_volume) == (
        1710328245000, D("73288"), D("73440"), D("33.96216034"))
    tr = ex.parse_trade(fake_bitso.TRADES[0], m)     # maker sold: the taker bought
    assert (tr.id, tr.timestamp, tr.side, str(tr.amount)) == (
        "119089863", 1710327599000, "buy", "0.00007045")
    # bitso-java privateLookUpOrders.json: a partly filled limit buy.
    mx = _market()
    o = ex.parse_order({"book": "btc_mxn", "original_amount": "0.01000000",
                        "unfilled_amount": "0.00500000", "original_value": "56.0",
                        "created_at": "2016-04-08T17:52:31+00:00", "price": "5600.00",
                        "oid": "543cr2v32a1h6844", "side": "buy", "status": "partially filled",
                        "type": "limit"}, mx)
    assert (o.status, o.filled, o.remaining, o.price) == (
        "open", D("0.005"), D("0.005"), D("5600.00"))
    # bitso-java privateUserTrades.json: signed major and fee; the fee is reported positive.
    ex.markets_by_id = {"btc_mxn": mx}
    f = ex.parse_my_trade({"book": "btc_mxn", "major": "-0.25232073",
                           "created_at": "2016-04-08T17:52:31+00:00",
                           "minor": "1013.540958479115", "fees_amount": "-10.237787459385",
                           "fees_currency": "mxn", "price": "4057.45", "tid": 51756,
                           "oid": "g81d3y1ywri0yg8m", "side": "sell"}, None)
    assert (f.side, f.amount, f.fee, f.fee_currency, f.order_id) == (
        "sell", D("0.25232073"), D("10.237787459385"), "MXN", "g81d3y1ywri0yg8m")


async def test_the_diff_orders_book_sums_orders_sharing_a_price():
    # Diff-Orders: one row per order (`o`), `a` its amount left; a cancelled one has no `a`.
    async with FAKE() as fake:
        async with _open(fake, None) as ex:
            watch = ex.watch_order_book(SYMBOL)
            first = asyncio.ensure_future(watch.__anext__())
            await fake.wait_subscribed("book", "btc_mxn")
            book = fake.books["btc_mxn"]
            best = str(book.best("bids"))
            await fake.publish_book("btc_mxn", bids=[(best, "0.75")])
            await asyncio.wait_for(first, 5)
            book.seq += 1                       # a second order at the same price
            await fake.push("book", "btc_mxn", {
                "type": "diff-orders", "book": "btc_mxn", "sequence": book.seq,
                "payload": [{"o": "other", "d": 1, "r": best, "t": 0, "a": "0.25",
                             "v": "1", "s": "open"}], "sent": 1})
            got = await asyncio.wait_for(watch.__anext__(), 5)
            assert got.bids[0] == (D(best), D("1.00"))
            book.seq += 1                       # … and it goes
            await fake.push("book", "btc_mxn", {
                "type": "diff-orders", "book": "btc_mxn", "sequence": book.seq,
                "payload": [{"o": "other", "d": 2, "r": best, "t": 0, "s": "cancelled",
                             "z": 3}], "sent": 2})
            got = await asyncio.wait_for(watch.__anext__(), 5)
            assert got.bids[0] == (D(best), D("0.75")) and got.nonce == book.seq
            await watch.aclose()


async def test_ws_trades_report_the_takers_side():
    # Trades Channel: `t` "Taker side" (History of Changes: it was mislabelled "Maker side").
    async with FAKE() as fake:
        async with _open(fake, None) as ex:
            watch = ex.watch_trades(SYMBOL)
            first = asyncio.ensure_future(watch.__anext__())
            await fake.wait_subscribed("trades", "btc_mxn")
            await fake.push("trades", "btc_mxn", {"type": "trades", "book": "btc_mxn",
                                                  "payload": [{"i": 77777, "a": "0.0035",
                                                               "r": "7190", "v": "25.16",
                                                               "mo": "m", "to": "t", "t": 1,
                                                               "x": 1675555546102}],
                                                  "sent": 1675555546102})
            trade = await asyncio.wait_for(first, 5)
            await watch.aclose()
    assert (trade.id, trade.side, trade.price, trade.amount) == (
        "77777", "sell", D("7190"), D("0.0035"))


async def test_errors_and_finished_orders():
    async with FAKE() as fake:
        async with _open(fake) as ex:
            with pytest.raises(exchanges.InsufficientFunds):       # 0379
                await ex.create_order(SYMBOL, "buy", "limit", "10", "1000000")
            with pytest.raises(exchanges.OrderNotFound):           # an empty lookup
                await ex.fetch_order("nope", SYMBOL)
            filled = await ex.create_order(SYMBOL, "sell", "market", "0.01")
            fills = await ex.fetch_my_trades(SYMBOL)
    assert filled.status == "closed" and filled.filled == D("0.01")
    assert {(f.side, f.taker_or_maker, f.order_id) for f in fills} == {
        ("sell", "taker", filled.id)}
