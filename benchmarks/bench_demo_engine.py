"""Orders per second of the demo venue's matching engine, against a plain-list reference book.

Both books process the same seeded mixed stream (limit orders around a drifting mid, market
orders, cancels of live orders) in this run; the ratio is engine / reference. The engine does
more work than the reference (it holds and settles funds with fees for every order).

    python benchmarks/bench_demo_engine.py [operations]
"""
from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exchanges.demo.engine import Book, Ledger, NoSuchOrder  # noqa: E402

TICK = Decimal("0.01")
STEP = Decimal("0.0001")


def make_stream(n: int, seed: int = 7) -> list[tuple]:
    """("limit", is_buy, amount, price) / ("market", is_buy, amount) / ("cancel", k): cancel the
    k-th order placed so far (counting from the newest), whether it is still live or not."""
    rng = random.Random(seed)
    mid = 6_500_000
    ops = []
    for _ in range(n):
        mid += rng.randint(-3, 3)
        r = rng.random()
        is_buy = rng.random() < 0.5
        amount = rng.randint(1, 200) * STEP
        if r < 0.55:
            off = int(rng.expovariate(1 / 40))         # most orders near the touch
            ticks = mid - 1 - off if is_buy else mid + 1 + off
            if rng.random() < 0.1:                     # some cross the spread
                ticks = mid + 5 if is_buy else mid - 5
            ops.append(("limit", is_buy, amount, ticks * TICK))
        elif r < 0.70:
            ops.append(("market", is_buy, amount))
        else:
            ops.append(("cancel", rng.randint(0, 200)))
    return ops


def timed(fn):
    """(wall seconds, CPU seconds) of one call: CPU time is the steadier figure on a machine
    that is busy with other work; wall time is what a user would see."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def run_engine(ops: list[tuple]) -> None:
    ledger = Ledger()
    traders = [ledger.open(f"t{i}", maker=Decimal("0.0005"), taker=Decimal("0.001"),
                           limited=False) for i in range(4)]
    book = Book("BTC/USD", "BTC", "USD", ledger)
    placed: list[int] = []
    submit, cancel = book.submit, book.cancel
    for i, op in enumerate(ops):
        kind = op[0]
        if kind == "limit":
            placed.append(submit(traders[i & 3], op[1], op[2], op[3]).id)
        elif kind == "market":
            submit(traders[i & 3], op[1], op[2])
        elif placed:
            try:
                cancel(placed[-1 - op[1] % len(placed)])
            except NoSuchOrder:
                pass
        if len(book.fills) > 1000:
            book.fills.clear()


class ListBook:
    """The reference: each side one Python list of [price, id, remaining], kept sorted by a
    linear scan on insertion; matching takes from the front; cancel searches the list."""

    def __init__(self) -> None:
        self.bids: list[list] = []      # best (highest) first
        self.asks: list[list] = []      # best (lowest) first
        self.next_id = 0
        self.fills = 0

    def submit(self, is_buy: bool, amount: Decimal, price: Decimal | None) -> int:
        self.next_id += 1
        opposite = self.asks if is_buy else self.bids
        while amount and opposite:
            best = opposite[0]
            if price is not None and (best[0] > price if is_buy else best[0] < price):
                break
            q = min(amount, best[2])
            amount -= q
            best[2] -= q
            self.fills += 1
            if not best[2]:
                opposite.pop(0)
        if amount and price is not None:
            side = self.bids if is_buy else self.asks
            i = 0
            if is_buy:
                while i < len(side) and side[i][0] >= price:
                    i += 1
            else:
                while i < len(side) and side[i][0] <= price:
                    i += 1
            side.insert(i, [price, self.next_id, amount])
        return self.next_id

    def cancel(self, oid: int) -> bool:
        for side in (self.bids, self.asks):
            for i, o in enumerate(side):
                if o[1] == oid:
                    del side[i]
                    return True
        return False


def run_reference(ops: list[tuple]) -> None:
    book = ListBook()
    placed: list[int] = []
    for op in ops:
        kind = op[0]
        if kind == "limit":
            placed.append(book.submit(op[1], op[2], op[3]))
        elif kind == "market":
            book.submit(op[1], op[2], None)
        elif placed:
            book.cancel(placed[-1 - op[1] % len(placed)])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    ops = make_stream(n)
    engine = [timed(lambda: run_engine(ops)) for _ in range(3)]
    reference = [timed(lambda: run_reference(ops)) for _ in range(3)]
    mix = {k: sum(1 for o in ops if o[0] == k) for k in ("limit", "market", "cancel")}
    print(f"stream: {n} operations, seed 7 ({mix['limit']} limit, {mix['market']} market, "
          f"{mix['cancel']} cancel); best of 3")
    for what, runs in (("engine (SortedDict levels of deques, funds held and settled)", engine),
                       ("reference (plain sorted lists, no funds)", reference)):
        wall = min(r[0] for r in runs)
        cpu = min(r[1] for r in runs)
        print(f"{what:<62} {n / wall:>10,.0f} orders/s wall  {n / cpu:>10,.0f} orders/s CPU")
    ratio_wall = min(r[0] for r in reference) / min(r[0] for r in engine)
    ratio_cpu = min(r[1] for r in reference) / min(r[1] for r in engine)
    print(f"ratio engine/reference: {ratio_wall:.2f}x wall, {ratio_cpu:.2f}x CPU")


if __name__ == "__main__":
    main()
