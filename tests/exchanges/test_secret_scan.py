"""The scanner itself must be able to fail, and the redacting filter must work."""
from __future__ import annotations

import logging

from exchanges.redact import RedactingFilter, redact, register_secrets
from tests.exchanges import conftest as scan
from tests.exchanges.toy import SECRET


def test_scanner_catches_a_planted_secret():
    assert scan.hits([f"oops {SECRET} here"]) and not scan.hits(["nothing to see"])
    assert len(scan.SECRETS) >= 2


def test_redacting_filter_rewrites_records():
    register_secrets("s3cr3t-value-xyz")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "key=%s", ("s3cr3t-value-xyz",),
                               None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "key=***"
    assert redact("a s3cr3t-value-xyz b") == "a *** b"
