"""JSON → Decimal, Decimal → wire string, rounding to increments.

Prices and amounts never pass through `float`: JSON numbers are parsed straight to `Decimal`
from the reply's own digits, and user input is checked here before anything is sent.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from itertools import chain

__all__ = ["loads", "decoder", "dec", "opt_dec", "levels", "wire", "round_to", "user_decimal",
           "decimals_to_increment"]

_ZERO = Decimal(0)


# No price, amount or timestamp needs more: a number beyond these is a broken or hostile reply,
# and refusing it here keeps `int(Decimal("1E+999999"))` (a million-digit int) out of parsers.
MAX_DIGITS = 64
MAX_EXPONENT = 64


def _bounded(d: Decimal, source: object) -> Decimal:
    """`d` if within MAX_DIGITS / MAX_EXPONENT, else ValueError quoting `source`.

    On the hot path of every parser: the exponent is one C call, and the digits are counted
    (`as_tuple`, ~5× slower) only when d's text is long enough to hold that many."""
    if d.is_finite() and (abs(d.adjusted()) > MAX_EXPONENT or (
            len(str(d)) > MAX_DIGITS and len(d.as_tuple().digits) > MAX_DIGITS)):
        raise ValueError(f"number out of range: {str(source)[:20]}…")
    return d


def _parse_float(text: str) -> Decimal:
    # A JSON numeral (json's scanner matched it: digits, '.', an exponent) that is this short
    # and has no exponent cannot go beyond the bounds.
    if len(text) <= MAX_DIGITS and "e" not in text and "E" not in text:
        return Decimal(text)
    return _bounded(Decimal(text), text)


_untyped = None     # msgspec's decoder, made at the first reply (see `decoder` on the import)


def loads(text: str | bytes):
    """Parse JSON with every non-integer number as `Decimal` (never float); NaN/Infinity and
    numbers of absurd size refused (ValueError, as for any malformed text).

    msgspec parses a streamed frame ~2-3× faster than the standard library's json with a
    parse_float hook (6.1 → 2.0 µs a Binance ticker frame), and every frame of every venue
    comes through here. Integers stay ints (one of over 4,300 digits is refused, as Python
    refuses it; dec() bounds any that is used as money)."""
    global _untyped
    if _untyped is None:
        import msgspec
        _untyped = msgspec.json.Decoder(float_hook=_parse_float)
    if not isinstance(text, str):
        encoding = json.detect_encoding(text)      # (a BOM, UTF-16 or -32: as json.loads)
        if encoding != "utf-8":
            text = text.decode(encoding, "surrogatepass")
    return _untyped.decode(text)


def decoder(shape) -> Callable[[bytes | str], object]:
    """A JSON decoder straight into `shape` (a TypedDict, `list[tuple[Decimal, Decimal]]`, …).

    For the biggest replies, whose shape the venue documents (a 5,000-level book): msgspec
    builds each Decimal in C from the venue's own digits while it parses, with no dict-of-lists
    of strings to walk a second time. A reply of another shape raises ValueError naming where
    (`Expected `array` of length 2 - at `$.bids[3]``). Lax about ids sent as strings
    ("25445101" for an int), as ccxt's recorded replies carry them. As with `loads`, no Decimal
    it returns is NaN or infinite (ValueError)."""
    import msgspec      # here, not at the top: ~30 ms of imports the demo venue never needs

    typed = msgspec.json.Decoder(shape, strict=False, float_hook=_parse_float)

    def decode(raw: bytes | str):
        try:
            value = typed.decode(raw)
        except msgspec.DecodeError as exc:
            raise ValueError(str(exc)) from None
        if _may_spell_non_finite(raw):
            _refuse_non_finite(value)
        return value
    return decode


def _may_spell_non_finite(raw: bytes | str) -> bool:
    """Whether some value in this JSON text could read as NaN or Infinity. Decimal spells them
    NaN, sNaN, Inf or Infinity (any case), all with an n, and JSON could hide letters in a
    \\u escape: a text with no n, N or backslash holds only finite numbers. Three memchr
    scans (~50 µs over a 5,000-level book) spare a check of every one of its 20,000 values."""
    if isinstance(raw, str):
        return "n" in raw or "N" in raw or "\\" in raw
    return b"n" in raw or b"N" in raw or b"\\" in raw


def _refuse_non_finite(value) -> None:
    """ValueError if any Decimal inside `value` (dicts, lists, tuples) is NaN or infinite."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is Decimal:
            if not item.is_finite():
                raise ValueError(f"not a finite number: {item}")
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind is dict:
            stack.extend(item.values())


def dec(value) -> Decimal:
    """A finite Decimal from a venue value (str, int or Decimal). Raises ValueError otherwise.

    The hot path of every parser: a short plain numeral ("43000.10") skips the size check,
    since it cannot hold more than MAX_DIGITS digits or an exponent beyond MAX_EXPONENT."""
    if type(value) is str:
        try:
            d = Decimal(value)          # Decimal itself ignores surrounding white space
        except InvalidOperation:
            raise ValueError(f"not a number: {value[:40]!r}") from None
        if not d.is_finite():
            raise ValueError(f"not a finite number: {value[:40]!r}")
        if len(value) > MAX_DIGITS or "e" in value or "E" in value:
            _bounded(d, value)
        return d
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int) and not isinstance(value, bool):
        d = Decimal(value)
    elif isinstance(value, str):        # a str subclass
        return dec(str(value))
    else:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not d.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return _bounded(d, value)


_finite = Decimal.is_finite


def levels(rows) -> list[tuple[Decimal, Decimal]]:
    """Order book rows `[price, amount, …]` (the venue's strings) → [(price, amount)].

    Decimal straight from the strings, then one C-level pass refusing NaN and Infinity
    (a book of documented shape is faster through `decoder`)."""
    out = [(Decimal(r[0]), Decimal(r[1])) for r in rows]
    if not all(map(_finite, chain.from_iterable(out))):
        raise ValueError("a book level is not a finite number")
    return out


def opt_dec(value) -> Decimal | None:
    """`dec(value)`, or None for None / empty string."""
    if value is None or value == "":
        return None
    return dec(value)


def wire(value: Decimal) -> str:
    """The plain decimal string a venue expects: no exponent, no trailing zeros, no float noise."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"cannot send {value!r} as a number")
    text = format(value, "f")       # exact digits; normalize() would round to 28 digits
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "", "0") else text


def round_to(value: Decimal, increment: Decimal, rounding=ROUND_HALF_EVEN) -> Decimal:
    """Round `value` to a whole multiple of `increment`, shown with the increment's digits."""
    if not increment:
        return value
    with localcontext() as ctx:
        ctx.prec = 80          # exact for any price or amount a venue deals in
        steps = (value / increment).to_integral_value(rounding=rounding)
        result = steps * increment
        exp = increment.normalize().as_tuple().exponent
        if isinstance(exp, int) and exp < 0:
            result = result.quantize(Decimal(1).scaleb(exp))
        return result


def floor_to(value: Decimal, increment: Decimal) -> Decimal:
    """Round toward zero to a multiple of `increment` (amounts: never more than asked)."""
    return round_to(value, increment, ROUND_DOWN)


def is_multiple(value: Decimal, increment: Decimal) -> bool:
    if not increment:
        return True
    with localcontext() as ctx:
        ctx.prec = 80
        return (value % increment) == _ZERO


def decimals_to_increment(places: int) -> Decimal:
    """8 → Decimal('0.00000001')."""
    return Decimal(1).scaleb(-int(places))


def user_decimal(value, what: str) -> Decimal:
    """A positive finite Decimal from user input (Decimal, int or str). Raises ValueError in words.

    A float is refused: it may already carry binary noise (0.1 + 0.2), so money must arrive as
    a string or Decimal.
    """
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"{what} must be a number, not {value}")
        raise ValueError(f"{what} must be given as a Decimal or a string, not a float ({value!r})")
    try:
        d = dec(value)
    except ValueError:
        raise ValueError(f"{what} must be a number, not {str(value)[:40]!r}") from None
    if d <= 0:
        raise ValueError(f"{what} must be greater than zero, not {wire(d)}")
    return d
