"""TSV rows written from columns in NumPy: every cell a zero-padded byte matrix, laid side by
side with the tabs, then the padding squeezed out in one pass.

NUL never occurs in VCF text (the columnar path reads only printable ASCII), so a zero byte can
only be padding. Integers become digit matrices with their leading zeros blanked; strings come
from small tables of distinct values indexed by code. The bytes are exactly those of
`mtb.rows.tsv_line` (the tests compare both on every file).
"""

from __future__ import annotations

import numpy as np

WIDEST = 1024  # a row wider than this (a very long allele) is written by the row-wise writer
_POWERS = 10 ** np.arange(19, dtype=np.int64)


def table_matrix(names: list[str]) -> np.ndarray:
    """Distinct strings as a (k, width) byte matrix, zero-padded."""
    width = max((len(name) for name in names), default=0) or 1
    blob = b"".join(name.encode("ascii").ljust(width, b"\0") for name in names)
    return np.frombuffer(blob, np.uint8).reshape(len(names), width)


_SMALL = 1000
_SMALL_TEXT: np.ndarray | None = None


def _small_text() -> np.ndarray:
    """0..999 as a (1000, 3) right-aligned digit matrix, leading zeros blanked."""
    global _SMALL_TEXT
    if _SMALL_TEXT is None:
        _SMALL_TEXT = table_matrix([str(i).rjust(3, "\0") for i in range(_SMALL)])
    return _SMALL_TEXT


def int_matrix(values: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Non-negative integers as right-aligned digit matrices, leading zeros blanked."""
    n = len(values)
    largest = int(values.max()) if n else 0
    if largest < _SMALL and (n == 0 or int(values.min()) >= -1):
        matrix = _small_text()[np.maximum(values, 0)]
        width = len(str(largest))
        matrix = np.ascontiguousarray(matrix[:, 3 - width :])
        if missing is not None:
            matrix[missing] = 0
        return matrix
    width = max(len(str(largest)), 1)
    digits = (values[:, None] // _POWERS[width - 1 :: -1][None, :]) % 10
    matrix = (digits + 48).astype(np.uint8)
    length = np.ones(n, np.int64)
    for power in range(1, width):
        length += values >= _POWERS[power]
    matrix[np.arange(width)[None, :] < (width - length)[:, None]] = 0
    if missing is not None:
        matrix[missing] = 0
    return matrix


def assemble(parts: list[np.ndarray | bytes], rows: int) -> str | None:
    """Row i is the concatenation of row i of every matrix and every constant; None when the
    rows would be wider than WIDEST."""
    widths = [part.shape[1] if isinstance(part, np.ndarray) else len(part) for part in parts]
    total = sum(widths)
    if total > WIDEST:
        return None
    out = np.zeros((rows, total), np.uint8)
    column = 0
    for part, width in zip(parts, widths, strict=True):
        if isinstance(part, np.ndarray):
            out[:, column : column + width] = part
        else:
            out[:, column : column + width] = np.frombuffer(part, np.uint8)[None, :]
        column += width
    return out[out != 0].tobytes().decode("ascii")
