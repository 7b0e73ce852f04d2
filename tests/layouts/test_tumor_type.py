"""The tumor type form (layouts.tumor_type): the page starts with the suggestions only, and
what the curator types finds terms by name, OncoTree code or DOID."""

from __future__ import annotations

import pytest

from annotation.model import Diagnosis
from layouts.tumor_type import MATCHES, matching_options, tumor_type_options
from mtb.library import tumor_type_terms

BACK = {"label": "from the diagnosis text", "value": ""}


@pytest.mark.parametrize(("typed", "first"), [
    ("LUAD", "DOID:3910"),  # OncoTree code
    ("luad", "DOID:3910"),
    ("DOID:3910", "DOID:3910"),
    ("colorectal adeno", "DOID:0050861"),  # words in any part of the name
    ("lung adenocarcinoma", "DOID:3910"),  # the name itself before longer ones holding it
    ("paraganglioma", "DOID:0050773"),  # a tumor the slim keeps outside 'cancer'
])
def test_typed_words_find_the_term(typed: str, first: str) -> None:
    found = matching_options(tumor_type_terms(), typed, [BACK])
    assert found[0] == BACK and found[1]["value"] == first
    assert len(found) <= MATCHES + 1


@pytest.mark.parametrize("typed", ["xyzzy", "lung zzz", "DOID:99999999", "   "])
def test_nothing_found_keeps_only_the_way_back(typed: str) -> None:
    assert matching_options(tumor_type_terms(), typed, [BACK]) == [BACK]


def test_the_page_starts_with_the_suggestions_not_the_whole_slim() -> None:
    weak = Diagnosis("Karzinom, Lunge oder Bronchus", "DOID:1324", "lung cancer",
                     confidence="low", candidates=(("DOID:3910", "lung adenocarcinoma"),
                                                   ("DOID:3907", "lung squamous cell carcinoma")))
    options = tumor_type_options(weak, tumor_type_terms())
    assert [o["value"] for o in options] == ["", "DOID:1324", "DOID:3910", "DOID:3907"]
    assert all(o["label"].endswith("suggested") for o in options[1:])
    chosen = Diagnosis("Lung adenocarcinoma", "DOID:0050861", "colorectal adenocarcinoma",
                       confidence="chosen", matched_by="chosen by cura on 2026-12-07")
    assert [o["value"] for o in tumor_type_options(chosen, tumor_type_terms())] == [
        "", "DOID:0050861"]  # the chosen term stays an option: the dropdown shows it
