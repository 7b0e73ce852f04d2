"""The shared vocabulary of sequence changes (mtb.sequence): SO terms and protein notation."""

from __future__ import annotations

import pytest

from mtb.sequence import (
    CODING,
    NONSYNONYMOUS,
    SO_SEVERITY,
    has_three_letter_codes,
    long_protein,
    one_letter,
    severity,
    so_term,
)


def test_severity_ranks_the_most_severe_term() -> None:
    assert severity(["intron_variant", "stop_gained"]) == SO_SEVERITY.index("stop_gained")
    assert severity([]) == len(SO_SEVERITY)
    assert severity(["not_a_term"]) == len(SO_SEVERITY)


def test_so_term_spelling() -> None:
    assert so_term("Stop_Gained") == "stop_gained"
    assert so_term("5_PRIME_UTR_VARIANT") == "5_prime_UTR_variant"
    assert so_term("Unknown_Term") == "unknown_term"


def test_nonsynonymous_is_coding_but_synonymous_is_not_nonsynonymous() -> None:
    assert "synonymous_variant" in CODING and "synonymous_variant" not in NONSYNONYMOUS
    assert NONSYNONYMOUS - {"transcript_ablation"} <= CODING
    assert all(term in SO_SEVERITY for term in NONSYNONYMOUS | CODING)


@pytest.mark.parametrize(("given", "short"), [
    ("p.Val600Glu", "p.V600E"),
    ("p.(Gly12Cys)", "p.G12C"),
    ("Glu11GlyfsTer5", "p.E11Gfs*5"),
    ("p.V600E", "p.V600E"),
    ("", ""),
])
def test_one_letter(given: str, short: str) -> None:
    assert one_letter(given) == short


def test_three_letter_codes_are_recognised_and_written() -> None:
    assert has_three_letter_codes("p.Val600Glu") and not has_three_letter_codes("p.V600E")
    assert long_protein("p.V600E") == "p.Val600Glu"
    assert long_protein("V600E") == ""
