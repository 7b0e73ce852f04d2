"""Decoding of escaped values as real VCFs write them.

VCF 4.3 percent-encodes reserved characters inside INFO/FORMAT values ('%3A' ':', '%3B' ';',
'%3D' '=', '%25' '%', '%2C' ','); pVACtools writes FREQ=29.63%25. CIViCpy writes '\\x2E'-style
escapes instead. Both are decoded only when a value holds an escape, so the common case costs
one substring test.
"""

from __future__ import annotations

import re

_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_BACKSLASH_X = re.compile(r"\\x([0-9A-Fa-f]{2})")


def percent_decode(value: str) -> str:
    """'29.63%25' -> '29.63%'; values without '%XX' come back unchanged."""
    if "%" not in value:
        return value
    return _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), value)


def decode_value(value: str) -> str:
    """Percent-encoding (VCF 4.3) and '\\xNN' escapes (CIViCpy) both decoded."""
    if "\\x" in value:
        value = _BACKSLASH_X.sub(lambda m: chr(int(m.group(1), 16)), value)
    return percent_decode(value)
