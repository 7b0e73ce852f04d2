"""Protein changes in every spelling reach the same key; CIViC names are classed for matching."""

from __future__ import annotations

import pytest

from annotation import proteins as names
from annotation.proteins import canonical_protein, classify_name


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("p.Val600Glu", "V600E"),  # VEP
        ("p.V600E", "V600E"),  # VEP short / MAF HGVSp_Short
        ("V600E", "V600E"),  # CIViC, lab reports
        ("VAL600GLU", "V600E"),  # CIViC aliases
        ("p.(Gly12Cys)", "G12C"),  # predicted-change parentheses
        ("ENSP00000275493.2:p.Leu858Arg", "L858R"),  # with the protein accession
        ("NP_004324.2:p.Val600Glu", "V600E"),
        ("p.Glu11GlyfsTer5", "E11FS"),  # frameshifts reduce to residue + FS
        ("E11fs", "E11FS"),
        ("R135FSX177", "R135FS"),
        ("p.Arg233Ter", "R233*"),
        ("E746_T751>I", "E746_T751DELINSI"),  # old '>' delins style
        ("p.Glu746_Ala750del", "E746_A750DEL"),
        ("E746_A750del", "E746_A750DEL"),
        # one-letter inserted residues that spell a three-letter code stay one-letter
        ("p.D770_N771insGLY", "D770_N771INSGLY"),
        ("p.Asp770_Asn771insGlyLeuTyr", "D770_N771INSGLY"),
        ("p.Trp92Ter", "W92*"),
    ],
)
def test_every_spelling_one_key(written: str, key: str) -> None:
    assert canonical_protein(written) == key


@pytest.mark.parametrize(
    ("name", "types", "kind", "detail"),
    [
        ("V600E", "missense_variant", names.EXACT, ("V600E",)),
        ("V600", "", names.CODON, (("V", 600),)),
        ("G12/G13", "", names.CODON, (("G", 12), ("G", 13))),
        ("H1047X", "missense_variant", names.CODON, (("H", 1047),)),  # X = any residue
        ("Q179X", "stop_gained", names.EXACT, ("Q179*",)),  # X = stop
        ("D835H/Y", "", names.EXACT, ("D835H", "D835Y")),
        ("Y98C  (c.293A>G)", "", names.EXACT, ("Y98C",)),  # double space, c. suffix
        ("Exon 19 Deletion", "", names.EXON, (19,)),
        ("EXON 12-22 DELETION", "", names.EXON, tuple(range(12, 23))),
        ("Exon 14 Skipping Mutation", "", names.EXON, (14,)),
        ("Amplification", "", names.CNV, "amplification"),
        ("Loss-of-function", "", names.GENE, "loss_of_function"),
        ("Mutation", "", names.GENE, "mutation"),
        ("ITD ", "", names.GENE, "itd"),  # trailing space as in the release
        ("EML4::ALK", "", names.FUSION_PAIR, ("EML4", "ALK")),
        ("Fusion", "", names.FUSION_ANY, None),
        ("Splice Site (c.3028G>A)", "", names.HGVSC, "c.3028g>a"),
        ("Overexpression", "", names.UNMATCHABLE, None),  # not visible in DNA
        ("Exon 10 and Exon 21 Mutation", "", names.UNMATCHABLE, None),  # needs both: not matched
        ("EML4::ALK e6-e20", "", names.UNMATCHABLE, None),  # breakpoint exons rarely known
    ],
)
def test_classify_civic_names(name, types, kind, detail) -> None:
    klass = classify_name(name, types)
    assert klass.kind == kind
    if kind == names.EXACT:
        assert klass.proteins == detail
    elif kind == names.CODON:
        assert klass.codons == detail
    elif kind == names.EXON:
        assert klass.exons == detail
    elif kind in (names.CNV, names.GENE):
        assert klass.change == detail
    elif kind == names.FUSION_PAIR:
        assert klass.partners == detail
    elif kind == names.HGVSC:
        assert klass.hgvsc == detail


def test_bundled_release_names_are_mostly_understood() -> None:
    """Of the 1,807 CIViC variant names (01-Jul-2025), the unmatchable ones are expression,
    methylation and the like; every fusion pair, codon and exon class is understood."""
    from pathlib import Path

    from annotation.snapshots import SNAPSHOT_DIR
    from annotation.sources.civic.release import read_release

    release = read_release(Path(SNAPSHOT_DIR / "civic/01-Jul-2025"))
    classes = [classify_name(v.name, v.variant_types) for v in release.variants]
    unmatchable = [c for c in classes if c.kind == names.UNMATCHABLE]
    assert len(unmatchable) < 300
    assert sum(c.kind == names.FUSION_PAIR for c in classes) == 171
    assert sum(c.kind == names.CODON for c in classes) >= 27
    assert sum(c.kind == names.EXON for c in classes) >= 30


def test_therapy_lists_split_on_every_comma_but_inside_civics_own_names() -> None:
    """CIViC 01-Jul-2025 EID865 lists 'Pertuzumab,9F7-F11' (two therapies); three CIViC therapy
    names contain a comma themselves and stay whole."""
    from annotation.sources.civic.release import _therapies

    assert _therapies("Pertuzumab,9F7-F11") == ("Pertuzumab", "9F7-F11")
    assert _therapies("2,4-pyrimidinediamine,Erlotinib") == ("2,4-pyrimidinediamine",
                                                             "Erlotinib")
    assert _therapies("HER2 Inhibitor CP-724,714, Trastuzumab") == (
        "HER2 Inhibitor CP-724,714", "Trastuzumab")
    assert _therapies("FGF/VEGF Receptor Tyrosine Kinase Inhibitor, PD173074") == (
        "FGF/VEGF Receptor Tyrosine Kinase Inhibitor, PD173074",)
