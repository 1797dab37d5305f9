"""The shared strictly increasing nonce source."""
from __future__ import annotations

import threading

from exchanges.core.nonce import IncreasingNonce


def test_follows_the_clock_when_it_advances():
    now = [1_000]
    n = IncreasingNonce(lambda: now[0])
    assert n() == 1_000
    now[0] = 5_000
    assert n() == 5_000


def test_increases_under_a_fixed_or_backward_clock():
    now = [1_000]
    n = IncreasingNonce(lambda: now[0])
    assert [n(), n(), n()] == [1_000, 1_001, 1_002]
    now[0] = 10      # the clock stepped back (NTP): still above the last nonce
    assert n() == 1_003


def test_scale_and_start():
    n = IncreasingNonce(lambda: 7, scale=1000, start=9_000)
    assert n() == 9_001
    n2 = IncreasingNonce(lambda: 7, scale=1000)
    assert n2() == 7_000


def test_unique_across_threads():
    n = IncreasingNonce(lambda: 1)
    seen: list[int] = []
    lock = threading.Lock()

    def work():
        got = [n() for _ in range(500)]
        with lock:
            seen.extend(got)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 2_000
