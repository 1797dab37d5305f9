"""Import a venue's own CSV export of older trades into the ledger.

Venues keep a short history behind their API; their website exports all of it. The formats
below are each venue's own trade-history export, recognized by the header row. Their column
layouts follow the parsers of BittyTax (github.com/BittyTax/BittyTax @ 287c4b4,
src/bittytax/conv/parsers/{binance,coinbase,coinbasepro,kraken,bitstamp,bitfinex,okx}.py),
which tracks these exports as the venues change them:

| venue    | export                              | header (first columns)                    |
| -------- | ----------------------------------- | ----------------------------------------- |
| binance  | Spot trade history (current)        | Date(UTC), Pair, Side, Price, Executed, … |
| binance  | Trade history (older)               | Date(UTC), Market, Type, Price, Amount, … |
| coinbase | Fills report (Exchange / Advanced)  | portfolio, trade id, product, side, …     |
| coinbase | Transaction history (app)           | (ID,) Timestamp, Transaction Type, Asset, … |
| kraken   | Trades                              | txid, ordertxid, pair, time, type, …      |
| bitstamp | Transactions (current)              | ID, Account, Type, Subtype, Datetime, …   |
| bitstamp | Transactions (older)                | Type, Datetime, Account, Amount, Value, … |
| bitfinex | Trades                              | #, PAIR, AMOUNT, PRICE, FEE, …            |
| okx      | Trading history (spot)              | id, Order id, Time, Trade Type, …         |
| any      | this app's own fills export         | Date, Venue, Pair, Side, Amount, Price, … |

Rows that are not trades (deposits, withdrawals, staking …) are skipped and counted with the
reason; a row that cannot be read is skipped with its line number, and every other row is still
imported. Exports without fill ids (Binance) get an id made from the row's content and its
place among identical rows, so importing the same file again adds nothing; a row matching a
fill the venue's API already gave (same pair, side, price, amount, within a second) is not
added twice. Times without a zone are UTC (all of these exports write UTC by default).
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

from exchanges.symbols import common_code

from .store import Ledger, LedgerFill

__all__ = ["FORMATS", "ImportReport", "ParsedExport", "UnknownFormat", "parse_export",
           "import_export", "parse_time", "detect"]


class UnknownFormat(ValueError):
    """The file is not one of the exports this app reads (the message lists them)."""


class RowError(ValueError):
    """One row could not be read; the message says why."""


# -- small readers ------------------------------------------------------------------------------
_MONTH_FORMATS = ("%b. %d, %Y, %I:%M %p", "%b %d, %Y, %I:%M %p", "%B %d, %Y, %I:%M %p")


def parse_time(text: str, *, day_first: bool = False) -> int:
    """An export's time → ms since the epoch, UTC unless the text names a zone."""
    s = text.strip()
    if not s:
        raise RowError("the time is empty")
    if re.fullmatch(r"\d{9,11}(\.\d+)?", s):                   # unix seconds (older Kraken)
        return int(Decimal(s) * 1000)
    s = re.sub(r"\s*\bUTC\b$", "", s)
    dt = None
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        patterns = list(_MONTH_FORMATS)
        patterns += (["%d-%m-%y %H:%M:%S", "%d-%m-%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S"] if day_first
                     else ["%m/%d/%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S"])
        for pattern in patterns:
            try:
                dt = datetime.strptime(s.replace("Sept.", "Sep."), pattern)
                break
            except ValueError:
                continue
    if dt is None:
        raise RowError(f"the time {text!r} is not in a form this export uses")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def num(text: str | None, what: str = "a number", *, required: bool = True) -> Decimal | None:
    """The Decimal in an export's cell: thousands commas and currency signs dropped."""
    s = (text or "").strip()
    s = re.sub(r"[\s,$€£¥]", "", s)
    if not s:
        if required:
            raise RowError(f"{what} is empty")
        return None
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise RowError(f"{what} {text!r} is not a number") from None
    if not value.is_finite():
        raise RowError(f"{what} {text!r} is not a number")
    return value


def _side(text: str) -> str:
    s = text.strip().lower()
    if s in ("buy", "sell"):
        return s
    raise RowError(f"the side {text!r} is neither buy nor sell")


_QUOTES = sorted(("USDT", "USDC", "BUSD", "FDUSD", "TUSD", "USDP", "DAI", "PYUSD", "USD", "EUR",
                  "GBP", "JPY", "AUD", "CAD", "CHF", "TRY", "BRL", "ZAR", "RUB", "UAH", "IDR",
                  "NGN", "PLN", "BTC", "XBT", "ETH", "BNB", "TRX", "XRP", "DOGE", "SOL",
                  "ZUSD", "ZEUR", "ZGBP", "ZJPY", "ZCAD", "ZAUD", "XXBT", "XETH"),
                 key=len, reverse=True)


@dataclass(slots=True)
class Context:
    """What a parser may need besides the row: the venue's market ids and currency codes."""
    venue: str
    markets: Mapping[str, str] = field(default_factory=dict)    # venue market id → symbol
    overrides: Mapping[str, str] = field(default_factory=dict)  # venue currency → common

    def code(self, currency: str) -> str:
        return common_code(currency.strip(), self.overrides)

    def symbol(self, pair: str) -> str:
        """A pair as the export writes it (BTC/USD, BTC-USD, BTCUSDT, XXBTZUSD) → BASE/QUOTE."""
        p = pair.strip()
        if p in self.markets:
            return self.markets[p]
        for sep in ("/", "-", "_", ":"):
            if sep in p:
                base, _, quote = p.partition(sep)
                return f"{self.code(base)}/{self.code(quote)}"
        up = p.upper()
        if len(up) == 8 and up[0] == "X" and up[4] in "XZ":         # Kraken's XXBTZUSD
            return f"{self.code(up[:4])}/{self.code(up[4:])}"
        for quote in _QUOTES:
            if up.endswith(quote) and len(up) > len(quote):
                return f"{self.code(up[:-len(quote)])}/{self.code(quote)}"
        raise RowError(f"the pair {pair!r} could not be split into base and quote")


@dataclass(slots=True)
class Row:
    """One trade read from an export: everything a LedgerFill needs except the venue."""
    fill_id: str | None
    timestamp: int
    symbol: str
    side: str
    price: Decimal
    amount: Decimal
    fee: Decimal | None
    fee_currency: str | None
    order_id: str | None = None
    venue: str | None = None           # only for exports that say it (this app's own)


Parser = Callable[[list[tuple[int, dict]], Context], Iterator[tuple[int, "Row | str"]]]


@dataclass(frozen=True, slots=True)
class Format:
    key: str
    venue: str | None            # None: the rows say their venue
    title: str
    required: tuple[str, ...]
    parse: Parser


def _rows(rows, read) -> Iterator[tuple[int, Row | str]]:
    """Run `read(row)` on each (line, row); a RowError becomes that line's skip reason."""
    for line, row in rows:
        try:
            result = read(row)
        except RowError as exc:
            yield line, f"line {line}: {exc}"
            continue
        if result is not None:
            yield line, result


# -- Binance ---------------------------------------------------------------------------------
def _coin_amount(text: str, coins: tuple[str, ...], what: str) -> tuple[Decimal, str]:
    """"0.00100000BTC" → (0.001, "BTC"): the coins the row's pair names are tried first, as
    a coin code may itself start with a digit (1INCH)."""
    s = text.strip().replace(",", "")
    for coin in sorted(coins, key=len, reverse=True):
        if coin and s.upper().endswith(coin.upper()):
            return num(s[:-len(coin)], what), coin.upper()
    m = re.fullmatch(r"([-+0-9.eE]+?)([A-Za-z][A-Za-z0-9]*)", s)
    if not m:
        raise RowError(f"{what} {text!r} is not an amount followed by its coin")
    return num(m.group(1), what), m.group(2).upper()


def _binance_split(pair: str, executed: str, total: str) -> tuple[str, str]:
    """BTCUSDT with "0.1BTC" and "40USDT" → ("BTC", "USDT"): the pair is split where both
    amounts' coins say, which no list of quote coins can get wrong."""
    p = pair.strip().upper()
    for k in range(1, len(p)):
        base, quote = p[:k], p[k:]
        if (executed.strip().upper().endswith(base) and total.strip().upper().endswith(quote)
                and re.fullmatch(r"[-+0-9.,eE]+", executed.strip()[:-len(base)])
                and re.fullmatch(r"[-+0-9.,eE]+", total.strip()[:-len(quote)])):
            return base, quote
    raise RowError(f"the pair {pair!r} does not match the coins of {executed!r} and {total!r}")


def _binance(rows, ctx):
    def read(r):
        base, quote = _binance_split(r["Pair"], r["Executed"], r["Amount"])
        amount, _ = _coin_amount(r["Executed"], (base,), "the executed amount")
        fee, fee_ccy = _coin_amount(r["Fee"], (base, quote), "the fee")
        return Row(None, parse_time(r["Date(UTC)"]), f"{ctx.code(base)}/{ctx.code(quote)}",
                   _side(r["Side"]), num(r["Price"], "the price"), amount, fee,
                   ctx.code(fee_ccy))
    return _rows(rows, read)


def _binance_legacy(rows, ctx):
    def read(r):
        return Row(None, parse_time(r["Date(UTC)"]), ctx.symbol(r["Market"]), _side(r["Type"]),
                   num(r["Price"], "the price"), num(r["Amount"], "the amount"),
                   num(r["Fee"], "the fee", required=False), ctx.code(r["Fee Coin"]) or None)
    return _rows(rows, read)


# -- Coinbase --------------------------------------------------------------------------------
def _coinbase_fills(rows, ctx):
    def read(r):
        side = _side(r["side"])
        size, fee, total = (num(r["size"], "the size"), num(r["fee"], "the fee"),
                            num(r["total"], "the total"))
        unit = r["price/fee/total unit"].strip()
        symbol = ctx.symbol(r["product"])
        if r["size unit"].strip() and r["size unit"].strip() != symbol.split("/")[0]:
            raise RowError(f"sizes in {r['size unit']!r} (not the base) are not read")
        return Row(r["trade id"].strip() or None, parse_time(r["created at"]), symbol, side,
                   num(r["price"], "the price"), size, fee, ctx.code(unit) if unit else None,
                   (r.get("order id") or "").strip() or None)
    return _rows(rows, read)


_CB_NOTE = re.compile(
    r"^(?:Bought|Sold) ([\d,]+(?:\.\d+)?) (\w+) for \D?([\d,]+(?:\.\d+)?) (\w+)"
    r"(?: on (\w+)-(\w+))?(?: at \D?([\d,]+(?:\.\d+)?) (\w+)/(\w+))?")


def _coinbase_transactions(rows, ctx):
    price_col = "Price at Transaction"
    ccy_col = "Price Currency"

    def read(r):
        kind = r["Transaction Type"].strip()
        if kind not in ("Buy", "Sell", "Advanced Trade Buy", "Advanced Trade Sell",
                        "Advance Trade Buy", "Advance Trade Sell"):
            raise RowError(f"{kind or 'an empty type'} is not a trade")
        side = "buy" if kind.endswith("Buy") else "sell"
        asset = ctx.code(r["Asset"])
        amount = abs(num(r["Quantity Transacted"], "the quantity"))
        ts = parse_time(r["Timestamp"])
        rid = (r.get("ID") or "").strip() or None
        note = _CB_NOTE.match((r.get("Notes") or "").strip())
        if kind.startswith("Advance") and note and note.group(5):
            # An Advanced Trade row states its own pair and rate in the notes; the price
            # columns are in the account's home currency, not the pair's quote.
            quote = ctx.code(note.group(6))
            price = num(note.group(7), "the rate in the notes") if note.group(7) else (
                num(note.group(3), "the amount in the notes") / amount)
            received = num(note.group(3), "the amount in the notes")
            fee = abs(amount * price - received)
            return Row(rid, ts, f"{asset}/{quote}", side, price, amount, fee, quote)
        quote = ctx.code(r[ccy_col])
        fee = num(r["Fees and/or Spread"], "the fee", required=False)
        return Row(rid, ts, f"{asset}/{quote}", side, num(r[price_col], "the price"), amount,
                   abs(fee) if fee is not None else None, quote)

    for line, row in rows:           # the older name of the two price columns
        if "Spot Price at Transaction" in row:
            row[price_col] = row["Spot Price at Transaction"]
            row[ccy_col] = row["Spot Price Currency"]
    return _rows(rows, read)


# -- Kraken ----------------------------------------------------------------------------------
def _kraken(rows, ctx):
    def read(r):
        symbol = ctx.symbol(r["pair"])
        return Row(r["txid"].strip() or None, parse_time(r["time"]), symbol, _side(r["type"]),
                   num(r["price"], "the price"), num(r["vol"], "the volume"),
                   num(r["fee"], "the fee", required=False), symbol.split("/")[1],
                   r["ordertxid"].strip() or None)
    return _rows(rows, read)


# -- Bitstamp --------------------------------------------------------------------------------
def _bitstamp(rows, ctx):
    def read(r):
        if r["Type"].strip() != "Market":
            raise RowError(f"{r['Type'].strip() or 'an empty type'} is not a trade")
        base, quote = ctx.code(r["Amount currency"]), ctx.code(r["Value currency"])
        fee = num(r["Fee"], "the fee", required=False)
        return Row(r["ID"].strip() or None, parse_time(r["Datetime"]), f"{base}/{quote}",
                   _side(r["Subtype"]), num(r["Rate"], "the rate"),
                   abs(num(r["Amount"], "the amount")), fee,
                   ctx.code(r["Fee currency"]) if fee is not None else None,
                   r["Order ID"].strip() or None)
    return _rows(rows, read)


def _bitstamp_v1(rows, ctx):
    def split(cell, what):
        parts = cell.strip().split()
        if len(parts) != 2:
            raise RowError(f"{what} {cell!r} is not an amount and its currency")
        return num(parts[0], what), ctx.code(parts[1])

    def read(r):
        if r["Type"].strip() != "Market":
            raise RowError(f"{r['Type'].strip() or 'an empty type'} is not a trade")
        amount, base = split(r["Amount"], "the amount")
        _, quote = split(r["Value"], "the value")
        rate, _ = split(r["Rate"], "the rate")
        fee, fee_ccy = split(r["Fee"], "the fee") if r["Fee"].strip() else (None, None)
        return Row(None, parse_time(r["Datetime"]), f"{base}/{quote}", _side(r["Sub Type"]),
                   rate, abs(amount), fee, fee_ccy)
    return _rows(rows, read)


# -- Bitfinex --------------------------------------------------------------------------------
def _bitfinex(rows, ctx):
    def read(r):
        amount = num(r["AMOUNT"], "the amount")
        fee = num(r["FEE"], "the fee", required=False)
        return Row(r["#"].strip() or None, parse_time(r["DATE"], day_first=True),
                   ctx.symbol(r["PAIR"]), "buy" if amount > 0 else "sell",
                   num(r["PRICE"], "the price"), abs(amount),
                   abs(fee) if fee is not None else None,
                   ctx.code(r["FEE CURRENCY"]) if r["FEE CURRENCY"].strip() else None,
                   r["ORDER ID"].strip() or None)
    return _rows(rows, read)


# -- OKX -------------------------------------------------------------------------------------
def _okx(rows, ctx):
    """A spot trade is two rows with the same id: "Buy" (what came in, with the fee) and
    "Sell" (what went out)."""
    groups: dict[str, list[tuple[int, dict]]] = {}
    for line, r in rows:
        kind = r.get("Trade Type", "").strip()
        if kind != "Spot":
            yield line, f"line {line}: {kind or 'an empty trade type'} is not a spot trade"
            continue
        groups.setdefault(r["id"].strip(), []).append((line, r))
    for tid, members in groups.items():
        line = members[0][0]
        try:
            ins = [r for _, r in members if r["Type"].strip() == "Buy"]
            outs = [r for _, r in members if r["Type"].strip() == "Sell"]
            if len(ins) != 1 or len(outs) != 1:
                raise RowError(f"trade {tid} does not have one Buy and one Sell row")
            got, gave = ins[0], outs[0]
            symbol = ctx.symbol(got["Instrument"])
            base, quote = symbol.split("/")
            got_amt = abs(num(got["Amount"], "the amount"))
            gave_amt = abs(num(gave["Amount"], "the amount"))
            fee = abs(num(got["Fee"], "the fee", required=False) or Decimal(0))
            if ctx.code(got["Unit"]) == base:
                side, amount, cost = "buy", got_amt, gave_amt
            else:
                side, amount, cost = "sell", gave_amt, got_amt
            yield line, Row(tid, parse_time(got["Time"]), symbol, side, cost / amount, amount,
                            fee, ctx.code(got["Unit"]), got["Order id"].strip() or None)
        except RowError as exc:
            yield line, f"line {line}: {exc}"
        except (ArithmeticError, KeyError) as exc:
            yield line, f"line {line}: {type(exc).__name__}: {exc}"


# -- this app's own export -------------------------------------------------------------------
def _atlas(rows, ctx):
    def read(r):
        fee = num(r["Fee"], "the fee", required=False)
        return Row(r["Fill ID"].strip() or None, parse_time(r["Date"]),
                   ctx.symbol(r["Pair"]), _side(r["Side"]), num(r["Price"], "the price"),
                   num(r["Amount"], "the amount"), fee, r["Fee currency"].strip() or None,
                   r["Order ID"].strip() or None, r["Venue"].strip() or None)
    return _rows(rows, read)


FORMATS: tuple[Format, ...] = (
    Format("binance", "binance", "Binance spot trade history",
           ("Date(UTC)", "Pair", "Side", "Price", "Executed", "Amount", "Fee"), _binance),
    Format("binance-legacy", "binance", "Binance trade history (older)",
           ("Date(UTC)", "Market", "Type", "Price", "Amount", "Total", "Fee", "Fee Coin"),
           _binance_legacy),
    Format("coinbase-fills", "coinbase", "Coinbase fills report",
           ("trade id", "product", "side", "created at", "size", "size unit", "price", "fee",
            "total", "price/fee/total unit"), _coinbase_fills),
    Format("coinbase", "coinbase", "Coinbase transaction history",
           ("Timestamp", "Transaction Type", "Asset", "Quantity Transacted", "Subtotal",
            "Fees and/or Spread", "Notes"), _coinbase_transactions),
    Format("kraken", "kraken", "Kraken trades",
           ("txid", "ordertxid", "pair", "time", "type", "ordertype", "price", "cost", "fee",
            "vol"), _kraken),
    Format("bitstamp", "bitstamp", "Bitstamp transactions",
           ("ID", "Account", "Type", "Subtype", "Datetime", "Amount", "Amount currency",
            "Value", "Value currency", "Rate", "Rate currency", "Fee", "Fee currency",
            "Order ID"), _bitstamp),
    Format("bitstamp-legacy", "bitstamp", "Bitstamp transactions (older)",
           ("Type", "Datetime", "Account", "Amount", "Value", "Rate", "Fee", "Sub Type"),
           _bitstamp_v1),
    Format("bitfinex", "bitfinex", "Bitfinex trades",
           ("#", "PAIR", "AMOUNT", "PRICE", "FEE", "FEE CURRENCY", "DATE", "ORDER ID"),
           _bitfinex),
    Format("okx", "okx", "OKX trading history",
           ("id", "Order id", "Time", "Trade Type", "Instrument", "Type", "Amount", "Unit",
            "Fee"), _okx),
    Format("exchange-atlas", None, "Exchange Atlas fills export",
           ("Date", "Venue", "Pair", "Side", "Amount", "Price", "Fee", "Fee currency",
            "Order ID", "Fill ID"), _atlas),
)


# -- reading a file ----------------------------------------------------------------------------
@dataclass(slots=True)
class ParsedExport:
    format: Format
    venue: str | None
    fills: list[LedgerFill]
    skipped: list[str]            # one line of words per row not imported
    rows: int
    sha256: str


def _detect(lines: list[list[str]]) -> tuple[int, Format]:
    for i, cells in enumerate(lines[:20]):        # some exports put a preamble first
        header = {c.strip().lstrip("\ufeff") for c in cells}
        for fmt in FORMATS:
            if set(fmt.required) <= header:
                return i, fmt
    names = "; ".join(f.title for f in FORMATS)
    raise UnknownFormat(f"this file is not a trade export this app reads. Known: {names}")


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def detect(data: bytes) -> Format:
    """Which export `data` is (UnknownFormat, listing the known ones, if none)."""
    return _detect(list(csv.reader(io.StringIO(_text(data[:65536])))))[1]


def parse_export(data: bytes | str, *, venue: str | None = None,
                 markets: Mapping[str, str] | None = None,
                 overrides: Mapping[str, str] | None = None) -> ParsedExport:
    """Read an export (bytes or text). `venue` is checked against the format's venue;
    `markets` (venue market id → symbol) and `overrides` (currency codes) come from the
    venue's adapter where it is at hand."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    sha = hashlib.sha256(raw).hexdigest()
    lines = list(csv.reader(io.StringIO(_text(raw))))
    start, fmt = _detect(lines)
    if venue and fmt.venue and venue != fmt.venue:
        raise UnknownFormat(f"this is a {fmt.title} file, not an export of {venue}")
    venue = fmt.venue or venue
    header = [c.strip().lstrip("\ufeff") for c in lines[start]]
    rows = []
    for n, cells in enumerate(lines[start + 1:], start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        row: dict[str, str] = {}
        for name, cell in zip(header, cells):
            row.setdefault(name, cell)          # a repeated column name: the first one counts
        rows.append((n, row))
    ctx = Context(venue or "", dict(markets or {}), dict(overrides or _overrides(venue)))
    fills, skipped, seen = [], [], {}
    for _line, item in fmt.parse(rows, ctx):
        if isinstance(item, str):
            skipped.append(item)
            continue
        fid = item.fill_id
        if fid is None:
            # No id in the export: one from the row's content and its place among identical
            # rows, so the same file imported twice gives the same ids.
            content = "|".join(str(x) for x in (fmt.key, item.timestamp, item.symbol, item.side,
                                                item.price, item.amount, item.fee,
                                                item.fee_currency))
            n = seen[content] = seen.get(content, 0) + 1
            fid = "csv-" + hashlib.sha1(content.encode()).hexdigest()[:16] + f"-{n}"
        fills.append(LedgerFill(item.venue or venue or "", fid, item.timestamp, item.symbol,
                                item.side, item.price, item.amount, item.fee,
                                item.fee_currency, item.order_id, None, None,
                                f"csv:{fmt.key}"))
    return ParsedExport(fmt, venue, fills, skipped, len(rows), sha)


def _overrides(venue: str | None) -> Mapping[str, str]:
    if not venue:
        return {}
    try:
        import exchanges
        return dict(getattr(type(exchanges.create(venue)), "currency_overrides", {}) or {})
    except Exception:          # no adapter for it: the shared codes still apply
        return {}


@dataclass(slots=True)
class ImportReport:
    file_name: str
    format: str
    venue: str | None
    rows: int
    added: int
    already: int                  # in the ledger before (same id, or the API's same fill)
    skipped: list[str]

    def summary(self) -> str:
        venue = self.venue or "several venues"
        parts = [f"{self.added} new fill{'s' if self.added != 1 else ''}"]
        if self.already:
            parts.append(f"{self.already} already in the ledger")
        if self.skipped:
            parts.append(f"{len(self.skipped)} row{'s' if len(self.skipped) != 1 else ''} "
                         f"skipped")
        return f"{self.file_name} ({self.format}, {venue}): " + ", ".join(parts)


def import_export(ledger: Ledger, path: str | Path, *, venue: str | None = None,
                  markets: Mapping[str, str] | None = None) -> ImportReport:
    """Read the export at `path` into the ledger; the file itself is never changed."""
    path = Path(path)
    parsed = parse_export(path.read_bytes(), venue=venue, markets=markets)
    fresh: dict[str, list[LedgerFill]] = {}
    already = 0
    for f in parsed.fills:
        made_up = f.fill_id.startswith("csv-")
        if ledger.has_fill(f.venue, f.fill_id) or (made_up and ledger.same_fill(
                f.venue, f.symbol, f.side, f.timestamp, f.price, f.amount)):
            already += 1
            continue
        fresh.setdefault(f.venue, []).append(f)
    added = 0
    for v, fills in fresh.items():
        added += ledger.add_fills(v, fills, f"csv:{parsed.format.key}")
    already += sum(len(f) for f in fresh.values()) - added
    ledger.record_import(parsed.venue or "", parsed.format.key, path.name, parsed.sha256, added,
                         len(parsed.skipped))
    return ImportReport(path.name, parsed.format.title, parsed.venue, parsed.rows, added,
                        already, parsed.skipped)
