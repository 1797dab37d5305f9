"""No order twice, none lost: seeded random faults on order placement across every venue.

Each injection hits one order request: the venue handles it and the connection drops before
the reply, or the reply is delayed past the client's timeout, or a 502 replaces the reply after
the venue handled it, or a 502 comes before the venue saw it. The adapter must never re-send;
it reconciles by client order id. Afterwards the venue's open orders are compared with what
the client believes: no client id twice (0 duplicates), and every order the venue holds is
one the client returned or flagged as unknown (0 lost), with every unknown one resolved by a
later lookup.
"""
from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest

import exchanges
from exchanges.core.ratelimit import RateLimiter
from tests.exchanges.test_all_venues import resting_order_terms
from tests.exchanges.venue_fakes import VENUES as ALL_VENUES

# Venues that place orders (one that declares no create_order has nothing to lose or double).
VENUES = [v for v in ALL_VENUES if type(exchanges.create(v.VENUE_ID)).has["create_order"]]

TOTAL_INJECTIONS = 1000
PER_VENUE = -(-TOTAL_INJECTIONS // max(1, len(VENUES)))
KINDS = ("none", "drop", "delay", "502_after", "502_before")


async def run_venue(venue) -> Counter:
    rng = random.Random(f"order-safety-{venue.VENUE_ID}")
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            ex.transport.timeout = 0.15
            ex.transport.limiter = RateLimiter(100_000, 1.0)   # the venue's pacing is not tested here
            ex.reconcile_delay = 0.02
            ex.reconcile_attempts = 4
            market = (await ex.load_markets())[venue.SYMBOL]
            price, amount = resting_order_terms(market,
                                                await ex.fetch_order_book(venue.SYMBOL))
            # Learn which request places an order on this venue.
            before = len(fake.seen)
            first = await ex.create_order(venue.SYMBOL, "buy", "limit", amount, price)
            order_req = next(s for s in fake.seen[before:] if s.method == "POST"
                             or "order" in s.path.lower())
            is_order = (lambda r: r.method == order_req.method and r.path == order_req.path)

            armed = {"kind": "none"}

            def once(kind):
                def predicate(request):
                    if armed["kind"] == kind and is_order(request):
                        armed["kind"] = "none"
                        return True
                    return False
                return predicate
            fake.faults.drop_after_accept = once("drop")
            fake.faults.delay = 0.25
            fake.faults.delay_if = once("delay")
            fake.faults.status_after_if = lambda r: 502 if once("502_after")(r) else None
            fake.faults.status_if = lambda r: 502 if once("502_before")(r) else None

            placed = {first.client_order_id}
            unknown: set[str] = set()
            kinds = Counter()
            for _ in range(PER_VENUE):
                kind = rng.choice(KINDS)
                kinds[kind] += 1
                armed["kind"] = kind
                cid = ex.new_client_order_id()
                try:
                    order = await ex.create_order(venue.SYMBOL, "buy", "limit", amount, price,
                                                  client_order_id=cid)
                except exchanges.OrderStatusUnknown as exc:
                    assert exc.client_order_id == cid
                    unknown.add(cid)
                else:
                    assert order.client_order_id == cid
                    placed.add(cid)
            await asyncio.sleep(0.4)        # let delayed requests land at the venue
            fake.faults = type(fake.faults)()

            held = Counter(o.client_order_id for o in await ex.fetch_open_orders(venue.SYMBOL))
            duplicates = [cid for cid, n in held.items() if n > 1]
            lost = [cid for cid in held if cid not in placed and cid not in unknown]
            phantom = [cid for cid in placed if cid not in held]
            assert not duplicates, f"{venue.VENUE_ID}: orders sent twice: {duplicates[:3]}"
            assert not lost, f"{venue.VENUE_ID}: orders the client lost track of: {lost[:3]}"
            assert not phantom, f"{venue.VENUE_ID}: returned but not at the venue: {phantom[:3]}"
            # Every unknown one is settled by a later lookup, matching the venue.
            for cid in unknown:
                found = await ex.find_order_by_client_id(market, cid)
                assert (found is not None) == (cid in held), cid
            # The faults really happened and really produced unknown outcomes.
            assert kinds["drop"] and kinds["delay"] and kinds["502_before"]
            assert unknown
            kinds["unknown"] = len(unknown)
            return kinds


@pytest.mark.timeout(300)
async def test_seeded_faults_never_duplicate_or_lose_an_order():
    # Venues run side by side (each one's orders stay strictly sequential).
    results = await asyncio.gather(*(run_venue(v) for v in VENUES))
    total = sum(sum(n for k, n in r.items() if k in KINDS) for r in results)
    assert total >= TOTAL_INJECTIONS


FILL_KINDS = ("market_drop", "market_502_after", "limit_garbled", "market_garbled")


async def run_fills(venue, rounds: int) -> Counter:
    """Orders that fill at once, or whose success reply cannot be read: the reply is lost
    after the fill, replaced by a 502, or garbled. The venue's own record decides."""
    rng = random.Random(f"order-safety-fills-{venue.VENUE_ID}")
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            ex.transport.timeout = 0.15
            ex.transport.limiter = RateLimiter(100_000, 1.0)
            ex.reconcile_delay = 0.02
            ex.reconcile_attempts = 4
            market = (await ex.load_markets())[venue.SYMBOL]
            price, amount = resting_order_terms(market,
                                                await ex.fetch_order_book(venue.SYMBOL))
            await ex.fetch_balance()
            armed = {"on": False}

            def once(request):          # the next write is the order
                if armed["on"] and request.method in ("POST", "PUT"):
                    armed["on"] = False
                    return True
                return False
            known: dict[str, str] = {}          # cid → "placed" | "unknown"
            kinds = Counter()
            for _ in range(rounds):
                kind = rng.choice(FILL_KINDS)
                kinds[kind] += 1
                fake.faults = type(fake.faults)()
                if kind == "market_drop":
                    fake.faults.drop_after_accept = once
                elif kind == "market_502_after":
                    fake.faults.status_after_if = lambda r: 502 if once(r) else None
                else:
                    fake.faults.garble_if = once
                armed["on"] = True
                cid = ex.new_client_order_id()
                market_order = kind.startswith("market")
                try:
                    order = await ex.create_order(
                        venue.SYMBOL, "buy", "market" if market_order else "limit", amount,
                        None if market_order else price, client_order_id=cid)
                except exchanges.OrderStatusUnknown as exc:
                    assert exc.client_order_id == cid
                    known[cid] = "unknown"
                else:
                    assert order.client_order_id == cid
                    if market_order:
                        assert order.status == "closed" and order.filled == amount, order
                    known[cid] = "placed"
                assert not armed["on"], f"{venue.VENUE_ID}: the {kind} fault never fired"
            fake.faults = type(fake.faults)()
            held = Counter(o.cid for o in fake.store.orders.values() if o.cid in known)
            duplicates = [cid for cid, n in held.items() if n > 1]
            lost = [o.cid for o in fake.store.orders.values() if o.cid and o.cid not in known]
            phantom = [cid for cid, how in known.items() if how == "placed" and not held[cid]]
            assert not duplicates, f"{venue.VENUE_ID}: orders sent twice: {duplicates[:3]}"
            assert not lost, f"{venue.VENUE_ID}: orders the client lost track of: {lost[:3]}"
            assert not phantom, f"{venue.VENUE_ID}: returned but not at the venue: {phantom[:3]}"
            for cid, how in known.items():
                if how == "unknown":
                    found = await ex.find_order_by_client_id(market, cid)
                    assert (found is not None) == bool(held[cid]), cid
            return kinds


@pytest.mark.timeout(300)
async def test_fills_and_unreadable_replies_never_duplicate_or_lose_an_order():
    results = await asyncio.gather(*(run_fills(v, 40) for v in VENUES))
    for r in results:
        assert all(r[k] for k in FILL_KINDS), r
