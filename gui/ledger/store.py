"""The ledger: every fill, every order and its states, and balance snapshots, in SQLite.

One file in the user's data dir (`ledger.sqlite3`), the standard library's `sqlite3` in WAL mode.
What holds, and why:

- A fill is keyed by (venue, fill id): inserting one twice changes nothing, so a sync that is
  cut off anywhere and run again neither loses nor duplicates a fill.
- Fills and the sync cursor they advance are written in one transaction: a cursor never points
  past a fill that is not stored. A process killed mid-transaction leaves the last committed
  state (WAL; `synchronous=NORMAL` is durable across a killed process, only a power cut may lose
  the last transactions, which the next sync fetches again).
- The schema is versioned (`PRAGMA user_version`) and upgraded by `MIGRATIONS`, each step in a
  transaction. A file this app did not write (`PRAGMA application_id`), or one SQLite cannot
  read, is moved aside under a new name and a new ledger is started; `notice` says what
  happened in words. A ledger from a newer version of the app is left untouched and this run
  keeps its ledger in memory.
- Money is stored as the Decimal's own digits (TEXT), never as a float.

Qt-free: scripts and the benchmark use it as it is.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

__all__ = ["Ledger", "LedgerFill", "LedgerOrder", "FillFilter", "MIGRATIONS", "SCHEMA_VERSION",
           "APPLICATION_ID", "ALL_SYMBOLS", "open_ledger"]

log = logging.getLogger("gui.ledger")

APPLICATION_ID = 0x45584C47        # "EXLG": this app's ledger, told apart from any other SQLite
ALL_SYMBOLS = "*"                   # the cursor key of a sync over every symbol at once
_SQLITE_MAGIC = b"SQLite format 3\x00"

# Each entry takes the schema from version i to i + 1. Never edit a released step: add one.
MIGRATIONS: tuple[str, ...] = (
    # 1: fills, sync cursors, orders and their states
    """
    CREATE TABLE fills (
        venue TEXT NOT NULL, fill_id TEXT NOT NULL, timestamp INTEGER NOT NULL,
        symbol TEXT NOT NULL, side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        price TEXT NOT NULL, amount TEXT NOT NULL, fee TEXT, fee_currency TEXT,
        order_id TEXT, client_order_id TEXT, taker_or_maker TEXT, source TEXT NOT NULL,
        PRIMARY KEY (venue, fill_id)) WITHOUT ROWID;
    CREATE INDEX fills_by_time ON fills (timestamp);
    CREATE INDEX fills_by_symbol ON fills (venue, symbol, timestamp);
    CREATE TABLE cursors (
        venue TEXT NOT NULL, symbol TEXT NOT NULL, since INTEGER NOT NULL,
        updated INTEGER NOT NULL, PRIMARY KEY (venue, symbol)) WITHOUT ROWID;
    CREATE TABLE orders (
        id INTEGER PRIMARY KEY, venue TEXT NOT NULL, order_id TEXT, client_order_id TEXT,
        symbol TEXT NOT NULL, side TEXT NOT NULL, type TEXT NOT NULL, price TEXT,
        amount TEXT NOT NULL, created INTEGER NOT NULL, status TEXT NOT NULL,
        filled TEXT NOT NULL, updated INTEGER NOT NULL);
    CREATE UNIQUE INDEX orders_by_id ON orders (venue, order_id) WHERE order_id IS NOT NULL;
    CREATE UNIQUE INDEX orders_by_client_id ON orders (venue, client_order_id)
        WHERE client_order_id IS NOT NULL;
    CREATE TABLE order_states (
        order_ref INTEGER NOT NULL REFERENCES orders (id), seq INTEGER NOT NULL,
        ts INTEGER NOT NULL, status TEXT NOT NULL, filled TEXT NOT NULL, average TEXT,
        PRIMARY KEY (order_ref, seq)) WITHOUT ROWID;
    """,
    # 2: balance snapshots with their valuation, and CSV imports
    """
    CREATE TABLE balances (
        ts INTEGER NOT NULL, venue TEXT NOT NULL, asset TEXT NOT NULL, free TEXT NOT NULL,
        used TEXT NOT NULL, total TEXT NOT NULL, PRIMARY KEY (ts, venue, asset)) WITHOUT ROWID;
    CREATE TABLE valuations (
        currency TEXT NOT NULL, ts INTEGER NOT NULL, total TEXT NOT NULL,
        unvalued TEXT NOT NULL, PRIMARY KEY (currency, ts)) WITHOUT ROWID;
    CREATE TABLE valuation_rates (
        currency TEXT NOT NULL, asset TEXT NOT NULL, ts INTEGER NOT NULL, rate TEXT NOT NULL,
        path TEXT NOT NULL, PRIMARY KEY (currency, asset, ts)) WITHOUT ROWID;
    CREATE TABLE imports (
        id INTEGER PRIMARY KEY, venue TEXT NOT NULL, format TEXT NOT NULL,
        file_name TEXT NOT NULL, sha256 TEXT NOT NULL, ts INTEGER NOT NULL,
        added INTEGER NOT NULL, skipped INTEGER NOT NULL);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def _text(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def _dec(s: str | None) -> Decimal | None:
    return None if s is None else Decimal(s)


@dataclass(frozen=True, slots=True)
class LedgerFill:
    venue: str
    fill_id: str
    timestamp: int
    symbol: str
    side: str
    price: Decimal
    amount: Decimal
    fee: Decimal | None
    fee_currency: str | None
    order_id: str | None
    client_order_id: str | None
    taker_or_maker: str | None
    source: str

    @property
    def base(self) -> str:
        return self.symbol.split("/", 1)[0]

    @property
    def quote(self) -> str:
        return self.symbol.split("/", 1)[1]

    @classmethod
    def from_row(cls, row) -> LedgerFill:
        (venue, fid, ts, symbol, side, price, amount, fee, fee_ccy, oid, cid, tm, source) = row
        return cls(venue, fid, ts, symbol, side, Decimal(price), Decimal(amount), _dec(fee),
                   fee_ccy, oid, cid, tm, source)


@dataclass(frozen=True, slots=True)
class LedgerOrder:
    ref: int
    venue: str
    order_id: str | None
    client_order_id: str | None
    symbol: str
    side: str
    type: str
    price: Decimal | None
    amount: Decimal
    created: int
    status: str
    filled: Decimal
    updated: int


@dataclass(frozen=True, slots=True)
class FillFilter:
    """What the fills table shows: None means any."""
    venue: str | None = None
    symbol: str | None = None
    side: str | None = None
    since: int | None = None          # ms, inclusive
    until: int | None = None          # ms, exclusive

    def where(self) -> tuple[str, list]:
        parts, args = [], []
        for column, value in (("venue", self.venue), ("symbol", self.symbol),
                              ("side", self.side)):
            if value:
                parts.append(f"{column} = ?")
                args.append(value)
        if self.since is not None:
            parts.append("timestamp >= ?")
            args.append(self.since)
        if self.until is not None:
            parts.append("timestamp < ?")
            args.append(self.until)
        return (" WHERE " + " AND ".join(parts)) if parts else "", args


_FILL_COLUMNS = ("venue, fill_id, timestamp, symbol, side, price, amount, fee, fee_currency, "
                 "order_id, client_order_id, taker_or_maker, source")
# Sort keys of the fills table: numbers sort as numbers although stored as exact text.
FILL_SORT = {"timestamp": "timestamp", "venue": "venue", "symbol": "symbol", "side": "side",
             "price": "CAST(price AS REAL)", "amount": "CAST(amount AS REAL)",
             "fee": "CAST(fee AS REAL)", "fee_currency": "fee_currency",
             "order_id": "order_id", "fill_id": "fill_id", "source": "source"}


class Ledger:
    """The ledger on one SQLite connection. Use `open_ledger(path)` for a file."""

    def __init__(self, path: str | os.PathLike = ":memory:", *, clock=None) -> None:
        self.path = str(path)
        self.clock = clock or (lambda: time.time_ns() // 1_000_000)
        self.notice: str | None = None     # what happened to an unreadable file, in words
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA busy_timeout = 5000")
        if self.path != ":memory:":
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.migrate()

    # -- schema ------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Bring the schema up to `target`, one transaction per step."""
        current = self.version
        if current == 0:
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        for step in range(current, target):
            self.db.executescript(f"BEGIN IMMEDIATE;\n{MIGRATIONS[step]}\n"
                                  f"PRAGMA user_version = {step + 1};\nCOMMIT;")
            log.info("ledger: schema upgraded to version %d", step + 1)

    def close(self) -> None:
        self.db.close()

    def transaction(self):
        return _Transaction(self.db)

    # -- fills -------------------------------------------------------------------------------
    def add_fills(self, venue: str, fills: Iterable, source: str,
                  cursor: tuple[str, int] | None = None) -> int:
        """Store `fills` (contract `Trade`s or `LedgerFill`s) of `venue`; those already stored
        are left as they are. With `cursor` = (symbol key, since), the cursor moves forward to
        `since` in the same transaction. Returns how many fills were new."""
        with self.transaction() as db:
            before = db.total_changes
            db.executemany(
                f"INSERT OR IGNORE INTO fills ({_FILL_COLUMNS}) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_fill_row(venue, f, source) for f in fills))
            added = db.total_changes - before
            if cursor is not None:
                self._advance(db, venue, *cursor)
        return added

    def _advance(self, db, venue: str, symbol: str, since: int) -> None:
        db.execute("INSERT INTO cursors (venue, symbol, since, updated) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (venue, symbol) DO UPDATE SET "
                   "since = max(since, excluded.since), updated = excluded.updated",
                   (venue, symbol, since, self.clock()))

    def cursor(self, venue: str, symbol: str = ALL_SYMBOLS) -> int | None:
        row = self.db.execute("SELECT since FROM cursors WHERE venue = ? AND symbol = ?",
                              (venue, symbol)).fetchone()
        return row[0] if row else None

    def cursors(self, venue: str) -> dict[str, int]:
        return dict(self.db.execute("SELECT symbol, since FROM cursors WHERE venue = ?",
                                    (venue,)))

    def has_fill(self, venue: str, fill_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM fills WHERE venue = ? AND fill_id = ?",
                               (venue, str(fill_id))).fetchone() is not None

    def same_fill(self, venue: str, symbol: str, side: str, timestamp: int, price: Decimal,
                  amount: Decimal, window_ms: int = 1000) -> bool:
        """Whether a fill with these figures is stored within `window_ms` (an export without
        fill ids, matched against the fills the venue's API gave)."""
        rows = self.db.execute(
            "SELECT price, amount FROM fills WHERE venue = ? AND symbol = ? AND side = ? "
            "AND timestamp BETWEEN ? AND ?",
            (venue, symbol, side, timestamp - window_ms, timestamp + window_ms))
        return any(Decimal(p) == price and Decimal(a) == amount for p, a in rows)

    def count_fills(self, flt: FillFilter = FillFilter()) -> int:
        where, args = flt.where()
        return self.db.execute(f"SELECT count(*) FROM fills{where}", args).fetchone()[0]

    def fills(self, flt: FillFilter = FillFilter(), *, order: str = "timestamp",
              descending: bool = False, limit: int | None = None, offset: int = 0
              ) -> list[LedgerFill]:
        where, args = flt.where()
        key = FILL_SORT.get(order, "timestamp")
        direction = "DESC" if descending else "ASC"
        # Ties by time, then by fill id with numeric ids in number order ("9" before "10").
        sql = (f"SELECT {_FILL_COLUMNS} FROM fills{where} ORDER BY {key} {direction}, "
               f"timestamp {direction}, venue, length(fill_id) {direction}, fill_id {direction}")
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args = args + [limit, offset]
        return [LedgerFill.from_row(r) for r in self.db.execute(sql, args)]

    def iter_fills(self, flt: FillFilter = FillFilter()) -> Iterator[LedgerFill]:
        """Every fill matching `flt`, oldest first, streamed (for P&L and export)."""
        where, args = flt.where()
        cur = self.db.execute(f"SELECT {_FILL_COLUMNS} FROM fills{where} "
                              f"ORDER BY timestamp, venue, length(fill_id), fill_id", args)
        for row in cur:
            yield LedgerFill.from_row(row)

    def distinct(self, column: str) -> list[str]:
        """The values of a fills column that filters offer (venues, symbols)."""
        if column not in ("venue", "symbol"):
            raise ValueError(column)
        return [r[0] for r in self.db.execute(f"SELECT DISTINCT {column} FROM fills "
                                              f"ORDER BY {column}")]

    def symbols(self, venue: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT symbol FROM fills WHERE venue = ? UNION "
            "SELECT DISTINCT symbol FROM orders WHERE venue = ? ORDER BY 1", (venue, venue))]

    # -- orders ------------------------------------------------------------------------------
    def record_sent(self, venue: str, client_order_id: str, symbol: str, side: str, type: str,
                    amount: Decimal, price: Decimal | None) -> int:
        """An order the app is about to send, known by its client id only ("sending")."""
        now = self.clock()
        with self.transaction() as db:
            row = db.execute("SELECT id FROM orders WHERE venue = ? AND client_order_id = ?",
                             (venue, client_order_id)).fetchone()
            if row:
                return row[0]
            ref = db.execute(
                "INSERT INTO orders (venue, order_id, client_order_id, symbol, side, type, "
                "price, amount, created, status, filled, updated) "
                "VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, 'sending', '0', ?)",
                (venue, client_order_id, symbol, side, type, _text(price), _text(amount), now,
                 now)).lastrowid
            db.execute("INSERT INTO order_states VALUES (?, 1, ?, 'sending', '0', NULL)",
                       (ref, now))
            return ref

    def record_order(self, venue: str, order, *, status: str | None = None) -> bool:
        """Store `order` (a contract `Order`), found by its id or else its client id; a new
        state is appended when its status or filled amount differs from the last one.
        Returns whether anything changed."""
        status = status or order.status
        now = self.clock()
        filled = _text(order.filled if order.filled is not None else Decimal(0))
        with self.transaction() as db:
            row = None
            if order.id:
                row = db.execute("SELECT id, order_id FROM orders WHERE venue = ? AND "
                                 "order_id = ?", (venue, str(order.id))).fetchone()
            if row is None and order.client_order_id:
                row = db.execute("SELECT id, order_id FROM orders WHERE venue = ? AND "
                                 "client_order_id = ?", (venue, order.client_order_id)
                                 ).fetchone()
            if row is None:
                ref = db.execute(
                    "INSERT INTO orders (venue, order_id, client_order_id, symbol, side, type, "
                    "price, amount, created, status, filled, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (venue, str(order.id) if order.id else None, order.client_order_id,
                     order.symbol, order.side, order.type, _text(order.price),
                     _text(order.amount), order.timestamp or now, status, filled, now)
                ).lastrowid
                last = None
            else:
                ref = row[0]
                if order.id and row[1] is None:       # the venue's id, once it is known
                    db.execute("UPDATE orders SET order_id = ? WHERE id = ?",
                               (str(order.id), ref))
                last = db.execute("SELECT seq, status, filled FROM order_states WHERE "
                                  "order_ref = ? ORDER BY seq DESC LIMIT 1", (ref,)).fetchone()
            if last is not None and (last[1], Decimal(last[2])) == (status, Decimal(filled)):
                return False
            seq = (last[0] if last else 0) + 1
            db.execute("INSERT INTO order_states VALUES (?, ?, ?, ?, ?, ?)",
                       (ref, seq, now, status, filled, _text(getattr(order, "average", None))))
            db.execute("UPDATE orders SET status = ?, filled = ?, updated = ? WHERE id = ?",
                       (status, filled, now, ref))
            return True

    def orders(self, venue: str | None = None, status: str | None = None,
               limit: int | None = None) -> list[LedgerOrder]:
        parts, args = [], []
        if venue:
            parts.append("venue = ?")
            args.append(venue)
        if status:
            parts.append("status = ?")
            args.append(status)
        where = (" WHERE " + " AND ".join(parts)) if parts else ""
        sql = (f"SELECT id, venue, order_id, client_order_id, symbol, side, type, price, "
               f"amount, created, status, filled, updated FROM orders{where} "
               f"ORDER BY created DESC, id DESC")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [LedgerOrder(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _dec(r[7]),
                            Decimal(r[8]), r[9], r[10], Decimal(r[11]), r[12])
                for r in self.db.execute(sql, args)]

    def order_states(self, ref: int) -> list[tuple[int, str, Decimal]]:
        return [(ts, status, Decimal(filled)) for ts, status, filled in self.db.execute(
            "SELECT ts, status, filled FROM order_states WHERE order_ref = ? ORDER BY seq",
            (ref,))]

    # -- balance snapshots -------------------------------------------------------------------
    def snapshot(self, balances: Mapping[str, Mapping[str, object]], valuation=None,
                 ts: int | None = None) -> int:
        """Store every venue's balances, and the valuation made of them, at `ts`."""
        ts = self.clock() if ts is None else ts
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO balances VALUES (?, ?, ?, ?, ?, ?)",
                ((ts, venue, asset, _text(b.free), _text(b.used), _text(b.total))
                 for venue, held in balances.items() for asset, b in held.items()
                 if b.total or b.free or b.used))
            if valuation is not None:
                db.execute("INSERT OR REPLACE INTO valuations VALUES (?, ?, ?, ?)",
                           (valuation.currency, ts, _text(valuation.total),
                            ",".join(valuation.unvalued)))
                db.executemany(
                    "INSERT OR REPLACE INTO valuation_rates VALUES (?, ?, ?, ?, ?)",
                    ((valuation.currency, asset, ts, _text(rate),
                      " > ".join(valuation.paths.get(asset, ())))
                     for asset, rate in valuation.rates.items()))
        return ts

    def valuations(self, currency: str, since: int | None = None
                   ) -> list[tuple[int, Decimal, list[str]]]:
        """(ts, total, unvalued assets) of every snapshot valued in `currency`, oldest first."""
        rows = self.db.execute(
            "SELECT ts, total, unvalued FROM valuations WHERE currency = ? AND ts >= ? "
            "ORDER BY ts", (currency, since or 0))
        return [(ts, Decimal(total), [a for a in unvalued.split(",") if a])
                for ts, total, unvalued in rows]

    def balance_snapshots(self, venue: str | None = None) -> list[tuple[int, str, str, Decimal]]:
        sql = "SELECT ts, venue, asset, total FROM balances"
        args: list = []
        if venue:
            sql += " WHERE venue = ?"
            args.append(venue)
        return [(ts, v, a, Decimal(t)) for ts, v, a, t in self.db.execute(sql + " ORDER BY ts",
                                                                          args)]

    def rate_near(self, currency: str, asset: str, ts: int, window_ms: int
                  ) -> Decimal | None:
        """The asset's rate in `currency` from the snapshot closest to `ts`, if one lies within
        `window_ms` of it."""
        rows = self.db.execute(
            "SELECT ts, rate FROM valuation_rates WHERE currency = ? AND asset = ? "
            "AND ts BETWEEN ? AND ? ORDER BY abs(ts - ?) LIMIT 1",
            (currency, asset, ts - window_ms, ts + window_ms, ts)).fetchone()
        return Decimal(rows[1]) if rows else None

    # -- imports -----------------------------------------------------------------------------
    def record_import(self, venue: str, fmt: str, file_name: str, sha256: str, added: int,
                      skipped: int) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO imports (venue, format, file_name, sha256, ts, added, "
                       "skipped) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (venue, fmt, file_name, sha256, self.clock(), added, skipped))

    def imports(self) -> list[tuple]:
        return list(self.db.execute("SELECT venue, format, file_name, sha256, ts, added, skipped"
                                    " FROM imports ORDER BY id"))


class _Transaction:
    """`with ledger.transaction() as db:` BEGIN IMMEDIATE … COMMIT, ROLLBACK on any error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, exc, tb) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def _fill_row(venue: str, f, source: str) -> tuple:
    fid = getattr(f, "fill_id", None) or f.id
    if not fid:
        raise ValueError(f"{venue}: a fill without an id cannot be stored idempotently")
    if f.side not in ("buy", "sell"):
        raise ValueError(f"{venue}: fill {fid} has no side")
    return (venue, str(fid), int(f.timestamp), f.symbol, f.side, _text(f.price),
            _text(f.amount), _text(f.fee), f.fee_currency, f.order_id and str(f.order_id),
            f.client_order_id, f.taker_or_maker, getattr(f, "source", None) or source)


# -- opening a file, whatever is there ---------------------------------------------------------
def open_ledger(path: str | os.PathLike, *, clock=None) -> Ledger:
    """The ledger at `path`, created if missing. A file that is not this app's ledger, or that
    SQLite cannot read, is moved aside and a new ledger started (`notice` says so); a ledger of
    a newer schema is left alone and an in-memory ledger is used for this run."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    problem = _inspect(path)
    if problem == "newer":
        ledger = Ledger(":memory:", clock=clock)
        ledger.notice = (f"The ledger {path.name} was written by a newer version of Exchange "
                         f"Atlas; it was left untouched and this session keeps its fills in "
                         f"memory only. Update the app to use it.")
        log.warning("%s", ledger.notice)
        return ledger
    notice = None
    if problem is not None:
        aside = _move_aside(path)
        notice = (f"The ledger {path.name} could not be used ({problem}). It was kept as "
                  f"{aside.name} and a new, empty ledger was started; fills the venues still "
                  f"keep will be synced again.")
        log.warning("%s", notice)
    try:
        ledger = Ledger(path, clock=clock)
    except sqlite3.DatabaseError as exc:        # unreadable although its header looked fine
        aside = _move_aside(path)
        ledger = Ledger(path, clock=clock)
        notice = (f"The ledger {path.name} could not be used ({exc}). It was kept as "
                  f"{aside.name} and a new, empty ledger was started.")
        log.warning("%s", notice)
    ledger.notice = notice
    return ledger


def _inspect(path: Path) -> str | None:
    """None when `path` is missing, empty or a readable ledger of ours; "newer" for a ledger
    of a newer schema; else what is wrong with it, in words."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return None
    if not head:
        return None
    if head != _SQLITE_MAGIC:
        return "it is not an SQLite database"
    try:
        # Not read-only: a ledger left by a killed process may need its WAL recovered, which
        # SQLite refuses on a read-only connection (that ledger is fine, not unreadable).
        db = sqlite3.connect(path)
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id != APPLICATION_ID:
                if app_id == 0 and tables == 0:
                    return None                     # an empty database: ours to set up
                return "it is another program's database"
            if version > SCHEMA_VERSION:
                return "newer"
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                return f"SQLite found it damaged: {check}"
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return f"SQLite cannot read it: {exc}"
    return None


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.unreadable-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.unreadable-{stamp}-{n}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):      # a journal belongs to the file it was moved with
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
    return aside
