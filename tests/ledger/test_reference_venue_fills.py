"""Fills from every reference venue's fake server reach the ledger through the real adapter and
FillSync: each fill once, with its fee and fee currency, again and again as new ones come.

The fake servers keep the account's fills in the kit's OrderStore; each venue's route answers
with the venue's own reply shape and paging (tests/fakes/<venue>.py), so what lands in the
ledger went through the adapter's request, paging and parser exactly as against the venue.
"""
from __future__ import annotations

import time
from collections import Counter

import pytest

import exchanges
from gui.ledger.store import FillFilter, open_ledger
from gui.ledger.sync import FillSync
from tests.exchanges.test_all_venues import resting_order_terms
from tests.fakes import binance, bitfinex, bitstamp, coinbase, kraken, okx

REFERENCE = [binance, okx, kraken, coinbase, bitstamp, bitfinex]


@pytest.fixture
def ledger(tmp_path):
    led = open_ledger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def truth(fake) -> Counter:
    """The venue's own record of the account's fills (the fake's store)."""
    return Counter((f.time, f.side, f.price, f.amount, f.fee) for f in fake.store.fills)


def kept(ledger, venue_id) -> Counter:
    return Counter((f.timestamp, f.side, f.price, f.amount, f.fee)
                   for f in ledger.fills(FillFilter(venue=venue_id)))


@pytest.mark.parametrize("venue", REFERENCE, ids=[v.VENUE_ID for v in REFERENCE])
async def test_every_fill_of_a_reference_venue_reaches_the_ledger_once(venue, ledger):
    async with venue.FAKE() as fake:
        # the venue's clock moves a second per event, an hour ago onwards
        ticks = iter(range(time.time_ns() // 1_000_000 - 3_600_000, 1 << 62, 1000))
        fake.store.clock = lambda: next(ticks)
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            assert ex.has["fetch_my_trades"]
            market = (await ex.load_markets())[venue.SYMBOL]
            sync = FillSync(ledger, venue.VENUE_ID, ex, symbols=lambda: [venue.SYMBOL])
            price, amount = resting_order_terms(market, await ex.fetch_order_book(venue.SYMBOL))
            taker = await ex.create_order(venue.SYMBOL, "buy", "market", amount)
            maker = await ex.create_order(venue.SYMBOL, "buy", "limit", amount, price)
            fake.store.fill(maker.id)
            first = len(fake.store.fills)
            assert await sync.sync_once() == first
            assert await sync.sync_once() == 0                  # nothing twice

            later = await ex.create_order(venue.SYMBOL, "buy", "limit", amount, price)
            fake.store.fill(later.id, amount / 2)
            fake.store.fill(later.id)
            assert await sync.sync_once() == 2
            assert await sync.sync_once() == 0

            stored = ledger.fills(FillFilter(venue=venue.VENUE_ID))
            assert kept(ledger, venue.VENUE_ID) == truth(fake)
            assert ledger.count_fills(FillFilter(venue=venue.VENUE_ID)) == len(fake.store.fills)
            assert len({f.fill_id for f in stored}) == len(stored)
            assert {f.symbol for f in stored} == {venue.SYMBOL}
            assert {f.fee_currency for f in stored} == {market.quote}
            assert all(f.fee is not None and f.fee > 0 for f in stored)
            by_order = Counter(f.order_id for f in stored)
            assert by_order[maker.id] == 1 and by_order[later.id] == 2
            assert by_order[taker.id] == len(fake.store.orders[taker.id].fills)
            # where the venue says which side of the book a fill took (all but Bitstamp)
            roles = {f.order_id: f.taker_or_maker for f in stored}
            if venue.VENUE_ID != "bitstamp":
                assert roles[taker.id] == "taker" and roles[maker.id] == "maker"
