"""The reference venues in the app: each connects through the same session the exchange tree
uses, against its local fake server — public data without keys, and with keys in the keychain
balances, orders and cancel; drops, rate limits and big venues handled as a trader expects.

Each scenario runs inside one `aloop.run(...)`, so the qasync loop keeps running for its whole
length (tasks never step while the loop is stopped between test lines)."""
from __future__ import annotations

import asyncio
import time

import pytest

import exchanges
from gui.session import Session
from tests.exchanges.venue_fakes import IDS, VENUES


async def until(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def run_with_fake(aloop, fake, scenario, timeout: float = 40.0) -> None:
    async def main():
        async with fake:
            await scenario(fake)
    aloop.run(main(), timeout)


def public_session(fake, **kw) -> Session:
    return Session(factory=lambda _id: exchanges.create(_id, urls=fake.urls), flush_ms=40,
                   **kw)


@pytest.mark.parametrize("venue", VENUES, ids=IDS)
def test_venue_connects_with_public_data(venue, aloop, qtbot):
    async def scenario(fake):
        session = public_session(fake, poll_seconds=0.2)
        ticks, books, states = {}, [], []
        session.tickers.connect(ticks.update)
        session.book.connect(lambda v, s, b: books.append((v, s, b)))
        session.status.connect(lambda v, st, d: states.append(st))
        try:
            opened = await session.open_venue(venue.VENUE_ID)
            assert opened == venue.VENUE_ID
            await until(lambda: (opened, venue.SYMBOL) in ticks, 10, f"a {venue.SYMBOL} tick")
            assert ticks[(opened, venue.SYMBOL)].last is not None
            session.select(opened, venue.SYMBOL)
            await until(lambda: any(b[1] == venue.SYMBOL and b[2].bids for b in books), 10,
                        "the order book")
            book = next(b[2] for b in books if b[1] == venue.SYMBOL and b[2].bids)
            assert book.bids[0][0] < book.asks[0][0]
            assert "live" in states and "error" not in states
        finally:
            await session.close()
    run_with_fake(aloop, venue.FAKE(), scenario)


def test_a_rate_limited_venue_says_so_and_recovers(aloop, qtbot):
    """A 429 shows "rate limited, retrying in N s", then the venue is live again."""
    from gui.statusbar import describe
    from tests.fakes.binance import FakeBinance

    async def scenario(fake):
        limited = {"n": 0}

        def once_429(request):
            if request.path == "/api/v3/ticker/24hr" and limited["n"] == 0:
                limited["n"] += 1
                return 429
            return None
        fake.faults.status_if = once_429
        session = public_session(fake, poll_seconds=0.2)
        states: list = []
        session.status.connect(lambda v, st, d: states.append((st, d)))
        try:
            await session.open_venue("binance")
            await until(lambda: any(st == "rate_limited" for st, _ in states), 10, "rate limited")
            st, detail = next(x for x in states if x[0] == "rate_limited")
            assert "rate limited, retrying in" in detail
            assert describe("binance", st, detail, None)[0].startswith("binance: rate limited")
            await until(lambda: session.states["binance"].state == "live", 15, "live again")
            assert not any(st == "error" for st, _ in states)
        finally:
            await session.close()
    run_with_fake(aloop, FakeBinance(), scenario)


@pytest.mark.parametrize("venue", VENUES, ids=IDS)
def test_a_dropped_stream_shows_reconnecting_then_live(venue, aloop, qtbot):
    public = exchanges.create(venue.VENUE_ID)
    if not (public.has["watch_ticker"] or public.has["watch_order_book"]):
        pytest.skip(f"{venue.VENUE_ID} streams nothing without keys (the app polls it)")

    async def scenario(fake):
        session = public_session(fake)
        states: list = []
        ticks: dict = {}
        session.status.connect(lambda v, st, d: states.append(st))
        session.tickers.connect(ticks.update)
        try:
            opened = await session.open_venue(venue.VENUE_ID)
            await until(lambda: (opened, venue.SYMBOL) in ticks, 10, "a tick")
            # The selected book streams on every venue (some stream no tickers: CEX.IO, Coincheck)
            session.select(opened, venue.SYMBOL)
            await until(lambda: fake.ws_clients, 10, "a websocket client")
            states.clear()
            await fake.drop_ws()
            await until(lambda: "reconnecting" in states, 10, "reconnecting shown")
            # Frames read before the drop may still be on their way to the session: the second
            # connection is what says the stream is back.
            await until(lambda: fake.ws_connections >= 2
                        and session.states[opened].state == "live", 10, "reconnected, live")
        finally:
            await session.close()
    run_with_fake(aloop, venue.FAKE(), scenario)


def test_the_log_dock_never_shows_a_secret(qtbot):
    import logging

    from exchanges.redact import register_secrets
    from gui.views.log import LogView
    view = LogView()
    qtbot.addWidget(view)
    register_secrets("dock-secret-value-42")
    logging.getLogger("exchanges").warning("signed with %s", "dock-secret-value-42")
    qtbot.waitUntil(lambda: "signed with" in view.toPlainText(), timeout=2000)
    assert "dock-secret-value-42" not in view.toPlainText() and "***" in view.toPlainText()
    view.shutdown()


@pytest.mark.parametrize("venue", VENUES, ids=IDS)
def test_with_keys_in_the_keychain_balances_orders_and_cancel_work(venue, aloop, qtbot):
    """Keys stored in the (test) keychain: the app's own opener uses them, and balances, order
    entry, open orders and cancel run through the same Trading object as on the demo."""
    from gui import secrets
    from gui.trading import OrderRequest, Trading
    from tests.exchanges.test_all_venues import resting_order_terms
    creds = venue.CREDENTIALS
    secrets.save(venue.VENUE_ID, creds.api_key, creds.secret, creds.passphrase, creds.uid)
    skipped: list[str] = []

    async def scenario(fake):
        session = Session(factory=lambda _id: secrets.create(_id, urls=fake.urls), flush_ms=40)
        trading = Trading(session, poll_seconds=0.2)
        balances: dict = {}
        open_orders: dict = {}
        trading.balances.connect(balances.__setitem__)
        trading.orders.connect(open_orders.__setitem__)
        try:
            opened = await session.open_venue(venue.VENUE_ID)
            adapter = session.adapters[opened]
            assert adapter.credentials is not None
            await until(lambda: balances.get(opened), 10, "balances")
            if not adapter.has["create_order"]:     # declared absent (Bit2C)
                await until(lambda: opened in open_orders, 10, "open orders")
                skipped.append(adapter.lacks["create_order"])
                return
            market = (await adapter.load_markets())[venue.SYMBOL]
            price, amount = resting_order_terms(market,
                                                await adapter.fetch_order_book(venue.SYMBOL))
            state, order = await trading.place(
                OrderRequest(opened, venue.SYMBOL, "buy", "limit", amount, price))
            assert state == "placed" and order is not None

            def listed():
                return any(o.id == order.id for o in open_orders.get(opened, []))
            await until(listed, 10, "the order among open orders")
            assert await trading.cancel(opened, order)
            await until(lambda: not listed(), 10, "the order gone from open orders")
        finally:
            trading.stop()
            await session.close()
    run_with_fake(aloop, venue.FAKE(), scenario)
    if skipped:
        pytest.skip(f"{venue.VENUE_ID} places no orders: {skipped[0]}")


def test_depth_chart_is_centred_on_the_mid_price():
    from decimal import Decimal as D

    from gui.widgets.depth import centred
    bids = [(D("100"), D("1")), (D("99"), D("1")), (D("60"), D("5"))]      # one far-away bid
    asks = [(D("101"), D("1")), (D("102"), D("2")), (D("103"), D("1"))]
    b, a = centred(bids, asks)
    assert b == bids[:2] and a == asks
    assert centred([], asks) == ([], asks)


def test_every_symbol_of_a_big_venue_reaches_the_board(aloop, qtbot):
    """300 symbols, 10 streamed (the most traded), the rest refreshed by all-tickers polling."""
    from tests.fakes.binance import FakeBinance

    def all_ticker_calls(fake) -> int:
        return sum(1 for s in fake.seen if s.path == "/api/v3/ticker/24hr" and not s.query_string)

    async def scenario(fake):
        session = public_session(fake, poll_seconds=0.2, max_symbols=10)
        ticks: dict = {}
        session.tickers.connect(ticks.update)
        try:
            await session.open_venue("binance")
            await until(lambda: session.states["binance"].markets, 10, "markets")
            active = {s for s, m in session.states["binance"].markets.items() if m.active}
            assert len(active) > 300
            await until(lambda: {s for _, s in ticks} >= active, 10, "every symbol on the board")
            polled = all_ticker_calls(fake)
            await until(lambda: all_ticker_calls(fake) > polled, 5, "a second all-tickers poll")
            await until(lambda: fake.ws_received, 5, "subscriptions")
            await asyncio.sleep(0.3)
            subscribed = {p for m in fake.ws_received if isinstance(m, dict)
                          and m.get("method") == "SUBSCRIBE"
                          for p in m.get("params", []) if p.endswith("@ticker")}
            assert len(subscribed) == 10
        finally:
            await session.close()
    run_with_fake(aloop, FakeBinance(extra_symbols=300), scenario)
