"""The demo account as plain data, so that it can outlive the process, and its reset.

`snapshot` writes what the user has on the demo venue (balances, every order with its fills so
far, the numbering of orders and client ids, and where each market's price stood) as JSON-ready
data, Decimals as strings. `restore` puts it back into a freshly built world: the markets carry
on from the saved prices, open orders rest on the book again holding exactly what they held, and
finished orders stay in the history. `reset` empties the account back to the starting funds.
Where the data lives is the caller's business (the app keeps it in its data folder).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .engine import CANCELED, CLOSED, OPEN, EngineOrder

__all__ = ["snapshot", "restore", "reset", "check", "saved_mids", "saved_first_id", "VERSION",
           "KEEP_FINISHED"]

VERSION = 1
KEEP_FINISHED = 500           # finished orders kept in the saved history, newest


def _s(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


def snapshot(sim, orders: dict[str, EngineOrder], cids: int, seed: int, now: int) -> dict:
    user = sim.user
    kept = [o for o in orders.values() if o.status is OPEN]
    done = [o for o in orders.values() if o.status is not OPEN][-KEEP_FINISHED:]
    return {
        "version": VERSION, "seed": seed, "saved_at": now, "client_ids": cids,
        "balances": {cur: {"free": str(user.free[cur]), "used": str(user.used[cur])}
                     for cur in user.free},
        "orders": [{"id": o.id, "client_order_id": o.client_order_id, "symbol": o.symbol,
                    "side": o.side, "price": _s(o.price), "amount": str(o.amount),
                    "filled": str(o.filled), "remaining": str(o.remaining),
                    "cost": str(o.cost), "fee": str(o.fee), "status": o.status,
                    "timestamp": o.timestamp} for o in done + kept],
        "mids": {s: str(st.price(st.mid)) for s, st in sim.markets.items()},
    }


def _d(value, what: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"{what} is not a number: {value!r}") from None
    if not d.is_finite():
        raise ValueError(f"{what} is not a number: {value!r}")
    return d


def saved_mids(state: dict) -> dict[str, Decimal]:
    return {s: _d(p, f"the saved price of {s}") for s, p in (state.get("mids") or {}).items()}


def saved_first_id(state: dict) -> int:
    """Where the new world numbers orders from: after every saved one (so none collide)."""
    return max([1] + [int(o["id"]) + 1 for o in state.get("orders") or []])


def check(state) -> None:
    """ValueError in words when `state` is not a demo account this version can read."""
    if not isinstance(state, dict) or state.get("version") != VERSION:
        raise ValueError("not a saved demo account of this version")
    for cur, b in (state.get("balances") or {}).items():
        _d(b["free"], f"the free {cur}")
        _d(b["used"], f"the used {cur}")
    for o in state.get("orders") or []:
        for key in ("amount", "filled", "remaining", "cost", "fee"):
            _d(o[key], f"order {o.get('id')}'s {key}")
        if o["status"] not in (OPEN, CLOSED, CANCELED) or o["side"] not in ("buy", "sell"):
            raise ValueError(f"order {o.get('id')} has an unknown side or status")
    saved_mids(state)
    saved_first_id(state)


def restore(sim, state: dict, orders: dict[str, EngineOrder], now: int) -> int:
    """Put the saved account into `sim` (built with `saved_mids` and `saved_first_id`); fill
    `orders` with the user's orders by id. Returns the client-id count to carry on from."""
    check(state)
    user = sim.user
    for cur in list(user.free):
        user.free[cur] = Decimal(0)
        user.used[cur] = Decimal(0)
    for cur, b in (state.get("balances") or {}).items():
        user.ensure(cur)
        # everything free for now: resting the open orders again holds their share
        user.free[cur] = _d(b["free"], cur) + _d(b["used"], cur)
    for o in state.get("orders") or []:
        if o["symbol"] not in sim.markets:
            continue
        is_buy = o["side"] == "buy"
        price = None if o["price"] is None else _d(o["price"], "price")
        remaining = _d(o["remaining"], "remaining")
        if o["status"] == OPEN and price is not None and remaining > 0:
            st = sim.markets[o["symbol"]]
            book = st.book
            order = book.submit(user, is_buy, remaining, price, now, o["client_order_id"])
            sim._publish(st, now)                # (a fill, if the book moved onto it)
            if order.status is OPEN:
                del book.live[order.id]
                order.id = int(o["id"])
                book.live[order.id] = order
            else:
                order.id = int(o["id"])
        else:
            order = EngineOrder(int(o["id"]), user, is_buy, _d(o["amount"], "amount"), price,
                                o["timestamp"], o["client_order_id"], o["symbol"])
            order.remaining = remaining
            order.status = o["status"]
        # the order's own record: what it was for, and what filled before the restart
        order.amount = _d(o["amount"], "amount")
        order.filled += _d(o["filled"], "filled")
        order.cost += _d(o["cost"], "cost")
        order.fee += _d(o["fee"], "fee")
        order.timestamp = o["timestamp"]
        orders[str(order.id)] = order
    return int(state.get("client_ids") or 0)


def reset(sim, orders: dict[str, EngineOrder]) -> None:
    """Cancel the user's open orders, forget the history, and give back the starting funds."""
    for o in orders.values():
        if o.status is OPEN:
            sim.markets[o.symbol].book.cancel(o.id)
    orders.clear()
    user = sim.user
    for cur in list(user.free):
        user.free[cur] = Decimal(0)
        user.used[cur] = Decimal(0)
    for cur, amount in sim.profile.funds().items():     # (this venue's: USDT on demo-b)
        user.ensure(cur)
        user.free[cur] = amount
