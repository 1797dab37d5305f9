"""Test setup shared by every suite: offscreen Qt, an in-memory keychain, no hangs."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("EXCHANGE_ATLAS_SETTINGS_SCOPE", "test")
if "EXCHANGE_ATLAS_STATE_DIR" not in os.environ:   # nonce files of test keys stay out of $HOME
    import tempfile
    os.environ["EXCHANGE_ATLAS_STATE_DIR"] = tempfile.mkdtemp(prefix="atlas-state-")

import keyring
import pytest
from hypothesis import HealthCheck, settings
from keyring.backend import KeyringBackend

settings.register_profile("ci", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


class MemoryKeyring(KeyringBackend):
    """A keychain that lives in memory, for machines without a desktop keychain (CI)."""
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def fresh_state_dir(tmp_path_factory, monkeypatch):
    """Each test starts with no persisted nonces (tests reuse keys under fixed clocks)."""
    monkeypatch.setenv("EXCHANGE_ATLAS_STATE_DIR", str(tmp_path_factory.mktemp("state")))
