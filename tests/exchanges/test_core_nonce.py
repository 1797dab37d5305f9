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


def test_persistent_nonce_survives_a_restart_and_a_clock_that_went_back(tmp_path, monkeypatch):
    from exchanges.core.nonce import nonce_for
    monkeypatch.setenv("EXCHANGE_ATLAS_STATE_DIR", str(tmp_path))
    first = nonce_for("kraken", "key-abc-123456", lambda: 1_000)
    assert [first(), first()] == [1_000, 1_001]
    # A new process (a new source), whose clock is now behind the last nonce sent.
    again = nonce_for("kraken", "key-abc-123456", lambda: 500)
    assert again() == 1_002
    files = list((tmp_path / "nonces").iterdir())
    assert len(files) == 1 and "key-abc" not in files[0].name      # named by a hash only
    other = nonce_for("kraken", "another-key-999", lambda: 500)
    assert other() == 500                                            # per key


def test_unwritable_state_dir_still_increases(tmp_path, monkeypatch, caplog):
    from exchanges.core.nonce import nonce_for
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("EXCHANGE_ATLAS_STATE_DIR", str(blocker))
    n = nonce_for("bitfinex", "key-abc-123456", lambda: 7, scale=1000)
    assert [n(), n()] == [7_000, 7_001]
    assert "could not save the last nonce" in caplog.text
