"""CTML as MatchMiner writes it -> Trial: MatchMiner's own test trials read whole, and bad CTML
refused with the file, the field and the line (YAML and JSON alike)."""

from __future__ import annotations

import json

import pytest

from mtb.errors import InputError
from mtb.trials.ctml import parse_ctml, read_ctml
from mtb.trials.model import ANY_GENE, INTERGENIC, SV, Clinical, Genomic, leaves
from tests.trials.conftest import TRIALS

MATCHENGINE = TRIALS / "ctml" / "matchengine"


def test_the_yaml_trial_of_matchminer() -> None:
    trial = read_ctml(MATCHENGINE / "11-112.yaml")
    assert trial.id == "11-112" and trial.genes == ("BRAF",)
    assert [(a.code, a.status) for a in trial.arms] == [("ARM1", "open"), ("ARM2", "open")]
    first = next(leaf for leaf in leaves(trial.arms[0].match) if isinstance(leaf, Genomic))
    assert (first.gene, first.category, first.wildcard, first.negated) == (
        "BRAF", "Mutation", "V600", False)
    negated = next(leaf for leaf in leaves(trial.arms[1].match) if isinstance(leaf, Genomic))
    assert negated.negated and negated.label == "no BRAF p.V600* mutation"
    diagnoses = [leaf.diagnosis.code for leaf in leaves(trial.arms[0].match)
                 if isinstance(leaf, Clinical)]
    assert "MEL" in diagnoses and len(diagnoses) == 7
    # no status in the file: open, and said so
    assert trial.open and "no status" in trial.warnings[0]
    # every criterion knows its line
    assert first.where.line == 15 and first.where.path.endswith("and[0].genomic")


def test_fusions_partners_and_signatures() -> None:
    trial = read_ctml(MATCHENGINE / "structured_sv.json")
    genomic = [leaf for arm in trial.arms for leaf in leaves(arm.match)
               if isinstance(leaf, Genomic)]
    assert {leaf.partner for leaf in genomic} >= {"EML4", ANY_GENE, INTERGENIC, "ALK"}
    assert any(leaf.gene == ANY_GENE and leaf.partner == "KRAS" for leaf in genomic)
    assert any(leaf.negated and leaf.category == SV and leaf.gene == "TP53" for leaf in genomic)
    assert genomic[0].where.line is not None  # JSON read with positions too
    signatures = read_ctml(MATCHENGINE / "signatures.json")
    values = {s for arm in signatures.arms for leaf in leaves(arm.match)
              if isinstance(leaf, Genomic) for s in leaf.signatures}
    assert ("pole", "Yes") in values and ("temozolomide", "No") in values
    tmb = read_ctml(MATCHENGINE / "tmb.json")
    assert {leaf.tmb for arm in tmb.arms for leaf in leaves(arm.match)} == {
        (">=", 10.0), (">", 15.0), ("<=", 40.0), ("<", 40.0), ("==", 40.0)}


def test_matchminer_massive_clause_reads() -> None:
    trial = read_ctml(MATCHENGINE / "massive_match_clause.json")
    assert trial.id == "11-113" and trial.open
    kinds = {leaf.diagnosis.code for leaf in leaves(trial.arms[0].match)
             if isinstance(leaf, Clinical) and leaf.diagnosis}
    assert {"_SOLID_", "_LIQUID_", "LUNG", "BREAST"} <= kinds


def test_step_level_match_and_summary_status() -> None:
    trial = read_ctml(MATCHENGINE / "wildcard_protein_found.json")
    assert [a.code for a in trial.arms] == ["step 1"] and trial.status == "open to accrual"


def test_matchminers_json_twin_without_protocol_no_is_refused() -> None:
    """MatchMiner's 11-112.json has no protocol_no: a portfolio cannot list a trial without
    an id (the YAML twin has one)."""
    with pytest.raises(InputError, match="protocol_no or its nct_id") as caught:
        read_ctml(MATCHENGINE / "11-112.json")
    assert caught.value.path.endswith("11-112.json")


GOOD = """\
protocol_no: SYN-1
nct_id: {nct}
status: {status}
treatment_list:
  step:
    - step_code: '1'
      arm:
        - arm_code: A
          arm_suspended: {suspended}
          match:
            - and:
                - genomic:
                    hugo_symbol: {gene}
                    protein_change: {protein}
                - clinical:
                    oncotree_primary_diagnosis: {diagnosis}
                    age_numerical: '{age}'
"""
DEFAULTS = {"nct": "NCT01234567", "status": "Open to Accrual", "suspended": "N",
            "gene": "KRAS", "protein": "p.Gly12Cys", "diagnosis": "Lung Adenocarcinoma",
            "age": ">=18"}


def _yaml(**changes: str) -> str:
    return GOOD.format(**{**DEFAULTS, **changes})


def test_a_good_yaml_trial() -> None:
    trial = parse_ctml(_yaml(), "good.yaml")
    leaf = next(x for x in leaves(trial.arms[0].match) if isinstance(x, Genomic))
    assert (trial.id, trial.nct_id, leaf.protein, leaf.label) == (
        "SYN-1", "NCT01234567", "G12C", "KRAS p.G12C mutation")
    closed = parse_ctml(_yaml(status="Closed to Accrual", suspended="Y"), "closed.yaml")
    assert not closed.open and closed.arms[0].status == "suspended"


@pytest.mark.parametrize(("changes", "field", "line", "problem"), [
    ({"gene": "kras!!"}, "genomic.hugo_symbol", 13, "not a gene symbol"),
    ({"protein": "p.nonsense"}, "genomic.protein_change", 14, "not a protein change"),
    ({"diagnosis": "Quux Blastoma Of Nowhere"}, "clinical.oncotree_primary_diagnosis", 16,
     "not an OncoTree name"),
    ({"age": "18"}, "clinical.age_numerical", 17, "not a comparison"),
    ({"nct": "NCT123"}, "nct_id", 2, "not an NCT number"),
    ({"suspended": "maybe"}, "arm[0].arm_suspended", 9, "not Y or N"),
])
def test_bad_yaml_names_file_field_and_line(changes, field, line, problem) -> None:
    with pytest.raises(InputError) as caught:
        parse_ctml(_yaml(**changes), "trials/bad.yaml")
    error = caught.value
    assert error.path == "trials/bad.yaml" and error.line == line, error
    assert field in error.problem and problem in error.problem, error


def test_unknown_keys_are_refused_not_skipped() -> None:
    text = _yaml().replace("protein_change:", "protein_chnge:")
    with pytest.raises(InputError, match=r"genomic\.protein_chnge: unknown genomic key") as e:
        parse_ctml(text, "typo.yaml")
    assert e.value.line == 14
    text = _yaml().replace("age_numerical:", "ecog:")
    with pytest.raises(InputError, match="unknown clinical key"):
        parse_ctml(text, "typo.yaml")


def test_bad_json_names_field_and_line() -> None:
    data = {"protocol_no": "SYN-2", "treatment_list": {"step": [{"arm": [{
        "arm_code": "A", "match": [{"and": [{"genomic": {"hugo_symbol": "BRAF",
                                                         "variant_category": "Mutatoin"}}]}]}]}]}}
    text = json.dumps(data, indent=2)
    with pytest.raises(InputError) as caught:
        parse_ctml(text, "bad.json")
    assert "genomic.variant_category" in caught.value.problem
    assert caught.value.line == text.splitlines().index(
        next(line for line in text.splitlines() if "Mutatoin" in line)) + 1
    with pytest.raises(InputError, match="not valid JSON") as broken:
        parse_ctml(text[:-3], "broken.json")
    assert broken.value.line is not None


@pytest.mark.parametrize("text", ["[1, 2]", "just text", "protocol_no: X\n"])
def test_not_a_trial(text) -> None:
    with pytest.raises(InputError):
        parse_ctml(text, "x.yaml")


def test_yaml_syntax_error_has_its_line() -> None:
    with pytest.raises(InputError, match="not valid YAML") as caught:
        parse_ctml("protocol_no: X\ntreatment_list:\n  step: [\n", "broken.yaml")
    assert caught.value.line is not None


def test_older_oncotree_names_are_read_as_text_with_a_note() -> None:
    trial = parse_ctml(_yaml(diagnosis="Glioblastoma"), "gbm.yaml")
    leaf = next(x for x in leaves(trial.arms[0].match) if isinstance(x, Clinical))
    assert leaf.diagnosis.doid == "DOID:3068"
    assert any("not an OncoTree 2025-10-03 name" in w for w in trial.warnings)
