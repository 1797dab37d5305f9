"""Luno specifics: basic auth, ccxt's recorded requests and replies, market buys by quote,
the per-pair stream opened by the keys, its order-level book and trades."""
from __future__ import annotations

import asyncio
import base64
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

import exchanges
from exchanges.core.api import fill_path
from exchanges.venues.luno import Luno
from tests.fakes import luno as fake_luno
from tests.fakes.luno import CREDENTIALS, FAKE, SYMBOL

CLOCK = 1710328244969


def _open(fake, creds=CREDENTIALS):
    return exchanges.create("luno", urls=fake.urls, credentials=creds, clock=lambda: CLOCK)


async def test_basic_auth_is_key_id_and_secret_with_no_nonce():
    # "Authentication": HTTP basic auth, user name the key id, password the secret.
    async with FAKE() as fake:
        async with _open(fake) as ex:
            await ex.fetch_balance()
    seen = [s for s in fake.seen if s.path == "/api/1/balance"][0]
    token = base64.b64encode(b"lunokeyid01:lunosecret-abcdefghijklmnop").decode()
    assert seen.headers["Authorization"] == f"Basic {token}" and seen.query_string == ""


async def test_ccxt_recorded_replies_parse_with_the_venues_digits():
    # ts/src/test/static/response/luno.json: fetchTicker and fetchTrades.
    ex = Luno()
    m = ex.parse_market(fake_luno.MARKETS[0])
    t = ex.parse_ticker({"pair": "XBTZAR", "timestamp": "1710328244969", "bid": "72617.38000000",
                         "ask": "73998.97000000", "last_trade": "73998.98000000",
                         "rolling_24_hour_volume": "0.31110000", "status": "ACTIVE"}, m)
    assert (t.timestamp, str(t.bid), str(t.last), str(t.base_volume)) == (
        1710328244969, "72617.38000000", "73998.98000000", "0.31110000")
    tr = ex.parse_trade(fake_luno.TRADES[0], m)
    assert (tr.id, tr.timestamp, tr.side, str(tr.price), str(tr.amount)) == (
        "26963", 1710325156438, "buy", "73998.98000000", "0.00080000")
    assert m.symbol == "BTC/ZAR" and m.price_increment == 1 and m.amount_increment == Decimal(
        "0.000001") and m.min_amount == Decimal("0.0005")


def test_ccxt_recorded_limit_order_request_fields():
    # request/luno.json "create limit Order": postorder?pair=XBTUSDT&volume=1&price=30000&type=BID.
    # Same fields; ccxt puts them in the query, luno-go (Client.do) in a form body, as we do.
    m = Luno().parse_market({**fake_luno.MARKETS[0], "market_id": "XBTUSDT",
                             "counter_currency": "USDT"})
    params = Luno.api["create_order"].params(m, "buy", "limit", Decimal(1), Decimal(30000),
                                             "cid1", {})
    path, rest = fill_path(Luno.api["create_order"].path, params)
    assert path == "/api/1/postorder"
    assert {k: v for k, v in rest.items() if v is not None} == {
        "pair": "XBTUSDT", "type": "BID", "volume": 1, "price": 30000, "client_order_id": "cid1"}


def test_order_book_uses_the_aggregated_top_not_ccxts_full_book():
    # request/luno.json fetchOrderBook without a limit asks /api/1/orderbook (every order, not
    # aggregated, "may return a large amount of data"); we always ask orderbook_top ("top 100
    # bids and asks ... aggregated"), which the base trims to a smaller limit.
    assert Luno.api["order_book"].path == "/api/1/orderbook_top"


async def test_a_market_buy_spends_amount_times_the_best_ask_as_counter_volume():
    # marketorder: "For a BUY order: amount of the counter currency to use". ccxt's recorded
    # request sends the caller's amount as counter_volume (request/luno.json "create market
    # Order": counter_volume=1 for amount 1); the contract's amount is base, so we convert.
    async with FAKE() as fake:
        async with _open(fake) as ex:
            order = await ex.create_order(SYMBOL, "buy", "market", "0.2")
    body = dict(parse_qsl([s for s in fake.seen if s.path == "/api/1/marketorder"][0].body))
    assert body["type"] == "BUY" and body["counter_volume"] == "247000"
    assert "base_volume" not in body and order.filled == Decimal("0.2")
    assert order.status == "closed"


async def test_a_market_sell_sends_base_volume():
    async with FAKE() as fake:
        async with _open(fake) as ex:
            await ex.create_order(SYMBOL, "sell", "market", "0.1")
    body = dict(parse_qsl([s for s in fake.seen if s.path == "/api/1/marketorder"][0].body))
    assert body["type"] == "SELL" and body["base_volume"] == "0.1"


async def test_candles_need_keys_and_send_a_since():
    # "GET /api/exchange/1/candles call is authenticated" (changelog 2022-06-23); since required.
    async with FAKE() as fake:
        async with _open(fake, None) as ex:
            with pytest.raises(exchanges.AuthenticationError):
                await ex.fetch_ohlcv(SYMBOL, "1h")
        async with _open(fake) as ex:
            candles = await ex.fetch_ohlcv(SYMBOL, "1h", limit=3)
    q = dict(parse_qsl([s for s in fake.seen if "candles" in s.path][-1].query_string))
    assert q == {"pair": "XBTZAR", "duration": "3600", "since": str(CLOCK - 3 * 3600_000)}
    assert len(candles) == 3 and candles[0].timestamp == CLOCK - 3 * 3600_000


async def test_errors_map_by_error_code():
    async with FAKE() as fake:
        async with _open(fake) as ex:
            with pytest.raises(exchanges.OrderNotFound):
                await ex.fetch_order("BXNOPE", SYMBOL)
            with pytest.raises(exchanges.InsufficientFunds):
                await ex.create_order(SYMBOL, "buy", "limit", "2", "1000000")


async def test_balance_free_is_balance_less_reserved_and_my_trades_say_taker():
    async with FAKE() as fake:
        async with _open(fake) as ex:
            await ex.create_order(SYMBOL, "buy", "limit", "0.5", "1000000")
            bal = await ex.fetch_balance()
            await ex.create_order(SYMBOL, "sell", "market", "0.1")
            fills = await ex.fetch_my_trades(SYMBOL)
            with pytest.raises(exchanges.NotSupported):
                await ex.fetch_my_trades()
    assert bal["ZAR"].used == Decimal("500000.0") and bal["ZAR"].free == Decimal("500000.0")
    assert [(f.side, f.taker_or_maker, f.fee_currency) for f in fills] == [
        ("sell", "taker", "ZAR")]


async def test_the_stream_is_one_websocket_per_pair_opened_by_the_keys():
    # "Streaming API": wss://ws.luno.com/api/1/stream/:pair; the first frame sends the key.
    luno = Luno()
    assert luno.stream_url(luno.stream_host("book", fake_luno_market())) == \
        "wss://ws.luno.com/api/1/stream/XBTZAR"
    async with FAKE() as fake:
        async with _open(fake) as ex:
            watch = ex.watch_order_book(SYMBOL)
            book = await asyncio.wait_for(watch.__anext__(), 5)
            await watch.aclose()
    assert fake.ws_received == [{"api_key_id": "lunokeyid01",
                                 "api_key_secret": "lunosecret-abcdefghijklmnop"}]
    assert book.bids[0] == (Decimal("1234000"), Decimal("0.5")) and book.nonce == 24352


async def test_a_trade_reduces_the_makers_order_and_reports_the_takers_side():
    # Trade update: "Reduce the outstanding volume of an Order in the Order Book
    # (maker_order_id)"; base and counter give the price. The maker bid sold to a taker.
    async with FAKE() as fake:
        async with _open(fake) as ex:
            trades, books = ex.watch_trades(SYMBOL), ex.watch_order_book(SYMBOL)
            await asyncio.wait_for(books.__anext__(), 5)
            first = asyncio.ensure_future(trades.__anext__())
            await asyncio.sleep(0.05)
            maker = fake.level_orders[("XBTZAR", "bids", Decimal("1234000"))]
            fake.seqs["XBTZAR"] += 1
            await fake.push("book", "XBTZAR", fake.update("XBTZAR", trade_updates=[
                {"sequence": 24509303, "base": "0.1", "counter": "123400.00",
                 "maker_order_id": maker, "taker_order_id": "BXTAKER"}]))
            trade = await asyncio.wait_for(first, 5)
            book = await asyncio.wait_for(books.__anext__(), 5)
            await trades.aclose()
            await books.aclose()
    assert (trade.id, trade.side, trade.price, trade.amount) == (
        "24509303", "sell", Decimal("1234000"), Decimal("0.1"))
    assert book.bids[0] == (Decimal("1234000"), Decimal("0.4")) and book.nonce == 24353


async def test_the_stream_without_keys_raises_at_once():
    async with FAKE() as fake:
        async with _open(fake, None) as ex:
            with pytest.raises(exchanges.AuthenticationError):
                await asyncio.wait_for(ex.watch_trades(SYMBOL).__anext__(), 5)
    assert fake.ws_connections == 0


def fake_luno_market():
    return Luno().parse_market(fake_luno.MARKETS[0])
