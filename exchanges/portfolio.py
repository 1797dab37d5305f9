"""What a portfolio across venues is worth in one currency (`value_in`, in the contract).

Rates come only from the tickers given: a pair's rate is the mid of bid and ask where the ticker
has both, else its last price; the same pair on several venues counts with the median of their
rates (one stale venue cannot move it). An asset with no pair to the currency is valued through
bridge assets by the fewest hops (breadth-first from the currency; among paths of equal length
the bridges of `BRIDGES` come first, then alphabetical order, so the path is always the same).
An asset no path reaches is reported as unvalued, with the reason: never counted as zero.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["value_in", "Valuation", "pair_rates", "BRIDGES"]

_ZERO = Decimal(0)
_TWO = Decimal(2)
# Bridges tried first when two paths are equally short: the deepest markets.
BRIDGES = ("USD", "USDT", "USDC", "EUR", "BTC", "ETH")


@dataclass(slots=True)
class Valuation:
    """The contract's `total`, `by_asset`, `paths` and `unvalued`, and what the views show
    besides: each asset's amount and rate, the split per venue, and why an asset is unvalued."""
    currency: str
    total: Decimal = _ZERO
    by_asset: dict[str, Decimal | None] = field(default_factory=dict)
    paths: dict[str, list[str]] = field(default_factory=dict)
    unvalued: list[str] = field(default_factory=list)
    amounts: dict[str, Decimal] = field(default_factory=dict)      # summed over venues
    venue_amounts: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    rates: dict[str, Decimal] = field(default_factory=dict)        # one unit in `currency`
    by_venue: dict[str, dict[str, Decimal | None]] = field(default_factory=dict)
    venue_totals: dict[str, Decimal] = field(default_factory=dict)  # valued assets only
    reasons: dict[str, str] = field(default_factory=dict)          # asset → why unvalued
    sources: dict[str, list[str]] = field(default_factory=dict)    # symbol → venues used

    def share(self, asset: str) -> Decimal | None:
        """The asset's part of the valued total (0..1), None when unvalued or nothing is."""
        value = self.by_asset.get(asset)
        if value is None or not self.total:
            return None
        return value / self.total


def _rate(ticker) -> Decimal | None:
    bid, ask, last = ticker.bid, ticker.ask, ticker.last
    if bid is not None and ask is not None and bid > 0 and ask > 0:
        return (bid + ask) / _TWO
    if last is not None and last > 0:
        return last
    return None


def _median(values: list[Decimal]) -> Decimal:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / _TWO


def pair_rates(tickers: Mapping[str, Mapping[str, object]]
               ) -> tuple[dict[str, Decimal], dict[str, list[str]]]:
    """{symbol: rate} over every venue's tickers (median across venues), and the venues each
    rate came from."""
    found: dict[str, list[tuple[str, Decimal]]] = {}
    for venue, by_symbol in tickers.items():
        for symbol, ticker in by_symbol.items():
            if "/" not in symbol:
                continue
            rate = _rate(ticker)
            if rate is not None:
                found.setdefault(symbol, []).append((venue, rate))
    rates = {s: _median([r for _, r in rows]) for s, rows in found.items()}
    return rates, {s: sorted(v for v, _ in rows) for s, rows in found.items()}


def _routes(currency: str, rates: Mapping[str, Decimal]) -> dict[str, tuple[list[str], Decimal]]:
    """Every asset reachable from `currency`: (symbols from the asset to the currency, rate)."""
    graph: dict[str, list[tuple[str, str]]] = {}
    for symbol in rates:
        base, quote = symbol.split("/", 1)
        if base == quote:
            continue
        graph.setdefault(base, []).append((quote, symbol))
        graph.setdefault(quote, []).append((base, symbol))

    def preference(edge: tuple[str, str]):
        asset = edge[0]
        rank = BRIDGES.index(asset) if asset in BRIDGES else len(BRIDGES)
        return rank, asset, edge[1]

    for edges in graph.values():
        edges.sort(key=preference)
    routes: dict[str, tuple[list[str], Decimal]] = {currency: ([], Decimal(1))}
    queue = deque([currency])
    while queue:
        node = queue.popleft()
        path, node_rate = routes[node]
        for neighbour, symbol in graph.get(node, ()):
            if neighbour in routes:
                continue
            base, _quote = symbol.split("/", 1)
            # one unit of `neighbour` in units of `node`: the pair's rate, or its inverse
            step = rates[symbol] if neighbour == base else 1 / rates[symbol]
            routes[neighbour] = ([symbol] + path, step * node_rate)
            queue.append(neighbour)
    return routes


def value_in(currency: str, balances: Mapping[str, Mapping[str, object]],
             tickers: Mapping[str, Mapping[str, object]]) -> Valuation:
    """Value every asset's total of `balances` (venue → {asset: Balance}) in `currency`, with
    rates from `tickers` (venue → {symbol: Ticker}). See the module docstring for the rules."""
    currency = currency.upper()
    rates, sources = pair_rates(tickers)
    routes = _routes(currency, rates)
    out = Valuation(currency)
    for venue, held in balances.items():
        per_venue = out.by_venue.setdefault(venue, {})
        held_here = out.venue_amounts.setdefault(venue, {})
        venue_total = _ZERO
        for asset, balance in held.items():
            amount = balance.total
            if not amount:
                continue
            out.amounts[asset] = out.amounts.get(asset, _ZERO) + amount
            held_here[asset] = amount
            route = routes.get(asset)
            if route is None:
                per_venue[asset] = None
                continue
            value = amount * route[1]
            per_venue[asset] = value
            venue_total += value
        out.venue_totals[venue] = venue_total
    for asset, amount in sorted(out.amounts.items()):
        route = routes.get(asset)
        if route is None:
            out.by_asset[asset] = None
            out.unvalued.append(asset)
            out.reasons[asset] = _why(asset, currency, rates)
            continue
        path, rate = route
        out.rates[asset] = rate
        out.paths[asset] = path
        out.by_asset[asset] = amount * rate
        out.total += amount * rate
        for symbol in path:
            out.sources[symbol] = sources[symbol]
    return out


def _why(asset: str, currency: str, rates: Mapping[str, Decimal]) -> str:
    pairs = sorted(s for s in rates if asset in s.split("/", 1))
    if not pairs:
        return f"no connected venue quotes a market with {asset}"
    return (f"none of {asset}'s markets ({', '.join(pairs[:4])}{' …' if len(pairs) > 4 else ''})"
            f" leads to {currency}")
