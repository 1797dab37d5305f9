"""Small core hooks: significant-digit prices, catch-all error codes, messages built when sent."""
from __future__ import annotations

from decimal import Decimal

import pytest

from exchanges import errors as E
from exchanges.core.adapter import Exchange
from exchanges.core.api import GET, POST
from exchanges.core.stream import StreamHub
from exchanges.types import Market, Order

D = Decimal


def _market(**kw) -> Market:
    return Market("BTC/USD", "tBTCUSD", "BTC", "USD", D("0.00000001"), D("0.00000001"), **kw)


@pytest.mark.parametrize("price, step", [
    ("60000", "1"), ("99999", "1"), ("100000", "10"), ("1234.5", "0.1"), ("1.2345", "0.0001"),
    ("0.00012345", "0.00000001"), ("0.000012345", "0.00000001")])
def test_price_step_follows_significant_digits(price, step):
    assert _market(price_significant_digits=5).price_step(D(price)) == D(step)


def test_price_step_is_the_tick_without_significant_digits():
    assert _market().price_step(D("60000.5")) == D("0.00000001")


class _Venue(Exchange):
    id = "hooks"
    errors = {"10001": E.ExchangeError, "10100": E.AuthenticationError}
    generic_error_codes = frozenset({"10001"})
    error_messages = {"not enough exchange balance": E.InsufficientFunds,
                      "apikey": E.PermissionDenied}

    async def _fetch_markets(self):
        return [_market(price_significant_digits=5)]


async def test_generic_code_lets_the_message_decide():
    async with _Venue() as ex:
        err = ex.error_for("10001", "Invalid order: not enough exchange balance for 1 BTCUSD")
        assert type(err) is E.InsufficientFunds
        assert type(ex.error_for("10001", "something else")) is E.ExchangeError
        # A specific code still wins over a fragment.
        assert type(ex.error_for("10100", "apikey: invalid")) is E.AuthenticationError


async def test_check_order_validates_significant_digits():
    async with _Venue() as ex:
        market, amount, price = await ex.check_order("BTC/USD", "buy", "limit", "0.1", "61234")
        assert price == D("61234")
        with pytest.raises(E.InvalidOrder, match="multiple of 1 USD"):
            await ex.check_order("BTC/USD", "buy", "limit", "0.1", "61234.5")


class _WS:
    def __init__(self):
        self.sent = []
        self.closed = False

    async def send_str(self, text):
        self.sent.append(text)


async def test_a_message_may_be_built_when_sent():
    hub = StreamHub("x", "ws://unused", lambda: None, route=lambda m: None,
                    build=lambda channel, args, subscribe: None)
    hub._ws = _WS()
    state = {"chan": 7}
    await hub._send(lambda: {"event": "unsubscribe", "chanId": state["chan"]})
    await hub._send(lambda: None)          # nothing known to unsubscribe: nothing sent
    assert hub._ws.sent == ['{"event": "unsubscribe", "chanId": 7}']


class _ListLookup(_Venue):
    """A venue whose client-id lookup answers with a list of recent orders (Coinbase)."""
    api = {"create_order": POST("/orders"), "order_by_client_id": GET("/orders")}

    def parse_order(self, row, market):
        return Order(row["id"], row.get("cid"), "BTC/USD", "buy", "limit", D(1), D(1), D(0),
                     D(1), "open", None)


async def test_a_lookup_answering_a_list_finds_only_the_order_with_that_client_id(monkeypatch):
    rows = [{"id": "9", "cid": None}, {"id": "7", "cid": "mine"}]

    async def call(name, *args, params=None):
        return rows
    async with _ListLookup() as ex:
        monkeypatch.setattr(ex, "call", call)
        assert (await ex.find_order_by_client_id(_market(), "mine")).id == "7"
        # Order 9 (placed elsewhere, no client id) is not the order that was sent.
        assert await ex.find_order_by_client_id(_market(), "lost") is None
        rows[:] = [{"id": "5"}]           # a direct lookup that does not echo the client id
        assert (await ex.find_order_by_client_id(_market(), "lost")).id == "5"
