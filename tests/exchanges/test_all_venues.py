"""One contract test, run against every venue's fake: a new adapter gets it for free."""
from __future__ import annotations

from decimal import ROUND_UP, Decimal

import pytest

import exchanges
from exchanges.core.adapter import CONTRACT_CALLS
from exchanges.numbers import round_to
from exchanges.types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade
from tests.exchanges.venue_fakes import IDS, VENUES

pytestmark = pytest.mark.parametrize("venue", VENUES, ids=IDS)

MONEY_OR_NONE = (Decimal, type(None))


# Private streams are offered where the venue has them; every other call, every venue.
OPTIONAL = {"watch_orders", "watch_my_trades", "fetch_my_trades"}


def test_every_contract_call_is_implemented(venue):
    cls = type(exchanges.create(venue.VENUE_ID))
    missing = [c for c in CONTRACT_CALLS if not cls.has[c] and c not in OPTIONAL]
    assert not missing, f"{venue.VENUE_ID} lacks {missing}"


async def test_public_data_has_the_contract_shapes(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls) as ex:
            markets = await ex.load_markets()
            m = markets[venue.SYMBOL]
            assert isinstance(m, Market) and m.symbol == f"{m.base}/{m.quote}"
            assert isinstance(m.price_increment, Decimal) and m.price_increment > 0
            assert isinstance(m.amount_increment, Decimal) and m.amount_increment > 0
            assert isinstance(m.min_amount, MONEY_OR_NONE)

            t = await ex.fetch_ticker(venue.SYMBOL)
            assert isinstance(t, Ticker) and t.symbol == venue.SYMBOL
            for field in ("bid", "ask", "last", "high", "low", "open", "base_volume"):
                assert isinstance(getattr(t, field), MONEY_OR_NONE), field
            assert t.last is not None

            tickers = await ex.fetch_tickers()
            assert venue.SYMBOL in tickers

            book = await ex.fetch_order_book(venue.SYMBOL)
            assert isinstance(book, OrderBook) and book.bids and book.asks
            assert all(isinstance(p, Decimal) and isinstance(a, Decimal)
                       for p, a in book.bids + book.asks)
            assert [p for p, _ in book.bids] == sorted((p for p, _ in book.bids), reverse=True)
            assert [p for p, _ in book.asks] == sorted(p for p, _ in book.asks)
            assert book.bids[0][0] < book.asks[0][0]

            candles = await ex.fetch_ohlcv(venue.SYMBOL, "1h")
            assert candles and all(isinstance(c, Candle) for c in candles)
            assert [c.timestamp for c in candles] == sorted(c.timestamp for c in candles)
            assert all(c.low <= min(c.open, c.close) and c.high >= max(c.open, c.close)
                       for c in candles)

            trades = await ex.fetch_trades(venue.SYMBOL)
            assert trades and all(isinstance(x, Trade) for x in trades)
            assert [x.timestamp for x in trades] == sorted(x.timestamp for x in trades)


def resting_order_terms(market: Market, book: OrderBook) -> tuple[Decimal, Decimal]:
    """A buy far below the market that rests, at the market's increments and minimums."""
    price = round_to(book.bids[0][0] * Decimal("0.8"), market.price_increment)
    amount = market.min_amount or market.amount_increment
    if market.min_cost is not None and amount * price < market.min_cost:
        amount = round_to(market.min_cost / price, market.amount_increment, ROUND_UP)
    return price, round_to(max(amount, market.amount_increment) * 2, market.amount_increment,
                           ROUND_UP)


async def test_order_lifecycle(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            market = (await ex.load_markets())[venue.SYMBOL]
            balance = await ex.fetch_balance()
            assert balance and all(isinstance(b, Balance) for b in balance.values())
            price, amount = resting_order_terms(market, await ex.fetch_order_book(venue.SYMBOL))
            order = await ex.create_order(venue.SYMBOL, "buy", "limit", amount, price)
            assert isinstance(order, Order) and order.side == "buy" and order.type == "limit"
            assert order.client_order_id and order.symbol == venue.SYMBOL
            open_ids = {o.id for o in await ex.fetch_open_orders(venue.SYMBOL)}
            assert order.id in open_ids
            fetched = await ex.fetch_order(order.id, venue.SYMBOL)
            assert fetched.id == order.id and fetched.price == price
            assert fetched.amount == amount
            canceled = await ex.cancel_order(order.id, venue.SYMBOL)
            assert canceled.id == order.id
            open_ids = {o.id for o in await ex.fetch_open_orders(venue.SYMBOL)}
            assert order.id not in open_ids
            assert (await ex.fetch_order(order.id, venue.SYMBOL)).status == "canceled"


async def test_wrong_secret_is_refused_as_authentication_error(venue):
    creds = venue.CREDENTIALS
    if venue.VENUE_ID == "coinbase":
        from tests.fakes.coinbase import new_key_pair
        bad = exchanges.Credentials(api_key=creds.api_key, secret=new_key_pair()[0])
    else:
        bad = exchanges.Credentials(api_key=creds.api_key, secret=creds.secret[::-1] + "x",
                                    passphrase=creds.passphrase)
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls, credentials=bad) as ex:
            with pytest.raises(exchanges.AuthenticationError) as info:
                await ex.fetch_balance()
    assert venue.VENUE_ID.lower() in str(info.value).lower() or \
        type(ex).name.lower() in str(info.value).lower()


async def test_unknown_symbol_is_bad_symbol_and_sends_nothing_private(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            with pytest.raises(exchanges.BadSymbol):
                await ex.create_order("NOPE/COIN", "buy", "limit", "1", "1")
            with pytest.raises(exchanges.InvalidOrder):
                await ex.create_order(venue.SYMBOL, "buy", "limit", "-1", "1")
    assert not any(s.method in ("POST", "DELETE") for s in fake.seen)
