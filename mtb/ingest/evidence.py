"""The caller conventions of mtb.ingest.callers as array expressions over a chunk's columns.

Only FORMAT/AF (Mutect2, VarDict, DRAGEN) and FORMAT/AD are read here, with the per-record
reader's rules exactly: AD's alt count at index allele+1; DP, else the sum of AD when every
value is there and the sample has as many as the record's longest (cyvcf2 pads shorter ones
with a missing value); AF as float32 widened (FORMAT/AF) or alt / depth (FORMAT/AD). Variant
types are found per distinct REF/ALT pair (`variant_kinds`), as mtb.variant.classify_small does.
"""

from __future__ import annotations

import numpy as np

from mtb.ingest import callers
from mtb.ingest.batches import Coded
from mtb.ingest.sound import FLOAT_VALUES
from mtb.ingest.vectors import MISSING, TextBlock, float_tokens, token_ranges, unsigned_single
from mtb.variant import VariantType, classify_small

CONVENTIONS = ("FORMAT/AF", "FORMAT/AD")  # the conventions read in columns
KEYS = ("AF", "AD", "DP")  # the FORMAT values they read


def variant_kinds(
    ref_names: list[str], ref_code: np.ndarray, alt_names: list[str], alt_code: np.ndarray
) -> Coded:
    """The variant type of each row: SNV by length, the rest per distinct REF/ALT pair."""
    ref_len = np.array([len(name) for name in ref_names], np.int64)
    alt_len = np.array([len(name) for name in alt_names], np.int64)
    names = [kind.value for kind in VariantType]
    code = np.full(len(ref_code), names.index(VariantType.SNV.value), np.int64)
    if not len(ref_code):
        return Coded(names, code)
    ref_length, alt_length = ref_len[ref_code], alt_len[alt_code]
    ref_first = np.array([ord(name[0]) for name in ref_names])[ref_code]
    ref_last = np.array([ord(name[-1]) for name in ref_names])[ref_code]
    alt_first = np.array([ord(name[0]) for name in alt_names])[alt_code]
    alt_last = np.array([ord(name[-1]) for name in alt_names])[alt_code]
    # one base on one side, sharing its first or last base with the other: classify_small
    # trims it and finds an insertion (REF the single base) or a deletion (ALT)
    inserted = (ref_length == 1) & (alt_length > 1) & (
        (alt_first == ref_first) | (alt_last == ref_first))
    deleted = (alt_length == 1) & (ref_length > 1) & (
        (ref_first == alt_first) | (ref_last == alt_first))
    code[inserted] = names.index(VariantType.INSERTION.value)
    code[deleted] = names.index(VariantType.DELETION.value)
    other = np.flatnonzero(((ref_length != 1) | (alt_length != 1)) & ~inserted & ~deleted)
    if len(other):
        pairs = ref_code[other] * len(alt_names) + alt_code[other]
        unique, inverse = np.unique(pairs, return_inverse=True)
        table = np.array([
            names.index(classify_small(ref_names[pair // len(alt_names)],
                                       alt_names[pair % len(alt_names)]).value)
            for pair in unique.tolist()
        ], np.int64)
        code[other] = table[inverse.ravel()]
    return Coded(names, code)


Ranges = dict[str, tuple[np.ndarray, np.ndarray]]  # FORMAT key -> (starts, ends) per line
Fields = dict[tuple[int, int], tuple[np.ndarray, Ranges]]  # (layout, sample) -> lines, ranges


def evidence(
    block: TextBlock,
    fields: Fields,
    layout_names: list[str],
    row_layout: np.ndarray,
    row_line: np.ndarray,
    allele: np.ndarray,
    samples: list[int],
    columns: int,
) -> tuple[np.ndarray, ...]:
    """(vaf, alt reads, depth) per row for each of `samples` (tumor, then normal), by the
    caller convention of each row's FORMAT layout; `columns` is the number of sample columns."""
    rows = len(row_line)
    out = [np.full(rows, MISSING, np.int64) for _ in range(6)]
    out[0], out[3] = np.full(rows, np.nan), np.full(rows, np.nan)
    for code, layout in enumerate(layout_names):
        keys = layout.split(":")
        convention = callers.choose_convention(tuple(keys), True).name
        where = np.flatnonzero(row_layout == code)
        if not len(where):
            continue
        lines = fields[code, 0][0]
        local = np.searchsorted(lines, row_line[where])  # row -> line of the layout
        per_sample = [fields[code, sample][1] for sample in range(columns)]
        ad_most = ad = None
        if "AD" in keys:
            ad = [matrix_of(block, *found["AD"]) for found in per_sample]
            ad_most = np.maximum.reduce(
                [np.count_nonzero(matrix == 44, axis=1) + 1 for matrix in ad])
        for slot, sample in enumerate(samples):
            vaf, alt, depth = _sample_evidence(
                block, keys, per_sample[sample], ad[sample] if ad else None, ad_most,
                allele[where], local, convention,
            )
            out[3 * slot][where] = vaf
            out[3 * slot + 1][where] = alt
            out[3 * slot + 2][where] = depth
    return tuple(out)


def value_ranges(colons: np.ndarray, begin: np.ndarray, end: np.ndarray, keys: list[str]) -> Ranges:
    """Where the AF, AD and DP values of one sample column are. A plain sample column has
    exactly one value per key, so len(keys) - 1 colons, all after the column's start."""
    first = np.searchsorted(colons, begin)
    out = {}
    for index, key in enumerate(keys):
        if key not in KEYS:
            continue
        start = begin if index == 0 else colons[first + index - 1] + 1
        stop = end if index == len(keys) - 1 else colons[first + index]
        out[key] = (start, stop)
    return out


def _first_token(block: TextBlock, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The bytes of each range up to its first comma."""
    matrix = matrix_of(block, begin, end)
    comma = matrix == 44
    if comma.any():
        matrix = matrix * (np.cumsum(comma, axis=1) == 0)
    return matrix


def matrix_of(block: TextBlock, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    return block.matrix(begin, end - begin)


def _sample_evidence(
    block: TextBlock,
    keys: list[str],
    found: Ranges,
    ad_matrix: np.ndarray | None,
    ad_most: np.ndarray | None,
    allele: np.ndarray,
    local: np.ndarray,
    convention: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One sample's evidence per row, by the per-record reader's rules (mtb.ingest.callers):
    AD's alt count at index allele+1; DP, else the sum of AD when every value is there and
    the sample has as many as the record's longest (cyvcf2 pads shorter ones); AF as float32
    (FORMAT/AF) or alt / depth (FORMAT/AD)."""
    rows = len(allele)
    alt = np.full(rows, MISSING, np.int64)
    total = np.full(rows, MISSING, np.int64)
    if "AD" in keys:
        assert ad_matrix is not None and ad_most is not None
        most = int(ad_most.max())
        ad_begin = found["AD"][0]
        matrix = ad_matrix
        count = np.count_nonzero(matrix == 44, axis=1) + 1
        values = np.stack([
            unsigned_single(matrix_of(block, begin, end))
            for begin, end in token_ranges(matrix, ad_begin, most)
        ], axis=1)
        present = np.arange(most)[None, :] < count[:, None]
        values[~present] = MISSING
        index = allele + 1
        inside = index < count[local]
        alt = np.where(inside, values[local, np.minimum(index, most - 1)], MISSING)
        complete = (count == ad_most) & ((values != MISSING) | ~present).all(axis=1)
        sums = np.where(present, values, 0).sum(axis=1)
        total = np.where(complete, sums, MISSING)[local]
    depth = total
    if "DP" in keys:
        dp = unsigned_single(_first_token(block, *found["DP"]))
        depth = np.where(dp[local] != MISSING, dp[local], total)
    if convention == "FORMAT/AF":
        most = int(allele.max()) + 1
        values, count, _plain = float_tokens(block, *found["AF"], most, FLOAT_VALUES)
        inside = allele < count[local]
        vaf = np.where(inside, values[local, np.minimum(allele, most - 1)], np.nan)
    else:
        usable = (alt != MISSING) & (depth != MISSING) & (depth != 0)
        vaf = np.full(rows, np.nan)
        vaf[usable] = alt[usable] / depth[usable]
    return vaf, alt, depth
