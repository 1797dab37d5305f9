"""The shared signing helpers."""
from __future__ import annotations

import base64
import hashlib
import hmac
from decimal import Decimal

import pytest

from exchanges.core.signing import b64decode, hmac_b64, hmac_hex, sha256, urlencode_params


def test_hmac_hex_sha256_binance_documented_vector():
    # Binance's request-security page, HMAC example (key/secret published there).
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    payload = ("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
               "&recvWindow=5000&timestamp=1499827319559")
    assert hmac_hex(secret, payload) == (
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")


@pytest.mark.parametrize("algo", ["sha256", "sha384", "sha512"])
def test_hmac_forms_agree_with_stdlib(algo):
    want = hmac.new(b"k", b"m", getattr(hashlib, algo)).digest()
    assert hmac_hex("k", "m", algo) == want.hex()
    assert base64.b64decode(hmac_b64(b"k", b"m", algo)) == want


def test_sha256_and_b64decode():
    assert sha256("abc") == hashlib.sha256(b"abc").digest()
    assert b64decode(base64.b64encode(b"\x00\x01").decode()) == b"\x00\x01"
    with pytest.raises(ValueError, match="not valid base64") as info:
        b64decode("not*base64!")
    assert "not*base64!" not in str(info.value)


def test_urlencode_params_order_and_values():
    q = urlencode_params([("symbol", "BTC/USD"), ("qty", Decimal("1.2500")),
                          ("post", True), ("skip", None), ("n", 5)])
    assert q == "symbol=BTC%2FUSD&qty=1.25&post=true&n=5"


def test_a_scheme_naming_the_passphrase_refuses_keys_without_one():
    from exchanges import AuthenticationError, Credentials
    from exchanges.core.adapter import Exchange
    from exchanges.core.auth import Hmac
    from exchanges.core.transport import Request

    class Venue(Exchange):
        id, name = "pp", "PassVenue"
        auth = Hmac(prehash="{stamp}{method}{path}", digest="base64", stamp="iso",
                    headers={"K": "{key}", "P": "{passphrase}", "S": "{signature}"})
    assert Venue.auth.names("passphrase") and not Venue.auth.names("uid")
    with pytest.raises(AuthenticationError, match="passphrase") as info:
        Venue(credentials=Credentials("key", "secret")).sign(Request("GET", "/x"))
    assert "PassVenue" in str(info.value)
    signed = Venue(credentials=Credentials("key", "secret", passphrase="pw"),
                   clock=lambda: 0).sign(Request("GET", "/x"))
    assert signed.headers["P"] == "pw" and signed.headers["K"] == "key"


def test_hmac_signs_a_nonce_beside_the_timestamp():
    import uuid

    import exchanges
    from exchanges.core.auth import Hmac
    from exchanges.core.transport import Request
    scheme = Hmac(prehash="{nonce}{stamp}{method}{path}", stamp="ms", nonce="uuid",
                  headers={"N": "{nonce}", "T": "{stamp}", "S": "{signature}"})
    ex = exchanges.create("binance", credentials=exchanges.Credentials("k", "s"),
                          clock=lambda: 42)
    ex.time_offset = 0
    req = scheme.sign(ex, Request("GET", "/p"))
    nonce = req.headers["N"]
    assert uuid.UUID(nonce).version == 4 and req.headers["T"] == "42"
    assert req.headers["S"] == hmac_hex("s", f"{nonce}42GET/p")
    assert scheme.sign(ex, Request("GET", "/p")).headers["N"] != nonce     # fresh each time
