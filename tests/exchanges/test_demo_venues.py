"""Several simulated venues side by side: one price path, different premiums, quotes, fees."""
from __future__ import annotations

from decimal import Decimal as D

import exchanges
from exchanges.crossvenue import published_taker_fee
from exchanges.demo.venue import DEMO_VENUES

T0 = 1_700_000_000_000


def fixed(venue: str):
    return exchanges.create(venue, clock=lambda: T0)


async def test_each_demo_venue_has_its_own_quote_markets_and_fees():
    assert DEMO_VENUES == ("demo", "demo-b", "demo-c")
    async with fixed("demo") as a, fixed("demo-b") as b, fixed("demo-c") as c:
        assert "BTC/USD" in await a.load_markets()
        assert set(await b.load_markets()) == {"BTC/USDT", "ETH/USDT", "SOL/USDT", "DOGE/USDT"}
        assert set(await c.load_markets()) == {"BTC/USD", "ETH/USD", "SOL/USD"}
        fees = [published_taker_fee(x) for x in (a, b, c)]
        assert fees == [D("0.001"), D("0.00075"), D("0.002")]
        assert (await b.fetch_balance())["USDT"].total == D(100_000)
        assert "USD" not in await b.fetch_balance()
        # the user's fills are charged the venue's published fee
        order = await b.create_order("BTC/USDT", "buy", "market", D("0.01"))
        assert order.fee == order.filled * order.average * D("0.00075")


async def test_the_venues_follow_one_price_and_differ_by_a_few_basis_points():
    async with fixed("demo") as a, fixed("demo-b") as b, fixed("demo-c") as c:
        for step in range(400):
            if step % 50 == 0:
                mids = []
                for ex, sym in ((a, "BTC/USD"), (b, "BTC/USDT"), (c, "BTC/USD")):
                    t = await ex.fetch_ticker(sym)
                    mids.append((t.bid + t.ask) / 2)
                gaps = [abs(m - mids[0]) * 10_000 / mids[0] for m in mids[1:]]
                assert all(g < 40 for g in gaps), (step, gaps)
                assert len(set(mids)) == 3, "each venue quotes its own price"
            for ex in (a, b, c):
                ex.step()


async def test_a_cross_venue_book_exists_offline():
    async with fixed("demo") as a, fixed("demo-b") as b, fixed("demo-c") as c:
        books = {"demo": await a.fetch_order_book("BTC/USD"),
                 "demo-b": await b.fetch_order_book("BTC/USDT"),
                 "demo-c": await c.fetch_order_book("BTC/USD")}
        fees = {x.id: published_taker_fee(x) for x in (a, b, c)}
        book = exchanges.consolidated_book(books, fees=fees)
        assert {lv[2] for lv in book.asks[:40]} == {"demo", "demo-b", "demo-c"}
        # more than the best venue holds: the walk goes on to the others
        first = book.asks[0][2]
        size = sum(q for p, q in books[first].asks) + 1
        plan = exchanges.plan_fill(book, "buy", size)
        assert sum(plan.by_venue.values()) == size and len(plan.by_venue) >= 2
