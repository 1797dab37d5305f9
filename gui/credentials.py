"""Venue → Credentials…: API key / secret / passphrase (and an account id where the venue's
orders name one) per venue, kept in the system keychain.

Everything goes through `gui.secrets` (keyring only). "Test connection" opens a fresh adapter
with the typed credentials and asks for the balance; the answer is shown in words. Nothing
typed here is logged. Saving for a connected venue reconnects it so the keys take effect.
"""
from __future__ import annotations

import logging

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout)

import exchanges
from exchanges import Credentials, ExchangeError

from . import secrets

__all__ = ["CredentialsDialog"]

# Where a venue's key and secret are not an obvious pair: (API key hint, secret hint).
_HINTS = {"coinbase": ("CDP API key name (organizations/…/apiKeys/…) or key id",
                       "Private key: EC PEM (ES256), or Ed25519 as base64 or PKCS8 PEM")}

log = logging.getLogger("gui.credentials")


class CredentialsDialog(QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("API credentials")
        self.setMinimumWidth(460)
        self.venue = QComboBox()
        for v in secrets.venues():
            self.venue.addItem(v, v)
        self.api_key = QLineEdit()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_label = QLabel("Passphrase")
        self.account = QLineEdit()
        self.account_label = QLabel("Account id")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.stored = QLabel()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.delete_button = QPushButton("Remove")
        self.delete_button.clicked.connect(self.remove)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        form = QFormLayout()
        form.addRow("Venue", self.venue)
        form.addRow("API key", self.api_key)
        form.addRow("Secret", self.secret)
        form.addRow(self.passphrase_label, self.passphrase)
        form.addRow(self.account_label, self.account)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addLayout(form)
        layout.addWidget(self.stored)
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        self.venue.currentIndexChanged.connect(lambda _i: self._load())
        why = secrets.problem()
        self.problem.setText(why or "Keys are stored in the system keychain only, never in a "
                                    "file. Give them trading rights only; never withdrawals.")
        self.problem.setStyleSheet("color: #c9302c; font-weight: bold;" if why else "")
        self.save_button.setEnabled(why is None)
        self.delete_button.setEnabled(why is None)
        self._load()

    def current(self) -> str:
        return self.venue.currentData() or ""

    def _load(self) -> None:
        venue = self.current()
        needs = secrets.needs_passphrase(venue)
        self.passphrase.setVisible(needs)
        self.passphrase_label.setVisible(needs)
        account = secrets.account_hint(venue)
        self.account.setVisible(account is not None)
        self.account_label.setVisible(account is not None)
        self.account.setPlaceholderText(account or "")
        self.account.setToolTip(account or "")
        key_hint, secret_hint = _HINTS.get(secrets.adapter_id(venue), ("", ""))
        self.api_key.setPlaceholderText(key_hint)
        self.secret.setPlaceholderText(secret_hint)
        self.secret.setToolTip(secret_hint)
        creds = secrets.load(venue) if venue else None
        self.api_key.setText(creds.api_key if creds else "")
        self.secret.setText(creds.secret if creds else "")
        self.passphrase.setText((creds.passphrase or "") if creds else "")
        self.account.setText((creds.uid or "") if creds else "")
        self.stored.setText("Stored in the keychain." if creds else "Nothing stored for this "
                                                                     "venue.")
        self.result.setText("")

    def typed(self) -> Credentials | None:
        key, secret = self.api_key.text().strip(), self.secret.text().strip()
        if not key or not secret:
            return None
        passphrase = self.passphrase.text().strip() if secrets.needs_passphrase(
            self.current()) else ""
        uid = self.account.text().strip() if secrets.account_hint(self.current()) else ""
        return Credentials(api_key=key, secret=secret, passphrase=passphrase or None,
                           uid=uid or None)

    def save(self) -> None:
        venue, creds = self.current(), self.typed()
        if creds is None:
            self.result.setText("Enter both the API key and the secret.")
            return
        if secrets.needs_passphrase(venue) and not creds.passphrase:
            self.result.setText("This venue's keys come with a passphrase: enter it too.")
            return
        if secrets.account_hint(venue) and not creds.uid:
            self.result.setText(f"This venue's orders need an account id: "
                                f"{secrets.account_hint(venue).lower()}.")
            return
        try:
            secrets.save(venue, creds.api_key, creds.secret, creds.passphrase, creds.uid)
        except Exception as exc:       # keyring backends raise their own types
            self.result.setText(f"Could not store the keys: {type(exc).__name__}.")
            return
        self.stored.setText("Stored in the keychain.")
        self.result.setText(f"Saved for {venue}.")
        self._reconnect(venue)

    def remove(self) -> None:
        venue = self.current()
        secrets.delete(venue)
        self._load()
        self.result.setText(f"Removed the keys of {venue}.")
        self._reconnect(venue)

    def _reconnect(self, venue: str) -> None:
        """A connected venue is reopened so that its adapter uses the new keys."""
        session = self.window_.session
        if venue in session.adapters:
            async def again():
                await session.close_venue(venue)
                await self.window_._open_venue(venue)
            self.window_.run(again())

    def test_connection(self) -> None:
        creds = self.typed()
        if creds is None:
            self.result.setText("Enter the API key and the secret to test them.")
            return
        self.test_button.setEnabled(False)
        self.result.setText("Testing…")
        self.window_.run(self._test(self.current(), creds))

    async def _test(self, venue: str, creds: Credentials) -> None:
        try:
            self.result.setText(await check(venue, creds))
        finally:
            self.test_button.setEnabled(True)


async def check(venue: str, creds: Credentials, **kwargs) -> str:
    """Open `venue` with `creds`, fetch the balance, and say what happened."""
    try:
        async with exchanges.create(venue, credentials=creds, **kwargs) as ex:
            balance = await ex.fetch_balance()
    except ExchangeError as exc:
        return f"Failed: {exc.reason}"
    held = sorted(c for c, b in balance.items() if b.total)
    shown = ", ".join(held[:6]) + (" …" if len(held) > 6 else "")
    return (f"Connected: the keys work. {len(held)} currenc{'y' if len(held) == 1 else 'ies'}"
            f" with a balance" + (f" ({shown})." if held else "."))
