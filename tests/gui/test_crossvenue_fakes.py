"""The cross-venue views on the reference venues' fake servers running together: every venue
listing BTC/USD or BTC/USDT joins one consolidated book, the spread board, the walk for size N
and a cross-venue alert, through the same session the app uses."""
from __future__ import annotations

import contextlib
from decimal import Decimal

import exchanges
from exchanges.crossvenue import quote_family
from gui.crossvenue import STRICT, CrossVenue
from gui.models.spreads import SpreadModel
from gui.models.watchlist import WatchlistModel
from gui.session import Session
from gui.watchlist import ANY, Item, Rule
from tests.exchanges.venue_fakes import VENUES as ALL_VENUES

# The issue's scenario: the six reference venues' fake servers running together.
REFERENCE = {"binance", "coinbase", "kraken", "bitstamp", "bitfinex", "okx"}
VENUES = [v for v in ALL_VENUES if v.VENUE_ID in REFERENCE]

from .test_real_venues import until


def test_the_reference_venues_together_make_one_cross_venue_book(aloop, qtbot, tmp_path):
    async def scenario():
        async with contextlib.AsyncExitStack() as stack:
            fakes = {v.VENUE_ID: await stack.enter_async_context(v.FAKE()) for v in VENUES}
            session = Session(factory=lambda vid: exchanges.create(vid, urls=fakes[vid].urls),
                              flush_ms=40, poll_seconds=0.3)
            from gui.fees import FeeTable
            cv = CrossVenue(session, fees=FeeTable(tmp_path / "fees.json"))
            board = SpreadModel(cv)
            alerts = WatchlistModel([Item(ANY, "BTC/USD",
                                          [Rule("spread", "0.01", venues=(ANY, ANY))])])
            alerts.fee_of = lambda venue: cv.fee(venue)[0]
            session.tickers.connect(alerts.on_tickers)
            fired: list[str] = []
            alerts.alert.connect(fired.append)
            try:
                for vid in fakes:
                    await session.open_venue(vid)
                cv.set_pair("BTC", "USD")
                want = {v.VENUE_ID for v in VENUES if v.SYMBOL.split("/")[1]
                        in quote_family("USD")}
                await until(lambda: {m.venue for m in cv.members} == want, 15,
                            "every venue's BTC market")
                await until(lambda: set(cv.books) == {m.key for m in cv.members}
                            and not cv.stale_keys(), 20, "every venue's book, live")
                # a venue listing the pair in two quotes joins twice ("bitfinex USDT"); a
                # market whose book is empty (this fake's BTC/USD at Bitfinex) adds no level;
                # the consolidated book is rebuilt at most every REBUILD_MS
                def levels():
                    return {lv[2] for lv in cv.consolidated.bids + cv.consolidated.asks} \
                        if cv.consolidated else set()
                await until(lambda: levels() == {k for k, b in cv.books.items()
                                                 if b.bids or b.asks}, 5,
                            "every venue with a book in the consolidated book")
                book = cv.consolidated
                venues = levels()
                assert {k.split()[0] for k in venues} == want and "bitfinex USDT" in venues
                assert [lv[0] for lv in book.asks] == sorted(lv[0] for lv in book.asks)
                # each venue's fee is the published one or the base-tier default, per level
                for effective, _amount, key, price in book.asks[:10]:
                    assert effective == price * (1 + cv.fee(key)[0])
                plan, _ = cv.plan("buy", Decimal("0.001"))
                assert sum(plan.by_venue.values()) == Decimal("0.001")
                assert board.rowCount() == len(cv.members)
                # the fakes quote BTC from 30,000 (kraken) to 73,000: far apart after any fee
                await until(lambda: fired, 10, "the spread alert")
                assert "after fees" in fired[0] and alerts.items[0].edge > 1000
                # strictly USD: only the USD venues stay
                cv.set_mode(STRICT)
                assert {m.quote for m in cv.members} == {"USD"}
            finally:
                await session.close()
    aloop.run(scenario(), 60)
