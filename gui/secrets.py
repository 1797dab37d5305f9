"""API credentials in the system keychain (via `keyring`) — the ONLY place the app keeps them.

Service "exchange-atlas", usernames "<venue>:api_key", "<venue>:secret", "<venue>:passphrase",
"<venue>:uid" (an account id, where the venue's orders name one).
Never QSettings, never a file, never a log line: functions here return or take values but log
only venue ids. When no keychain backend exists (keyring's `fail.Keyring`), `problem()` says so
in words and nothing is stored.
"""
from __future__ import annotations

import logging

import keyring
from keyring.errors import KeyringError

import exchanges
from exchanges import Credentials
from exchanges.demo.venue import DEMO_VENUES

__all__ = ["SERVICE", "FIELDS", "problem", "load", "save", "delete", "needs_passphrase",
           "account_hint", "adapter_id", "venues", "create"]

log = logging.getLogger("gui.secrets")

SERVICE = "exchange-atlas"
FIELDS = ("api_key", "secret", "passphrase", "uid")
# Venues whose API keys come with a passphrase chosen when the key is made.
_PASSPHRASE_VENUES = frozenset({"okx", "okxus"})
# Venues whose orders name an account besides the key: what that id is, in the venue's words.
_ACCOUNT_VENUES = {"cex": "The id of the Spot Trading sub-account that places the orders"}
# Venues that never take keys (the demo trades without any).
_KEYLESS = frozenset(DEMO_VENUES)


def problem() -> str | None:
    """Why credentials cannot be stored on this machine, or None when a keychain works."""
    try:
        from keyring.backends import fail
        backend = keyring.get_keyring()
    except Exception as exc:          # a broken keyring configuration
        return f"The system keychain could not be opened ({type(exc).__name__})."
    if isinstance(backend, fail.Keyring):
        return ("No system keychain is available (keyring found no backend). Credentials "
                "cannot be stored; install or unlock a keychain such as GNOME Keyring, "
                "KWallet, macOS Keychain or Windows Credential Locker.")
    return None


def adapter_id(exchange_id: str) -> str:
    """Credentials belong to the adapter an id opens (gdax's keys are Coinbase's)."""
    from exchanges.registry import resolve
    try:
        return resolve(exchange_id)
    except exchanges.ExchangeError:
        return exchange_id


def venues() -> list[str]:
    """Adapter ids that can take API keys, sorted."""
    from exchanges.registry import adapter_ids
    return sorted(a for a in adapter_ids() if a not in _KEYLESS)


def needs_passphrase(venue: str) -> bool:
    return adapter_id(venue) in _PASSPHRASE_VENUES


def account_hint(venue: str) -> str | None:
    """What account id `venue`'s orders need besides the key (None: none)."""
    return _ACCOUNT_VENUES.get(adapter_id(venue))


def _user(venue: str, field: str) -> str:
    return f"{venue}:{field}"


def load(venue: str) -> Credentials | None:
    """The stored credentials of `venue`, or None (none stored, keyless venue, no keychain)."""
    venue = adapter_id(venue)
    if venue in _KEYLESS or problem():
        return None
    try:
        key = keyring.get_password(SERVICE, _user(venue, "api_key"))
        secret = keyring.get_password(SERVICE, _user(venue, "secret"))
        passphrase = keyring.get_password(SERVICE, _user(venue, "passphrase"))
        uid = keyring.get_password(SERVICE, _user(venue, "uid"))
    except KeyringError as exc:
        log.warning("%s: the keychain could not be read (%s)", venue, type(exc).__name__)
        return None
    if not key or not secret:
        return None
    return Credentials(api_key=key, secret=secret, passphrase=passphrase or None, uid=uid or None)


def save(venue: str, api_key: str, secret: str, passphrase: str | None = None,
         uid: str | None = None) -> None:
    """Store `venue`'s credentials; KeyringError (or RuntimeError without a keychain) if not."""
    venue = adapter_id(venue)
    why = problem()
    if why:
        raise RuntimeError(why)
    keyring.set_password(SERVICE, _user(venue, "api_key"), api_key)
    keyring.set_password(SERVICE, _user(venue, "secret"), secret)
    for field, value in (("passphrase", passphrase), ("uid", uid)):
        if value:
            keyring.set_password(SERVICE, _user(venue, field), value)
        else:
            _forget(venue, field)
    log.info("%s: API credentials saved in the system keychain", venue)


def _forget(venue: str, field: str) -> None:
    try:
        keyring.delete_password(SERVICE, _user(venue, field))
    except KeyringError:      # PasswordDeleteError: nothing stored
        pass


def delete(venue: str) -> None:
    venue = adapter_id(venue)
    if problem():
        return
    for field in FIELDS:
        _forget(venue, field)
    log.info("%s: API credentials removed from the system keychain", venue)


def create(exchange_id: str, **kwargs):
    """`exchanges.create` with the venue's stored credentials (the session's factory)."""
    if "credentials" not in kwargs:
        kwargs["credentials"] = load(exchange_id)
    return exchanges.create(exchange_id, **kwargs)
