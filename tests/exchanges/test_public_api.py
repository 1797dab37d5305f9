"""The public surface of `exchanges` is the contract: names exported, nothing missing."""
from __future__ import annotations

import inspect

import exchanges
from exchanges.core.adapter import CONTRACT_CALLS, Exchange

CONTRACT_NAMES = {
    "create", "registry", "by_country", "Credentials", "consolidated_book", "plan_fill",
    "Market", "Ticker", "OrderBook", "Candle", "Trade", "Balance", "Order",
    "ExchangeError", "AuthenticationError", "PermissionDenied", "InsufficientFunds",
    "InvalidOrder", "OrderNotFound", "BadSymbol", "BadResponse", "NotSupported",
    "RateLimitExceeded", "NetworkError", "RequestTimeout", "ExchangeNotAvailable",
    "value_in",
}


def test_all_matches_the_exported_names():
    public = {n for n in dir(exchanges) if not n.startswith("_")
              and not inspect.ismodule(getattr(exchanges, n))}
    assert set(exchanges.__all__) == public
    assert CONTRACT_NAMES <= set(exchanges.__all__)


def test_error_tree_is_the_contracts():
    E = exchanges
    for name in CONTRACT_NAMES:
        obj = getattr(E, name)
        if name.endswith("Error") or name in ("InsufficientFunds", "InvalidOrder",
                                              "OrderNotFound", "BadSymbol", "BadResponse",
                                              "NotSupported", "RateLimitExceeded",
                                              "RequestTimeout", "ExchangeNotAvailable",
                                              "PermissionDenied"):
            assert issubclass(obj, E.ExchangeError), name
    assert issubclass(E.OrderNotFound, E.InvalidOrder)
    assert issubclass(E.RequestTimeout, E.NetworkError)
    assert issubclass(E.ExchangeNotAvailable, E.NetworkError)
    assert issubclass(E.PermissionDenied, E.AuthenticationError)


def test_every_contract_call_is_async_with_the_contracts_signature():
    for name in CONTRACT_CALLS:
        fn = getattr(Exchange, name)
        assert inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn), name
    sig = inspect.signature(Exchange.create_order)
    assert list(sig.parameters)[:7] == ["self", "symbol", "side", "type", "amount", "price",
                                        "client_order_id"]
    assert sig.parameters["client_order_id"].kind is inspect.Parameter.KEYWORD_ONLY
    create = inspect.signature(exchanges.create)
    assert all(create.parameters[k].kind is inspect.Parameter.KEYWORD_ONLY
               for k in ("credentials", "urls", "clock"))
