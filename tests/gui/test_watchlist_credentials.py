"""Watchlist alerts on the demo, its persistence, and credentials kept in the keychain only."""
from __future__ import annotations

import logging
from decimal import Decimal

import keyring
from keyring.backends import fail

from exchanges import Credentials
from gui import secrets, watchlist
from gui.credentials import CredentialsDialog, check
from gui.models.watchlist import WatchlistModel

from .test_trading import ui

D = Decimal


def _watch(w, aloop, pair: str):
    view = w.views["watchlist"]
    view.pair.setText(pair)
    ui(aloop, view.add_current)
    return view


def test_alert_fires_when_the_demo_price_crosses_it(window_factory, aloop, caplog):
    w = window_factory()
    aloop.run(w.start(restore=False))
    view = _watch(w, aloop, "BTC/USD@demo")
    item = view.model.items[0]
    aloop.until(lambda: item.last is not None, what="a BTC/USD price")
    start = item.last
    band = D("0.0002") * start           # about 13 USD either side
    for kind, level in (("above", start + band), ("below", start - band)):
        view.kind.setCurrentIndex(view.kind.findData(kind))
        view.value.setText(f"{level:.2f}")
        ui(aloop, view.add_alert)
    assert "≥" in view.model.index(0, 2).data() and "≤" in view.model.index(0, 2).data()
    alerts = []
    view.model.alert.connect(alerts.append)
    adapter = w.session.adapters["demo"]
    caplog.set_level(logging.INFO, "gui.alerts")

    def stepped():
        adapter.step(5)                  # drive the simulation: the price walks
        return bool(alerts)
    aloop.until(stepped, timeout=15, what="the price crossing a level")
    assert "BTC/USD@demo" in alerts[0] and ("rose to" in alerts[0] or "fell to" in alerts[0])
    assert any("Price alert" in r.getMessage() and "BTC/USD@demo" in r.getMessage()
               for r in caplog.records)
    assert view.model.index(0, 3).data().endswith(alerts[-1])


def test_a_move_rule_fires_once_per_move(qtmodeltester):
    m = WatchlistModel([watchlist.Item("demo", "BTC/USD",
                                       [watchlist.Rule("move", D("2"), 300)])], clock=lambda: 0)
    fired = []
    m.alert.connect(fired.append)
    now = [0.0]
    m.clock = lambda: now[0]
    from exchanges import Ticker
    for t, price in ((0, "100"), (60, "101"), (120, "102.5"), (130, "102.6"), (300, "99")):
        now[0] = t
        m.on_tickers({("demo", "BTC/USD"): Ticker("BTC/USD", 0, last=D(price))})
    # +2.5% inside 5 min fires once; the next small tick does not; then 99 is measured from
    # the price the last alert left (102.5), not from the start
    assert len(fired) == 2 and "+2.50%" in fired[0] and "-3.41%" in fired[1]
    m.add("demo", "ETH/USD")
    qtmodeltester.check(m)


def test_watchlist_survives_a_restart(window_factory, aloop):
    w = window_factory()
    view = _watch(w, aloop, "ETH/USD@demo")
    view.kind.setCurrentIndex(view.kind.findData("move"))
    view.value.setText("2")
    view.minutes.setValue(5)
    ui(aloop, view.add_alert)
    _watch(w, aloop, "SOL/USD@demo")
    aloop.run(w.shutdown(save=False))
    again = window_factory().views["watchlist"].model
    assert [(i.venue, i.symbol) for i in again.items] == [("demo", "ETH/USD"),
                                                         ("demo", "SOL/USD")]
    assert again.index(0, 2).data() == "±2% in 5 min · once"     # the re-arm box was empty
    rule = again.items[0].rules[0]
    assert (rule.kind, rule.value, rule.window, rule.rearm) == ("move", D("2"), 300, None)


def test_a_corrupt_watchlist_file_is_moved_aside(window_factory):
    path = watchlist.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"items": [ {"venue": "demo", ', encoding="utf-8")
    view = window_factory().views["watchlist"]
    assert view.model.rowCount() == 0
    assert not path.exists()
    kept = list(path.parent.glob("watchlist.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8").startswith('{"items"')
    assert "kept aside as watchlist.json.corrupt-" in view.note.text()


def test_valid_json_that_is_not_a_watchlist_is_moved_aside_too():
    path = watchlist.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[1, 2, 3]', encoding="utf-8")
    items, problem = watchlist.load()
    assert items == [] and "not a watchlist" in problem and not path.exists()


def test_credentials_go_to_the_keychain_only(window_factory, aloop, memory_keyring,
                                            private_settings, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    w = window_factory()
    dialog = CredentialsDialog(w)
    dialog.venue.setCurrentIndex(dialog.venue.findData("kraken"))
    assert dialog.passphrase.isHidden()                     # Kraken keys have none
    key, secret = "KRAKENKEY-1234567890", "c2VjcmV0LXNlY3JldC1zZWNyZXQ="
    dialog.api_key.setText(key)
    dialog.secret.setText(secret)
    dialog.save()
    assert memory_keyring.store == {("exchange-atlas", "kraken:api_key"): key,
                                    ("exchange-atlas", "kraken:secret"): secret}
    assert secrets.load("kraken") == Credentials(key, secret)
    assert secrets.create("kraken").credentials.api_key == key   # the session's factory
    w.save()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".ini" for p in written)         # QSettings were written …
    for p in written:                                       # … but no key or secret anywhere
        data = p.read_bytes()
        assert key.encode() not in data and secret.encode() not in data, p
    for record in caplog.records:
        assert key not in record.getMessage() and secret not in record.getMessage()
    dialog.venue.setCurrentIndex(dialog.venue.findData("okx"))
    assert not dialog.passphrase.isHidden()                 # OKX keys come with one
    dialog.api_key.setText("k")
    dialog.secret.setText("s")
    dialog.save()
    assert "passphrase" in dialog.result.text()
    assert ("exchange-atlas", "okx:api_key") not in memory_keyring.store
    dialog.close()


def test_test_connection_says_the_result_in_words(aloop):
    ok = aloop.run(check("demo", Credentials("anything", "anything")))
    assert ok.startswith("Connected: the keys work. 5 currencies with a balance")
    no = aloop.run(check("okx", Credentials("key", "secret")))     # refused before any request
    assert no.startswith("Failed:") and "passphrase" in no


def test_without_a_keychain_the_dialog_says_so(window_factory, monkeypatch):
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    dialog = CredentialsDialog(window_factory())
    assert "No system keychain is available" in dialog.problem.text()
    assert not dialog.save_button.isEnabled()
    assert secrets.load("kraken") is None
    dialog.close()


def test_credentials_menu_opens_the_dialog(window_factory, monkeypatch):
    w = window_factory()
    action = next(a for m in w.menuBar().actions() if m.menu() and m.text().replace("&", "") == "Venue"
                  for a in m.menu().actions() if a.text().replace("&", "").startswith("Credentials"))
    opened = []
    monkeypatch.setattr(CredentialsDialog, "open", lambda self: opened.append(self))
    action.trigger()
    assert len(opened) == 1 and opened[0].venue.count() >= 6


def test_a_venue_whose_orders_name_an_account_asks_for_its_id(window_factory, memory_keyring):
    """CEX.IO places orders from a sub-account: the dialog asks for its id, refuses to save
    keys without it, and keeps it in the keychain with them (the adapter's `uid`)."""
    dialog = CredentialsDialog(window_factory())
    dialog.venue.setCurrentIndex(dialog.venue.findData("kraken"))
    assert dialog.account.isHidden()
    dialog.venue.setCurrentIndex(dialog.venue.findData("cex"))
    assert not dialog.account.isHidden() and "sub-account" in dialog.account.placeholderText()
    dialog.api_key.setText("cexio-key-0123456789")
    dialog.secret.setText("cexio-secret-9876543210")
    dialog.save()
    assert "account id" in dialog.result.text() and not memory_keyring.store
    dialog.account.setText(" trading1 ")
    dialog.save()
    assert secrets.load("cex") == Credentials("cexio-key-0123456789", "cexio-secret-9876543210",
                                              uid="trading1")
    assert secrets.create("cex").credentials.uid == "trading1"
    dialog.venue.setCurrentIndex(dialog.venue.findData("kraken"))
    dialog.venue.setCurrentIndex(dialog.venue.findData("cex"))
    assert dialog.account.text() == "trading1"          # shown again from the keychain
    dialog.remove()
    assert not memory_keyring.store
    dialog.close()
