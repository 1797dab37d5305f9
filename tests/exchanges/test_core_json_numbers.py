"""Bodies of venues that type prices as JSON numbers ("json_numbers"): exact digits, no float."""
from __future__ import annotations

import json
from decimal import Decimal

from exchanges.core.auth import json_compact
from exchanges.core.transport import Request


def test_decimals_become_json_numbers_with_their_own_digits():
    data = {"text": "\x000\x00", "price": Decimal("440000.010"), "amount": Decimal("0.1"),
            "qty": "0.001", "side": "buy", "n": 3, "tiny": Decimal("1E-8")}
    text = json_compact(data, numbers=True)
    assert text == ('{"text":"\\u00000\\u0000","price":440000.01,"amount":0.1,"qty":"0.001",'
                    '"side":"buy","n":3,"tiny":0.00000001}')
    assert json.loads(text, parse_float=Decimal)["price"] == Decimal("440000.010")
    assert json_compact({"price": Decimal("1.5")}) == '{"price":"1.5"}'      # default: strings


def test_a_json_numbers_request_is_sent_as_json():
    req = Request("POST", "/x", data={"price": Decimal("1.25"), "skip": None},
                  body_format="json_numbers")
    req.encode_body()
    assert req.body == '{"price":1.25}'
    assert req.headers["Content-Type"] == "application/json"
