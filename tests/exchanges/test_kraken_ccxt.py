"""Replay ccxt's recorded Kraken replies through the adapter; compare with the values they imply.

The transport is replaced by one that records each Request (signed exactly as it would be sent)
and answers with the recorded reply, so the whole call path — params, signing, parsers — runs.
"""
from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from exchanges.errors import OrderNotFound
from exchanges.core.signing import urlencode_params
from exchanges.types import Market
from exchanges.venues.kraken import Kraken
from tests.fakes.kraken import CREDENTIALS

DATA = Path(__file__).parent.parent / "data" / "ccxt" / "kraken"
RESPONSES = json.loads((DATA / "response.json").read_text())
REQUESTS = json.loads((DATA / "request.json").read_text())


class Replay:
    """Stands in for the Transport: signs like it, answers with a recorded reply."""

    def __init__(self, ex: Kraken) -> None:
        self.ex = ex
        self.hosts = {"rest": Kraken.hosts["rest"]}
        self.sent = []
        self.replies: list[object] = []

    async def request(self, request):
        req = replace(request, headers=dict(request.headers))
        if req.params and req.query is None:
            req.query = urlencode_params(req.params)
        if req.body is None and req.data is not None:
            req.encode_body()
        if req.signed:
            req = self.ex.sign(req)
        self.sent.append(req)
        from exchanges.core.transport import Reply
        payload = json.loads(json.dumps(self.replies.pop(0)), parse_float=D)
        self.ex._check_reply(Reply(200, {}, payload, ""), req)
        return payload

    async def close(self):
        pass


def _market(symbol, pair_id, altname):
    base, quote = symbol.split("/")
    return Market(symbol, pair_id, base, quote, D("0.01"), D("0.00000001"))


@pytest.fixture
async def ex():
    async with Kraken(credentials=CREDENTIALS, clock=lambda: 1698834065549) as k:
        markets = [_market("LTC/USDT", "LTCUSDT", "LTCUSDT"),
                   _market("BTC/USDT", "XBTUSDT", "XBTUSDT"),
                   _market("ETH/USDT", "ETHUSDT", "ETHUSDT")]
        k.markets = {m.symbol: m for m in markets}
        k.markets_by_id = {m.id: m for m in markets}
        k._by_altname = dict(k.markets_by_id)
        k.transport = Replay(k)
        yield k


def _dec(value):
    return None if value is None else D(value)


async def test_ticker(ex):
    case = RESPONSES["fetchTicker"]
    ex.transport.replies.append(case["httpResponse"])
    t = await ex.fetch_ticker("BTC/USDT")
    want = case["parsed"]
    assert (t.high, t.low, t.bid, t.ask, t.last) == tuple(
        D(want[k]) for k in ("high", "low", "bid", "ask", "last"))
    # ccxt's open is `o`, today's open since 00:00 UTC, beside 24 h high/low/volume; ours
    # mixes no windows: the REST ticker has no 24 h open (issue 12 #5)
    assert D(want["open"]) == D(case["httpResponse"]["result"]["XBTUSDT"]["o"]) and t.open is None
    assert t.base_volume == D(want["baseVolume"])
    # vwap × volume: ours is exact; ccxt's recorded value went through a float (16 digits)
    assert t.quote_volume == D("598.03698452") * D("71501.57520")
    assert t.quote_volume.quantize(D("0.00000001")) == D(want["quoteVolume"])
    assert ex.transport.sent[0].query == "pair=XBTUSDT"


async def test_tickers_request(ex):
    ex.transport.replies.append({"error": [], "result": {}})
    await ex.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    url = REQUESTS["fetchTickers"][0]["url"]
    assert ex.transport.sent[0].path + "?" + ex.transport.sent[0].query == \
        url.removeprefix("https://api.kraken.com")


async def test_trades(ex):
    case = RESPONSES["fetchTrades"]
    ex.transport.replies.append(case["httpResponse"])
    trades = await ex.fetch_trades("BTC/USDT", 1)
    assert [(t.id, t.timestamp, t.side, t.price, t.amount) for t in trades] == [
        (w["id"], w["timestamp"], w["side"], D(w["price"]), D(w["amount"]))
        for w in case["parsed"]]


async def test_ohlcv(ex):
    case = RESPONSES["fetchOHLCV"]
    ex.transport.replies.append(case["httpResponse"])
    candles = await ex.fetch_ohlcv("BTC/USDT", "1h")
    assert [(c.timestamp, c.open, c.high, c.low, c.close, c.volume) for c in candles] == [
        (w[0], *map(D, w[1:])) for w in case["parsed"]]


async def test_ohlcv_request(ex):
    ex.transport.replies.append({"error": [], "result": {"XBTUSDT": [], "last": 0}})
    await ex.fetch_ohlcv("BTC/USDT", "1h", since=1716523348000)
    url = REQUESTS["fetchOHLCV"][0]["url"]
    # ccxt sends since // 1000; Kraken's `since` is exclusive, so ours is one second earlier
    # and a candle opening exactly then is kept.
    assert ex.transport.sent[0].path + "?" + ex.transport.sent[0].query == \
        url.removeprefix("https://api.kraken.com").replace("since=1716523348", "since=1716523347")


@pytest.mark.parametrize("index", [0, 1])
async def test_fetch_order(ex, index):
    case = RESPONSES["fetchOrder"][index]
    ex.transport.replies.append(case["httpResponse"])
    order = await ex.fetch_order(*case["input"])
    want = case["parsed"]
    assert (order.id, order.timestamp, order.status, order.symbol, order.type, order.side) == \
        tuple(want[k] for k in ("id", "timestamp", "status", "symbol", "type", "side"))
    assert (order.price, order.amount, order.filled, order.remaining, order.average) == \
        tuple(_dec(want[k]) for k in ("price", "amount", "filled", "remaining", "average"))
    assert order.client_order_id is None     # no cl_ord_id on these orders


async def test_open_orders_fold_conditional_kinds(ex):
    case = RESPONSES["fetchOpenOrders"]
    ex.transport.replies.append(case["httpResponse"])
    orders = await ex.fetch_open_orders()
    assert [(o.id, o.timestamp, o.status, o.symbol, o.type, o.side, o.price, o.amount,
             o.filled, o.remaining) for o in orders] == [
        (w["id"], w["timestamp"], w["status"], w["symbol"], w["type"], w["side"],
         D(w["price"]), D(w["amount"]), D(w["filled"]), D(w["remaining"]))
        for w in case["parsed"]]


@pytest.mark.parametrize("index", [0, 1])
async def test_create_market_order_body_matches_ccxt(ex, index):
    case = REQUESTS["createOrder"][index]
    symbol, type_, side, amount = case["input"]
    ex.transport.replies.append(RESPONSES["createOrder"]["httpResponse"])
    order = await ex.create_order(symbol, side, type_, str(amount), client_order_id="c1")
    sent = ex.transport.sent[0]
    assert sent.path == case["url"].removeprefix("https://api.kraken.com")
    ours = list(parse_qsl(sent.body))
    theirs = list(parse_qsl(case["output"]))
    # the same fields in the same order (nonce first); ours adds the client order id
    assert [k for k, _ in ours] == [k for k, _ in theirs] + ["cl_ord_id"]
    assert dict(ours[1:-1]) == dict(theirs[1:])
    assert order.id == RESPONSES["createOrder"]["parsed"]["id"]


async def test_cancel_body_matches_ccxt(ex):
    case = REQUESTS["cancelOrder"][0]
    ex.transport.replies.append({"error": [], "result": {"count": 1}})
    ex.transport.replies.append(RESPONSES["fetchOrder"][0]["httpResponse"])
    with pytest.raises(OrderNotFound):
        # the recorded QueryOrders reply is for another txid: OrderNotFound, after the cancel
        await ex.cancel_order(case["input"][0], "LTC/USDT")
    sent = ex.transport.sent[0]
    assert sent.path == case["url"].removeprefix("https://api.kraken.com")
    assert dict(parse_qsl(sent.body))["txid"] == dict(parse_qsl(case["output"]))["txid"]
    assert [k for k, _ in parse_qsl(sent.body)] == [k for k, _ in parse_qsl(case["output"])]
