"""HitBTC specifics the generic suites do not cover: the HS256 header, ccxt's recorded requests
and replies replayed (ts/src/test/static/request|response/hitbtc.json), orders named by their
client order id, and the orderbook/full sequence rule."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal

import pytest

import exchanges
from exchanges.core.book import BookSync, OutOfSync
from exchanges.core.transport import Request
from exchanges.types import Market
from tests.fakes.hitbtc import CREDENTIALS, FakeHitBTC

TRX = Market("TRX/USDT", "TRXUSDT", "TRX", "USDT", Decimal("0.0000001"), Decimal("1"))


@pytest.mark.parametrize("method,path,query,body,payload", [
    ("GET", "/api/3/spot/history/trade", "symbol=LTCUSDT&limit=5&from=1699457638000", None,
     "GET/api/3/spot/history/trade?symbol=LTCUSDT&limit=5&from=16994576380001700000000000"),
    ("POST", "/api/3/spot/order", "", '{"type":"limit","side":"buy","quantity":"10",'
     '"symbol":"TRXUSDT","price":"0.05"}', 'POST/api/3/spot/order{"type":"limit","side":'
     '"buy","quantity":"10","symbol":"TRXUSDT","price":"0.05"}1700000000000'),
    ("DELETE", "/api/3/spot/order/8PYnj6rAdX_-vPV5nJSROzMf85B8rTQS", "", None,
     "DELETE/api/3/spot/order/8PYnj6rAdX_-vPV5nJSROzMf85B8rTQS1700000000000"),
])
def test_the_hs256_header(method, path, query, body, payload):
    # "Authentication": the docs give the recipe but no key → signature vector; the strings
    # are the recipe applied to ccxt's recorded requests, the header decoded back.
    ex = exchanges.create("hitbtc", credentials=CREDENTIALS, clock=lambda: 1_700_000_000_000)
    req = ex.sign(Request(method, path, query=query, body=body))
    scheme, token = req.headers["Authorization"].split(" ")
    sig = hmac.new(CREDENTIALS.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    assert scheme == "HS256"
    assert base64.b64decode(token).decode() == f"{CREDENTIALS.api_key}:{sig}:1700000000000"


async def test_ccxt_recorded_requests_replayed():
    async with FakeHitBTC() as fake:
        async with exchanges.create("hitbtc", urls=fake.urls, credentials=CREDENTIALS) as ex:
            await ex.fetch_balance()
            order = await ex.create_order("BTC/USDT", "buy", "limit", "0.001", "50")
            await ex.fetch_order(order.id, "BTC/USDT")
            await ex.fetch_open_orders("BTC/USDT")
            await ex.cancel_order(order.id, "BTC/USDT")
            await ex.create_order("BTC/USDT", "buy", "market", "0.001")
            await ex.fetch_my_trades("BTC/USDT", 1699457638000, 5)
    got = [(s.method, s.path, s.query_string) for s in fake.seen]
    assert ("GET", "/api/3/spot/balance", "") in got
    assert ("GET", "/api/3/spot/history/order", f"client_order_id={order.id}") in got
    assert ("GET", "/api/3/spot/order", "symbol=BTCUSDT") in got
    assert ("DELETE", f"/api/3/spot/order/{order.id}", "") in got
    assert ("GET", "/api/3/spot/history/trade",
            "symbol=BTCUSDT&limit=5&from=1699457638000") in got
    limit_buy, market_buy = [json.loads(s.body) for s in fake.seen if s.method == "POST"]
    # "Spot limit buy" / "Spot market buy" (quantity in base for a market buy too); we add
    # our client_order_id, the handle of every later call.
    assert limit_buy == {"client_order_id": order.id, "symbol": "BTCUSDT", "side": "buy",
                         "type": "limit", "quantity": "0.001", "price": "50"}
    assert {k: market_buy[k] for k in ("type", "side", "quantity", "symbol")} == {
        "type": "market", "side": "buy", "quantity": "0.001", "symbol": "BTCUSDT"}


def test_ccxt_recorded_replies_parse_as_ccxt_reads_them():
    ex = exchanges.create("hitbtc")
    ex.markets_by_id = {"TRXUSDT": TRX}
    closed = ex.parse_order({   # fetchClosedOrders "spot closed order"
        "id": "1162784607158", "client_order_id": "XAO_g_2kfiRcNhOwtEz8YoTAcJGcsWjN",
        "symbol": "TRXUSDT", "side": "sell", "status": "filled", "type": "market",
        "time_in_force": "FOK", "quantity": "55", "quantity_cumulative": "55",
        "price": "0.1035696", "price_average": "0.1035696",
        "created_at": "2024-01-07T02:45:32.642Z", "updated_at": "2024-01-07T02:45:32.642Z"},
        TRX)
    assert (closed.id, closed.status, closed.filled, closed.remaining, closed.timestamp) == (
        "XAO_g_2kfiRcNhOwtEz8YoTAcJGcsWjN", "closed", Decimal(55), Decimal(0), 1704595532642)
    fill = ex.parse_my_trade({  # fetchMyTrades "Spot trade"
        "id": "2338127619", "order_id": "1162784607158",
        "client_order_id": "XAO_g_2kfiRcNhOwtEz8YoTAcJGcsWjN", "symbol": "TRXUSDT",
        "side": "sell", "quantity": "55", "price": "0.1035696", "fee": "0.014240820000",
        "timestamp": "2024-01-07T02:45:32.642Z", "taker": True}, TRX)
    assert (fill.order_id, fill.fee, fill.fee_currency, fill.taker_or_maker) == (
        "XAO_g_2kfiRcNhOwtEz8YoTAcJGcsWjN", Decimal("0.014240820000"), "USDT", "taker")
    candle = ex.parse_candle({"timestamp": "2024-03-13T11:00:00.000Z", "open": "73264.77",
                              "close": "73435.86", "min": "73245.05", "max": "73436.75",
                              "volume": "2.98510", "volume_quote": "218883.0328372"})
    assert (candle.timestamp, candle.high, candle.low) == (1710327600000, Decimal("73436.75"),
                                                          Decimal("73245.05"))
    trade = ex.parse_trade({"id": "2371822918", "price": "73265.87", "qty": "0.05094",
                            "side": "buy", "timestamp": "2024-03-13T11:00:21.983Z"}, TRX)
    assert (trade.timestamp, trade.side, trade.amount) == (1710327621983, "buy",
                                                           Decimal("0.05094"))


def test_orderbook_full_updates_count_up_by_one():
    ex = exchanges.create("hitbtc")
    frame = lambda kind, s: ex.parse_book_frame({"ch": "orderbook/full", kind: {"TRXUSDT": {
        "t": 1626866578796, "s": s, "a": [["0.060506", "0"]], "b": [["0.060501", "3.5"]]}}},
        TRX)
    sync = BookSync("TRX/USDT", sequence=type(ex).book_sequence)
    sync.apply(frame("snapshot", 27617207))
    assert sync.apply(frame("update", 27617208))
    with pytest.raises(OutOfSync):
        sync.apply(frame("update", 27617210))
