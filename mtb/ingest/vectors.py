"""NumPy primitives over a chunk of VCF text: byte ranges in, columns of values out.

Every function works on whole columns (one range per line) without a Python step per line:
ranges are copied into a byte matrix (one row per line, zero-padded), text becomes codes into
the column's distinct values (a VCF has few distinct CHROM, FILTER, REF or AF strings; they are
found by hashing the rows, not by sorting strings), unsigned integers are read digit by digit
across all lines at once, and floats are parsed once per distinct spelling by Python's float()
(correctly rounded, like htslib's strtod) and narrowed to float32 as htslib stores them.
"""

from __future__ import annotations

import re

import numpy as np

MISSING = -1
PAD = 4096  # the widest range read as a matrix; wider ones are sliced one by one
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_MASKS: dict[int, np.ndarray] = {}


def _masks(width: int) -> np.ndarray:
    """Row L: L ones then zeros, as one void item per row (for masking padded ranges)."""
    masks = _MASKS.get(width)
    if masks is None:
        ones = np.tril(np.ones((width + 1, width), np.uint8), -1)
        masks = _MASKS[width] = np.ascontiguousarray(ones).view(f"V{width}").ravel()
    return masks


class TextBlock:
    """A chunk of text as bytes, padded so that any range up to PAD bytes can be windowed."""

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.buffer = np.frombuffer(text + bytes(PAD), np.uint8)

    def matrix(self, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """An (n, width) byte matrix of the ranges, zero beyond each range's length.

        Each row is copied as one `width`-byte item (a void-typed view of the text at every
        offset), several times faster than copying byte by byte."""
        n = len(starts)
        width = int(lengths.max()) if n else 0
        if width == 0:
            return np.zeros((n, 1), np.uint8)
        if width > PAD:
            raise ValueError("range wider than PAD")
        items = np.ndarray(shape=(len(self.buffer) - width,), dtype=f"V{width}",
                           buffer=self.buffer.data, strides=(1,))
        rows = items[starts].view(np.uint8).reshape(n, width)
        rows *= _masks(width)[lengths].view(np.uint8).reshape(n, width)
        return rows


def codes(block: TextBlock, starts: np.ndarray, ends: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The distinct strings of the ranges and, for each range, the index of its string.

    Ranges of at most 8 bytes (most CHROM, REF, ALT, QUAL, ID, AF values) are read as one
    little-endian integer each; longer ones as matrix rows."""
    lengths = ends - starts
    if len(starts) == 0:
        return [], np.zeros(0, np.int64)
    short = lengths <= 8
    if short.all():
        return _short_codes(block, starts, lengths)
    if int(lengths.max()) > PAD:
        return _codes_by_slicing(block.text, starts, ends)
    if not short.any():
        return matrix_codes(block.matrix(starts, lengths), lengths)
    names, code = _short_codes(block, starts[short], lengths[short])
    long = ~short
    long_names, long_code = matrix_codes(block.matrix(starts[long], lengths[long]),
                                         lengths[long])
    out = np.empty(len(starts), np.int64)
    out[short] = code
    out[long] = long_code + len(names)
    return names + long_names, out


_LOW_BYTES = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [(1 << 64) - 1], np.uint64)


def _short_codes(
    block: TextBlock, starts: np.ndarray, lengths: np.ndarray
) -> tuple[list[str], np.ndarray]:
    words = np.ndarray(shape=(len(block.buffer) - 8,), dtype="<u8", buffer=block.buffer.data,
                       strides=(1,))
    keys = words[starts] & _LOW_BYTES[lengths]
    unique, inverse = np.unique(keys, return_inverse=True)
    names = [int(key).to_bytes(8, "little").rstrip(b"\0").decode("ascii")
             for key in unique.tolist()]
    return names, inverse.ravel().astype(np.int64)


def matrix_codes(matrix: np.ndarray, lengths: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Distinct rows of a byte matrix (as str) and each row's index among them."""
    n, width = matrix.shape
    words = (width + 7) // 8
    padded = np.zeros((n, words * 8), np.uint8)
    padded[:, :width] = matrix
    view = padded.view(np.uint64)
    key = lengths.astype(np.uint64)
    with np.errstate(over="ignore"):
        for column in range(words):
            key = key * _MULTIPLIER + view[:, column]
            key ^= key >> np.uint64(29)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    if not np.array_equal(padded, padded[first[inverse]]):  # a hash collision: exact way
        keys = np.ascontiguousarray(padded).view(f"S{words * 8}").ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
    names = [
        matrix[row, :length].tobytes().decode("ascii")
        for row, length in zip(first.tolist(), lengths[first].tolist(), strict=True)
    ]
    return names, inverse.astype(np.int64)


def _codes_by_slicing(
    text: bytes, starts: np.ndarray, ends: np.ndarray
) -> tuple[list[str], np.ndarray]:
    seen: dict[bytes, int] = {}
    inverse = [
        seen.setdefault(text[start:end], len(seen))
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
    ]
    return [value.decode("ascii") for value in seen], np.asarray(inverse, np.int64)


def unsigned_single(matrix: np.ndarray) -> np.ndarray:
    """One unsigned integer per row of digits ('.' or nothing -> MISSING)."""
    width = matrix.shape[1]
    digits = matrix.astype(np.int64) - 48
    is_digit = (digits >= 0) & (digits <= 9)
    length = np.count_nonzero(is_digit, axis=1)
    exponent = length[:, None] - 1 - np.arange(width)[None, :]
    values = (np.where(is_digit, digits, 0) * _POW10[np.clip(exponent, 0, 18)]).sum(axis=1)
    values[length == 0] = MISSING
    return values


_POW10 = 10 ** np.arange(19, dtype=np.int64)


def token_ranges(
    matrix: np.ndarray, starts: np.ndarray, count: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(start, end) in the text of the first `count` comma-separated tokens of each row
    (empty ranges for tokens a row does not have)."""
    comma = matrix == 44
    token = np.cumsum(comma, axis=1)
    body = (matrix != 0) & ~comma
    out = []
    for index in range(count):
        mine = (token == index) & body
        length = np.count_nonzero(mine, axis=1)
        begin = starts + np.where(length > 0, np.argmax(mine, axis=1), 0)
        out.append((begin, begin + length))
    return out


def float_tokens(
    block: TextBlock, starts: np.ndarray, ends: np.ndarray, count: int, plain: re.Pattern[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Comma-separated floats of each range, parsed once per distinct spelling: values
    (n, count) as float32 widened to float64 (NaN for '.' and absent tokens), the number of
    tokens of each row, and whether each row's spelling is plain (matches `plain`)."""
    names, inverse = codes(block, starts, ends)
    table = np.full((len(names), count), np.nan)
    number = np.zeros(len(names), np.int64)
    sound = np.zeros(len(names), bool)
    for code, name in enumerate(names):
        parsed = _FLOATS.get(name)
        if parsed is None:
            parsed = _parse_floats(name, plain)
            if len(_FLOATS) < 1 << 20:  # spellings repeat from chunk to chunk; bounded
                _FLOATS[name] = parsed
        if not parsed:
            continue
        sound[code] = True
        number[code] = len(parsed)
        for index, value in enumerate(parsed[:count]):
            table[code, index] = value
    return table[inverse], number[inverse], sound[inverse]


_FLOATS: dict[str, tuple[float, ...]] = {}


def _parse_floats(name: str, plain: re.Pattern[str]) -> tuple[float, ...]:
    """'0.25,.' -> (0.25, nan) as float32 widened; () when the spelling is not plain."""
    if not plain.fullmatch(name):
        return ()
    return tuple(np.nan if part == "." else float(np.float32(float(part)))
                 for part in name.split(","))
