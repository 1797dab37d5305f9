"""JSON → Decimal parsing and Decimal → wire formatting."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchanges.numbers import (dec, decimals_to_increment, decoder, floor_to, is_multiple, levels,
                               loads, opt_dec, round_to, user_decimal, wire)

finite = st.decimals(allow_nan=False, allow_infinity=False, places=None,
                     min_value=Decimal("-1e30"), max_value=Decimal("1e30")
                     ).filter(lambda d: len(d.as_tuple().digits) <= 64)   # loads' MAX_DIGITS


def test_json_numbers_keep_the_venues_digits():
    data = loads('{"p": 43000.10, "q": 0.1, "n": 5, "e": 1e-8}')
    assert isinstance(data["p"], Decimal) and str(data["p"]) == "43000.10"
    assert data["q"] == Decimal("0.1")            # never 0.1000000000000000055…
    assert data["n"] == 5 and data["e"] == Decimal("1E-8")


@pytest.mark.parametrize("text", ['{"x": NaN}', '{"x": Infinity}', '{"x": -Infinity}'])
def test_json_non_finite_is_refused(text):
    with pytest.raises(ValueError):
        loads(text)


@given(finite)
def test_wire_round_trips_and_never_uses_exponents(d):
    text = wire(d)
    assert "E" not in text and "e" not in text
    assert Decimal(text) == d
    if "." in text:
        assert not text.endswith("0") and not text.endswith(".")


@given(finite)
def test_json_round_trip_through_wire(d):
    assert loads(json.dumps({"v": wire(d)}))["v"] == wire(d)
    assert dec(wire(d)) == d


@pytest.mark.parametrize("value,expected", [
    (Decimal("1E+2"), "100"), (Decimal("0.00000001"), "0.00000001"), (Decimal("-0"), "0"),
    (Decimal("1.2300"), "1.23"), (Decimal("37500"), "37500"), (Decimal("1.25"), "1.25"),
])
def test_wire_examples(value, expected):
    assert wire(value) == expected


def test_wire_refuses_floats_and_nan():
    for bad in (0.1, Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValueError):
            wire(bad)


@pytest.mark.parametrize("bad", [None, True, 1.5, "abc", "", "NaN", "inf", [], {}])
def test_dec_refuses_non_numbers(bad):
    with pytest.raises(ValueError):
        dec(bad)


def test_opt_dec():
    assert opt_dec(None) is None and opt_dec("") is None
    assert opt_dec("1.50") == Decimal("1.50")


@pytest.mark.parametrize("bad,words", [
    ("0", "greater than zero"), ("-1", "greater than zero"), ("abc", "must be a number"),
    (float("nan"), "must be a number"), (0.1, "not a float"), ("NaN", "must be a number"),
    (None, "must be a number"),
])
def test_user_decimal_says_what_is_wrong(bad, words):
    with pytest.raises(ValueError, match=words):
        user_decimal(bad, "the amount")


def test_rounding_to_increments():
    assert round_to(Decimal("43000.126"), Decimal("0.01")) == Decimal("43000.13")
    assert str(round_to(Decimal("1"), Decimal("0.01"))) == "1.00"
    assert floor_to(Decimal("0.123456789"), Decimal("0.00001")) == Decimal("0.12345")
    assert round_to(Decimal("17"), Decimal("5")) == Decimal("15")
    assert is_multiple(Decimal("0.30"), Decimal("0.1"))
    assert not is_multiple(Decimal("0.35"), Decimal("0.1"))
    assert decimals_to_increment(8) == Decimal("0.00000001")


@given(finite, st.sampled_from([Decimal("0.01"), Decimal("0.00001"), Decimal("5"),
                                Decimal("0.5")]))
def test_floor_to_is_a_multiple_not_above(value, inc):
    r = floor_to(abs(value), inc)
    assert is_multiple(r, inc) and r <= abs(value) and abs(value) - r < inc


@pytest.mark.parametrize("text", ['{"x": 1e999999}', '{"x": 1.5e-99999}',
                                  '{"x": 0.' + "1" * 100 + '}'])
def test_json_numbers_of_absurd_size_are_refused(text):
    with pytest.raises(ValueError, match="out of range"):
        loads(text)


@pytest.mark.parametrize("text", ["1E+999999", "-1e-999999", "9" * 100, 10 ** 100])
def test_dec_refuses_absurd_sizes(text):
    with pytest.raises(ValueError, match="out of range"):
        dec(text)


def test_levels_keep_the_venues_digits_and_refuse_non_finite():
    assert levels([["43000.10", "0.500", "extra"], ["42999", "1"]]) == [
        (Decimal("43000.10"), Decimal("0.500")), (Decimal("42999"), Decimal("1"))]
    assert str(levels([["43000.10", "0.500"]])[0][0]) == "43000.10"
    for bad in ([["NaN", "1"]], [["1", "Infinity"]], [["abc", "1"]], [[None, "1"]], [["1"]]):
        with pytest.raises((ValueError, TypeError, ArithmeticError, IndexError)):
            levels(bad)


# -- numbers.decoder: typed decoding for replies of a documented shape ---------------------------
def test_typed_decoder_keeps_every_digit_of_strings_and_numbers():
    decode = decoder(list[Decimal])
    got = decode(b'["0.12345678901234567890123", 0.12345678901234567890123, 1e-30, '
                 b'123456789012345678901234567890]')
    assert got == [Decimal("0.12345678901234567890123")] * 2 + [
        Decimal("1E-30"), Decimal("123456789012345678901234567890")]
    assert all(type(d) is Decimal for d in got)


def test_typed_decoder_refuses_another_shape_saying_where():
    decode = decoder(list[tuple[Decimal, Decimal]])
    with pytest.raises(ValueError, match=r"length 2 - at `\$\[1\]`"):
        decode(b'[["1", "2"], ["1", "2", "3"]]')
    with pytest.raises(ValueError, match=r"Invalid decimal string - at `\$\[0\]\[1\]`"):
        decode(b'[["1", "1,5"]]')
    with pytest.raises(ValueError):
        decode(b'[["1", "2"]')                                   # truncated


def test_untyped_parts_of_a_typed_reply_still_get_decimal_not_float():
    got = decoder(dict[str, Any])(b'{"a": 1.10, "b": [2.5e3]}')
    assert got == {"a": Decimal("1.10"), "b": [Decimal("2.5E+3")]}
    assert type(got["a"]) is Decimal


@pytest.mark.parametrize("bad", ["NaN", "-Infinity", "inf", "sNaN", " nan ", "\\u004eaN",
                                 "\\u0049\\u006e\\u0066"])          # "Inf" spelled in escapes
def test_typed_decoder_refuses_nan_and_infinity_however_spelled(bad):
    decode = decoder(list[tuple[Decimal, Decimal]])
    for raw in (f'[["1", "2"], ["{bad}", "1"]]', f'[["1", "2"], ["{bad}", "1"]]'.encode()):
        with pytest.raises(ValueError, match="not a finite number"):
            decode(raw)


def test_typed_decoder_checks_every_value_when_the_text_has_an_n():
    # A key with an n (or a null) takes the slow path: all finite values still come through,
    # and a NaN deep inside is still found.
    decode = decoder(dict[str, Any])
    assert decode(b'{"name": null, "rows": [["1.5", "2"]], "n": 3.25}') == {
        "name": None, "rows": [["1.5", "2"]], "n": Decimal("3.25")}
    rows = decoder(dict[str, list[tuple[Decimal, Decimal]]])
    assert rows(b'{"bids": [["1.5", "2"]], "asksNote": []}') == {
        "bids": [(Decimal("1.5"), Decimal("2"))], "asksNote": []}
    with pytest.raises(ValueError, match="not a finite number"):
        rows(b'{"bids": [["1.5", "2"], ["1.4", "-inf"]], "asks": []}')


def test_levels_refuse_nan_and_infinity():
    assert levels([["1", "2"]]) == [(Decimal("1"), Decimal("2"))]
    for bad in ("NaN", "Infinity"):
        with pytest.raises(ValueError, match="not a finite number"):
            levels([["1", "2"], ["1", bad]])
