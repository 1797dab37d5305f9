"""The account side of the session: balances, open orders, placing and cancelling orders.

`Trading` rides on `Session`: for every opened venue that can trade (stored credentials, or the
demo) it polls balances and open orders every `poll_seconds` (tasks spawned through the session,
so closing the venue stops them) and refreshes at once after each order action. Errors come
back as words for the dock's status line and the log. An order whose reply was lost
(`OrderStatusUnknown`) is shown as "unknown — checking" and looked up by its client id until the
venue knows it; it is never reported as failed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QObject, QTimer, Signal

from exchanges import ExchangeError, Order, OrderStatusUnknown

from . import format as fmt

__all__ = ["Trading", "OrderRequest", "UNKNOWN"]

log = logging.getLogger("gui.trading")

UNKNOWN = "unknown — checking"


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """Exactly what goes to `create_order` (values already at the market's increments)."""
    venue: str
    symbol: str
    side: str
    type: str
    amount: Decimal
    price: Decimal | None
    post_only: bool = False
    time_in_force: str | None = None
    stop_price: Decimal | None = None

    def options(self) -> dict:
        """create_order's keyword options that are set (a venue without them sees none)."""
        out: dict = {}
        if self.post_only:
            out["post_only"] = True
        if self.time_in_force:
            out["time_in_force"] = self.time_in_force
        if self.stop_price is not None:
            out["stop_price"] = self.stop_price
        return out


class Trading(QObject):
    balances = Signal(str, object)          # venue, {currency: Balance}
    orders = Signal(str, object)            # venue, [Order] open now
    unknown = Signal(str, object)           # venue, Order placeholder with status UNKNOWN
    resolved = Signal(str, str, object)     # venue, client id, Order | None (not placed)
    message = Signal(str)                   # one line for the status bar / log
    account_error = Signal(str, str)        # venue, what failed in words
    sent = Signal(str, str, object)         # venue, client id, OrderRequest: about to be sent
    order_update = Signal(str, object)      # venue, Order as the venue answered (placed,
                                            # refused: status "rejected", cancelled)

    def __init__(self, session, parent: QObject | None = None, *, poll_seconds: float = 5.0,
                 give_up_after: int = 60) -> None:
        super().__init__(parent)
        self.session = session
        self.give_up_after = give_up_after      # polls before a lost order is called unlisted
        self._venues: set[str] = set()
        self._busy: dict[str, bool] = {}        # venue → poll in flight; True: poll again after
        self._errors: dict[str, str] = {}
        self._unknown: dict[tuple[str, str], list] = {}   # (venue, cid) → [symbol, polls]
        # The period is a Qt timer, each poll a short task: a poll that fails (or a venue
        # that is slow) never stops the next one.
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self.poll_seconds = poll_seconds
        session.venue_opened.connect(self._on_opened)
        session.venue_closed.connect(self._on_closed)
        for venue in list(session.adapters):
            self._on_opened(venue)

    @property
    def poll_seconds(self) -> float:
        return self._timer.interval() / 1000

    @poll_seconds.setter
    def poll_seconds(self, seconds: float) -> None:
        self._timer.start(max(50, int(seconds * 1000)))

    # -- which venues --------------------------------------------------------------------------
    @staticmethod
    def can_trade(adapter) -> bool:
        return (getattr(adapter, "simulated", False) or adapter.id == "demo"
                or getattr(adapter, "credentials", None) is not None)

    def venues(self) -> list[str]:
        return [v for v, a in self.session.adapters.items() if self.can_trade(a)]

    def adapter(self, venue: str):
        return self.session.adapters.get(venue)

    def _on_opened(self, venue: str) -> None:
        adapter = self.adapter(venue)
        if adapter is None or not self.can_trade(adapter) or venue in self._venues:
            return
        listeners = getattr(adapter, "status_listeners", None)
        if listeners is not None:
            listeners.append(self._on_adapter_status)
        self._venues.add(venue)
        self.refresh(venue)

    def _on_closed(self, venue: str) -> None:
        self._venues.discard(venue)
        self._busy.pop(venue, None)
        self._errors.pop(venue, None)
        for key in [k for k in self._unknown if k[0] == venue]:
            del self._unknown[key]
        self.balances.emit(venue, {})
        self.orders.emit(venue, [])

    def _on_adapter_status(self, venue: str, state: str, detail: str) -> None:
        if state in ("order_unknown", "order_known", "rate_limited"):
            self.message.emit(f"{venue}: {detail or state}")   # the adapter logged it

    def stop(self) -> None:
        self._timer.stop()

    # -- polling -------------------------------------------------------------------------------
    def refresh(self, venue: str | None = None) -> None:
        """Poll `venue` (every trading venue when None) now; a poll already in flight is
        followed by one more, so that nothing done meanwhile is missed."""
        for v in [venue] if venue else list(self._venues):
            if v not in self._venues:
                continue
            if v in self._busy:
                self._busy[v] = True
                continue
            self._busy[v] = False
            self.session.spawn(v, "account update", self._poll(v))

    async def _poll(self, venue: str) -> None:
        try:
            while True:
                await self.poll_once(venue)
                if not self._busy.get(venue):
                    return
                self._busy[venue] = False
        finally:
            self._busy.pop(venue, None)

    async def poll_once(self, venue: str, adapter=None) -> None:
        adapter = adapter or self.adapter(venue)
        if adapter is None:
            return
        try:
            if adapter.has.get("fetch_balance"):
                self.balances.emit(venue, await adapter.fetch_balance())
            if adapter.has.get("fetch_open_orders"):
                self.orders.emit(venue, await adapter.fetch_open_orders())
            await self._check_unknown(venue, adapter)
        except ExchangeError as exc:
            # Said once per distinct reason, not every period.
            if self._errors.get(venue) != exc.reason:
                self._errors[venue] = exc.reason
                log.warning("%s: account update failed: %s", venue, exc.reason)
                self.account_error.emit(venue, exc.reason)
            return
        self._errors.pop(venue, None)

    async def _check_unknown(self, venue: str, adapter) -> None:
        """Ask the venue, by client id, about every order whose reply was lost."""
        for (v, cid), entry in list(self._unknown.items()):
            if v != venue:
                continue
            symbol, polls = entry
            market = await adapter.market(symbol)
            found = await adapter.find_order_by_client_id(market, cid)
            if found is not None:
                del self._unknown[(v, cid)]
                self._say(f"{venue}: order {cid} is known: {found.status}")
                self.resolved.emit(venue, cid, found)
                continue
            entry[1] = polls + 1
            if entry[1] == self.give_up_after:
                # Still never "failed": the venue may have filled it (not open any more).
                self._say(f"{venue}: order {cid} is still not listed by the venue; check its "
                          f"order history before sending it again", logging.WARNING)

    def _say(self, text: str, level: int = logging.INFO) -> None:
        log.log(level, "%s", text)
        self.message.emit(text)

    # -- orders ----------------------------------------------------------------------------------
    def market(self, venue: str, symbol: str):
        st = self.session.states.get(venue)
        return st.markets.get(symbol) if st is not None else None

    def describe(self, req: OrderRequest) -> str:
        """The words of the confirmation: exactly what will be sent."""
        adapter = self.adapter(req.venue)
        name = getattr(adapter, "name", req.venue)
        market = self.market(req.venue, req.symbol)
        pi = market.price_increment if market else None
        base, quote = req.symbol.split("/", 1)
        amount = fmt.amount(req.amount, market.amount_increment if market else None)
        side = req.side.capitalize()
        extras = [w for w, on in (("post-only", req.post_only),
                                  (req.time_in_force or "", bool(req.time_in_force))) if on]
        tail = f" ({', '.join(extras)})" if extras else ""
        if req.type == "limit":
            price = fmt.price(req.price, pi)
            total = fmt.price(req.amount * req.price, pi)
            stop = (f" when the price reaches {fmt.price(req.stop_price, pi)} {quote}"
                    if req.stop_price is not None else "")
            kind = "stop-limit" if req.stop_price is not None else "limit"
            return (f"{side} {amount} {base} at {price} {quote} {kind}{stop}{tail} on {name} — "
                    f"total {total} {quote}")
        return f"{side} {amount} {base} at market{tail} on {name}"

    async def place(self, req: OrderRequest) -> tuple[str, Order | None]:
        """Send the order; returns (state, order): "placed", "unknown" or "failed" with words
        already said through `message`."""
        adapter = self.adapter(req.venue)
        if adapter is None:
            self._say(f"{req.venue} is not connected; nothing was sent")
            return "failed", None
        market = self.market(req.venue, req.symbol)
        what = (f"{req.side} {fmt.amount(req.amount, market.amount_increment if market else None)}"
                f" {req.symbol}")
        # The client id is made here, so the ledger holds the order before it leaves.
        make_cid = getattr(adapter, "new_client_order_id", None)
        cid = make_cid() if callable(make_cid) else None
        if cid:
            self.sent.emit(req.venue, cid, req)
        try:
            options = req.options()
            if cid:
                options["client_order_id"] = cid
            order = await adapter.create_order(req.symbol, req.side, req.type, req.amount,
                                               req.price, **options)
        except OrderStatusUnknown as exc:
            cid = exc.client_order_id or ""
            self._say(f"{req.venue}: {what}: sent, reply lost — {UNKNOWN} "
                      f"(client id {cid}; do not send it again)", logging.WARNING)
            placeholder = Order("", cid, req.symbol, req.side, req.type, req.price, req.amount,
                                Decimal(0), req.amount, UNKNOWN, None)
            self.unknown.emit(req.venue, placeholder)
            self._unknown[(req.venue, cid)] = [req.symbol, 0]
            return "unknown", placeholder
        except ExchangeError as exc:
            self._say(f"{req.venue}: {what} not placed: {exc.reason}", logging.WARNING)
            if cid:
                self.order_update.emit(req.venue, Order(
                    "", cid, req.symbol, req.side, req.type, req.price, req.amount, Decimal(0),
                    req.amount, "rejected", None))
            return "failed", None
        finally:
            self.refresh(req.venue)
        self.order_update.emit(req.venue, order)
        self._say(f"{req.venue}: {what} placed — order {order.id} {order.status}"
                  + (f", filled {fmt.amount(order.filled, market.amount_increment if market else None)}"
                     if order.filled else ""))
        return "placed", order

    async def cancel(self, venue: str, order: Order) -> bool:
        adapter = self.adapter(venue)
        if adapter is None:
            return False
        try:
            self.order_update.emit(venue, await adapter.cancel_order(order.id, order.symbol))
        except ExchangeError as exc:
            self._say(f"{venue}: cancel of order {order.id} failed: {exc.reason}",
                      logging.WARNING)
            return False
        finally:
            self.refresh(venue)
        self._say(f"{venue}: order {order.id} ({order.side} {order.symbol}) cancelled")
        return True

    async def cancel_many(self, items: list[tuple[str, Order]]) -> int:
        done = 0
        for venue, order in items:
            done += await self.cancel(venue, order)
        return done

