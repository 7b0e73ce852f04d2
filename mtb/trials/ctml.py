"""CTML (MatchMiner's Clinical Trial Markup Language), YAML or JSON -> a Trial.

No stand-alone CTML specification is published; what is read here follows MatchMiner's own
engine (dfci/matchengine-V2, Apache-2.0: its config and its test trials, some shipped with
their licence in tests/data/trials/ctml/) and the CTIMS editor's schema (pughlab/ctims). Trial
metadata; `treatment_list.step[].arm[].dose_level[]` with
`arm_suspended` / `level_suspended`; a `match` list at trial, step, arm or dose level holding a
tree of `and` / `or` nodes and `genomic` / `clinical` leaves.

A trial file is written by hand, usually by a coordinator, and a criterion silently skipped is a
patient wrongly offered a trial (or never offered one). So the reader is strict: an unknown key,
an unknown OncoTree name, a protein change that is not one, an age without its operator — each
is an InputError naming the file, the field (`treatment_list.step[0].arm[1].match[0].and[2].
genomic.hugo_symbol`) and, for YAML and JSON alike, its line. Criteria mtb cannot check
(disease status, prior lines, brain metastases) are kept and reported as unknown when matched,
never dropped.

Spelling is settled here once: keys in any case, 'CNV' or 'Copy Number Variation', 'p.Gly12Cys'
or 'p.G12C' (annotation.proteins), YAML's `Yes`/`No` read as booleans.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

import yaml

from annotation.proteins import canonical_protein, protein_start
from mtb.errors import InputError
from mtb.trials.model import (
    ANY,
    ANY_GENE,
    CNV,
    INTERGENIC,
    MUTATION,
    SIGNATURE,
    SV,
    WILDTYPE,
    AllOf,
    AnyOf,
    Arm,
    Clinical,
    Criterion,
    Genomic,
    Trial,
    Where,
)
from mtb.trials.tumor_types import TumorTypes

__all__ = ["OPEN_STATUSES", "parse_ctml", "read_ctml"]

OPEN_STATUSES = frozenset({"open to accrual", "open", "recruiting"})
MAX_BYTES = 5_000_000  # a trial file is a few kB; MatchMiner's largest fixture is 300 kB

_CATEGORIES = {
    "mutation": MUTATION, "copy number variation": CNV, "cnv": CNV,
    "structural variation": SV, "structural variant": SV, "sv": SV,
    "any variation": ANY, "wildtype": WILDTYPE, "wild type": WILDTYPE, "wild-type": WILDTYPE,
    "wt": WILDTYPE, "signature": SIGNATURE,
}
CNV_CALLS = {  # CTML value (and matchengine's translation) -> CTML value
    "high amplification": "High Amplification", "high level amplification": "High Amplification",
    "low amplification": "Low Amplification", "gain": "Low Amplification",
    "homozygous deletion": "Homozygous Deletion",
    "heterozygous deletion": "Heterozygous Deletion",
}
MAF_CLASSES = {c.lower(): c for c in (
    "Missense_Mutation", "Nonsense_Mutation", "Nonstop_Mutation", "Silent", "Frame_Shift_Del",
    "Frame_Shift_Ins", "In_Frame_Del", "In_Frame_Ins", "Splice_Site", "Splice_Region",
    "Translation_Start_Site", "5'UTR", "3'UTR", "5'Flank", "3'Flank", "Intron", "IGR", "RNA",
    "Targeted_Region", "De_novo_Start_InFrame", "De_novo_Start_OutOfFrame",
)}
_MMR = {"mmr-deficient": "MMR-Deficient", "mmr-d": "MMR-Deficient", "dmmr": "MMR-Deficient",
        "deficient (mmr-d / msi-h)": "MMR-Deficient", "mmr-proficient": "MMR-Proficient",
        "mmr-p": "MMR-Proficient", "pmmr": "MMR-Proficient",
        "proficient (mmr-p / mss)": "MMR-Proficient"}
_MS = {"msi-h": "MSI-H", "msi-high": "MSI-H", "msi-l": "MSI-L", "msi-low": "MSI-L",
       "mss": "MSS"}
_SIGNATURES = ("tobacco", "uva", "pole", "apobec", "temozolomide")
_GENOMIC_ALIASES = {"true_hugo_symbol": "hugo_symbol", "true_protein_change": "protein_change",
                    "true_variant_classification": "variant_classification",
                    "true_transcript_exon": "exon"}
GENOMIC_KEYS = frozenset({
    "hugo_symbol", "variant_category", "protein_change", "wildcard_protein_change",
    "variant_classification", "exon", "cnv_call", "wildtype", "fusion_partner_hugo_symbol",
    "mmr_status", "ms_status", "tier", "display_name",
    *(f"{s}_signature" for s in _SIGNATURES), *_GENOMIC_ALIASES,
})
RECEPTOR_KEYS = {"er_status": "ER", "pr_status": "PR", "her2_status": "HER2"}
# keys MatchMiner's schema knows and mtb cannot check from a case: reported as unknown
UNCHECKED_KEYS = frozenset({
    "disease_status", "molecular_marker_other", "number_prior_lines_therapy_allowed",
    "active_brain_metastases_allowed", "brca1_germline_mutation", "pdl1_status",
})
CLINICAL_KEYS = frozenset({"oncotree_primary_diagnosis", "age_numerical", "tmb_numerical",
                           "gender", *RECEPTOR_KEYS, *UNCHECKED_KEYS})
_NUMERIC = re.compile(r"^\s*(>=|<=|==|=|>|<)\s*(\d*\.?\d+)\s*$")
_GENE = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")
_NCT = re.compile(r"^NCT\d{8}$")

Path_ = tuple[str | int, ...]


def read_ctml(path: Path, types: TumorTypes | None = None) -> Trial:
    """A CTML file (YAML or JSON, by content) as a Trial; InputError names the file, the field
    and the line of what is wrong."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(path, f"larger than {MAX_BYTES // 1_000_000} MB: not a trial file")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror or type(error).__name__})") \
            from None
    return parse_ctml(text, str(path), types)


def parse_ctml(text: str, source: str, types: TumorTypes | None = None) -> Trial:
    """CTML text as a Trial; `source` names it in errors."""
    data, lines = _load(text, source)
    return _Reader(source, lines, types or TumorTypes.bundled()).trial(data)


# -- loading, with the line of every field ---------------------------------------------------------


def _load(text: str, source: str) -> tuple[Any, dict[Path_, int]]:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(source, f"not valid JSON ({error.msg})", error.lineno) from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            raise InputError(source, f"not valid YAML ({error.problem or error.context})",
                             mark.line + 1 if mark else None) from None
        except yaml.YAMLError as error:
            raise InputError(source, f"not valid YAML ({type(error).__name__})") from None
    lines: dict[Path_, int] = {}
    try:  # JSON is YAML for positions; a JSON file YAML cannot read just has no lines
        _positions(yaml.compose(text, Loader=yaml.SafeLoader), (), lines)
    except yaml.YAMLError:
        lines = {}
    if not isinstance(data, dict):
        raise InputError(source, "not a CTML trial: the document is not a mapping of fields")
    return data, lines


def _positions(node: yaml.Node | None, path: Path_, out: dict[Path_, int]) -> None:
    if node is None:
        return
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value).lower() if isinstance(key, yaml.ScalarNode) else "?"
            out[(*path, name)] = key.start_mark.line + 1
            _positions(value, (*path, name), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _positions(item, (*path, index), out)


def field_name(path: Path_) -> str:
    """('treatment_list', 'step', 0, 'arm') -> 'treatment_list.step[0].arm'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(document)"


# -- reading -------------------------------------------------------------------------------------


@dataclass
class _Reader:
    source: str
    lines: Mapping[Path_, int]
    types: TumorTypes
    warnings: list[str] = field(default_factory=list)

    def fail(self, path: Path_, problem: str) -> NoReturn:
        line = None
        for end in range(len(path), -1, -1):  # the field's line, else its nearest parent's
            line = self.lines.get(path[:end])
            if line is not None:
                break
        raise InputError(self.source, f"{field_name(path)}: {problem}", line)

    def where(self, path: Path_) -> Where:
        return Where(field_name(path), self.lines.get(path))

    # -- the trial --

    def trial(self, raw: dict[str, Any]) -> Trial:
        data = _lower_keys(raw)
        protocol = self.text(data, "protocol_no", ())
        nct = self.text(data, "nct_id", ()).upper()
        if nct and not _NCT.match(nct):
            self.fail(("nct_id",), f"'{nct}' is not an NCT number (NCT followed by 8 digits)")
        if not protocol and not nct:
            self.fail((), "a trial needs its protocol_no or its nct_id")
        status = self.text(data, "status", ())
        summary = data.get("_summary")
        if not status and isinstance(summary, dict):
            try:
                status = str(summary["status"][0]["value"]).strip()
            except (KeyError, IndexError, TypeError):
                status = ""
        if not status:
            self.warnings.append("no status in the file: taken as open to accrual")
        arms = _unique_codes(self.arms(data))
        if not any(arm.match is not None for arm in arms):
            self.fail(("treatment_list",), "no match criteria anywhere in the trial (a match "
                      "list at trial, step, arm or dose level)")
        return Trial(
            id=protocol or nct, nct_id=nct, protocol_no=protocol,
            title=self.text(data, "long_title", ()), short_title=self.text(data, "short_title", ()),
            phase=self.text(data, "phase", ()), status=status or "open to accrual (assumed)",
            open=not status or status.lower() in OPEN_STATUSES, drugs=self.drugs(data),
            arms=tuple(arms), prior_treatment=self.prior(data), source=self.source,
            warnings=tuple(dict.fromkeys(self.warnings)),
        )

    def text(self, data: Mapping[str, Any], key: str, path: Path_) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, dict | list):
            self.fail((*path, key), "expected a text, found a " +
                      ("mapping" if isinstance(value, dict) else "list"))
        return str(value).strip()

    def drugs(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        listing = data.get("drug_list")
        drugs = listing.get("drug") if isinstance(listing, dict) else None
        if not isinstance(drugs, list):
            return ()
        return tuple(str(d.get("drug_name", "")).strip() for d in drugs
                     if isinstance(d, dict) and d.get("drug_name"))

    def prior(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        items = data.get("prior_treatment_requirements")
        if isinstance(items, dict):
            items = items.get("prior_treatment_requirement")
        if not isinstance(items, list):
            return ()
        out = []
        for item in items:
            if isinstance(item, dict):
                item = item.get("prior_treatment_requirement_name", "")
            if str(item).strip():
                out.append(str(item).strip())
        return tuple(out)

    # -- arms --

    def arms(self, data: Mapping[str, Any]) -> list[Arm]:
        arms: list[Arm] = []
        if "match" in data:
            arms.append(Arm("trial", "the whole trial", False, self.match(data["match"],
                                                                          ("match",))))
        treatments = data.get("treatment_list")
        if treatments is None:
            return arms
        if not isinstance(treatments, dict):
            self.fail(("treatment_list",), "expected a mapping with 'step'")
        steps = _lower_keys(treatments).get("step") or []
        if not isinstance(steps, list):
            self.fail(("treatment_list", "step"), "expected a list of steps")
        for s, raw_step in enumerate(steps):
            path: Path_ = ("treatment_list", "step", s)
            if not isinstance(raw_step, dict):
                self.fail(path, "expected a mapping (step_code, arm, match)")
            step = _lower_keys(raw_step)
            step_code = self.text(step, "step_code", path) or str(s + 1)
            step_arms = self.step_arms(step, path)
            if "match" in step:
                closed = bool(step_arms) and all(a.suspended for a in step_arms)
                arms.append(Arm(f"step {step_code}", self.text(step, "step_type", path), closed,
                                self.match(step["match"], (*path, "match"))))
            arms += step_arms
        return arms

    def step_arms(self, step: Mapping[str, Any], step_path: Path_) -> list[Arm]:
        raw_arms = step.get("arm") or []
        if not isinstance(raw_arms, list):
            self.fail((*step_path, "arm"), "expected a list of arms")
        arms = []
        for a, raw_arm in enumerate(raw_arms):
            path: Path_ = (*step_path, "arm", a)
            if not isinstance(raw_arm, dict):
                self.fail(path, "expected a mapping (arm_code, arm_suspended, match)")
            arm = _lower_keys(raw_arm)
            code = self.text(arm, "arm_code", path) or f"arm {a + 1}"
            suspended = self.flag(arm, "arm_suspended", path)
            match = self.match(arm["match"], (*path, "match")) if "match" in arm else None
            arms.append(Arm(code, self.text(arm, "arm_description", path), suspended, match))
            levels = arm.get("dose_level") or []
            if not isinstance(levels, list):
                self.fail((*path, "dose_level"), "expected a list of dose levels")
            for d, raw_level in enumerate(levels):
                level_path: Path_ = (*path, "dose_level", d)
                if not isinstance(raw_level, dict):
                    self.fail(level_path, "expected a mapping (level_code, level_suspended)")
                level = _lower_keys(raw_level)
                if "match" not in level:
                    continue
                level_code = self.text(level, "level_code", level_path) or str(d + 1)
                arms.append(Arm(
                    f"{code} / dose {level_code}", self.text(level, "level_description",
                                                             level_path),
                    suspended or self.flag(level, "level_suspended", level_path),
                    self.match(level["match"], (*level_path, "match"))))
        return arms

    def flag(self, data: Mapping[str, Any], key: str, path: Path_) -> bool:
        value = data.get(key, "N")
        if isinstance(value, bool):
            return value
        text = str(value).strip().upper()
        if text in ("Y", "YES", "TRUE"):
            return True
        if text in ("N", "NO", "FALSE", ""):
            return False
        self.fail((*path, key), f"'{value}' is not Y or N")

    # -- the match tree --

    def match(self, raw: Any, path: Path_) -> Criterion:
        """A `match` list: its items all hold (a list of one root is the usual form)."""
        if isinstance(raw, dict):
            return self.node(raw, path)
        if not isinstance(raw, list) or not raw:
            self.fail(path, "expected a non-empty list of criteria")
        nodes = tuple(self.node(item, (*path, i)) for i, item in enumerate(raw))
        return nodes[0] if len(nodes) == 1 else AllOf(nodes)

    def node(self, raw: Any, path: Path_) -> Criterion:
        if not isinstance(raw, dict) or len(raw) != 1:
            self.fail(path, "expected one of and, or, genomic, clinical (exactly one key)")
        key, value = next(iter(raw.items()))
        kind = str(key).lower()
        here: Path_ = (*path, kind)
        if kind in ("and", "or"):
            if not isinstance(value, list) or not value:
                self.fail(here, f"'{kind}' needs a non-empty list")
            children = tuple(self.node(item, (*here, i)) for i, item in enumerate(value))
            return AllOf(children) if kind == "and" else AnyOf(children)
        if kind == "genomic":
            return self.genomic(value, here)
        if kind == "clinical":
            return self.clinical(value, here)
        self.fail(here, f"unknown node '{key}': expected and, or, genomic or clinical")

    # -- genomic --

    def genomic(self, raw: Any, path: Path_) -> Genomic:
        if not isinstance(raw, dict) or not raw:
            self.fail(path, "a genomic criterion is a mapping of keys (hugo_symbol, ...)")
        data: dict[str, Any] = {}
        for key, value in raw.items():
            name = str(key).lower()
            if name not in GENOMIC_KEYS:
                self.fail((*path, name), f"unknown genomic key; known: "
                          f"{', '.join(sorted(GENOMIC_KEYS - set(_GENOMIC_ALIASES)))}")
            data[_GENOMIC_ALIASES.get(name, name)] = value
        negated = False

        def value_of(key: str) -> str:
            nonlocal negated
            value = data.get(key)
            if value is None:
                return ""
            if isinstance(value, bool):
                return "Yes" if value else "No"
            if isinstance(value, dict | list):
                self.fail((*path, key), "expected a single value")
            text = str(value).strip()
            if text.startswith("!"):
                negated = True
                text = text[1:].strip()
            return text

        signatures = tuple((s, self.yes_no(value_of(f"{s}_signature"), (*path, f"{s}_signature")))
                           for s in _SIGNATURES if f"{s}_signature" in data)
        mmr = self.lookup(value_of("mmr_status"), _MMR, (*path, "mmr_status"))
        ms = self.lookup(value_of("ms_status"), _MS, (*path, "ms_status"))
        signature = bool(signatures or mmr or ms)
        gene = self.gene(data.get("hugo_symbol"), (*path, "hugo_symbol"), signature)
        if gene.startswith("!"):
            negated, gene = True, gene[1:]
        category_text = value_of("variant_category")
        category = ""
        if category_text:
            category = _CATEGORIES.get(category_text.lower(), "")
            if not category:
                self.fail((*path, "variant_category"), f"'{category_text}' is not one of "
                          "Mutation, Copy Number Variation (CNV), Structural Variation (SV), "
                          "Any Variation, Wildtype, Signature")
        protein = wildcard = ""
        written = value_of("protein_change")
        if written:
            protein = canonical_protein(written)
            if protein_start(protein) is None:
                self.fail((*path, "protein_change"), f"'{written}' is not a protein change "
                          "(p.G12C, p.V600E)")
            if re.fullmatch(r"[A-Z]\d+", protein):
                self.fail((*path, "protein_change"), f"'{written}' is a residue, not a change: "
                          "write it as wildcard_protein_change")
        written_wildcard = value_of("wildcard_protein_change")
        if written_wildcard:
            wildcard = canonical_protein(written_wildcard)
            if not re.fullmatch(r"[A-Z]\d+", wildcard):
                self.fail((*path, "wildcard_protein_change"), f"'{written_wildcard}' is not a "
                          "residue (p.V600, p.G12)")
        classification = ""
        written_class = value_of("variant_classification")
        if written_class:
            classification = MAF_CLASSES.get(written_class.lower(), "")
            if not classification:
                self.fail((*path, "variant_classification"), f"'{written_class}' is not a MAF "
                          "Variant_Classification (Missense_Mutation, In_Frame_Del, ...)")
        exon = None
        written_exon = value_of("exon")
        if written_exon:
            if not re.fullmatch(r"\d+", written_exon):
                self.fail((*path, "exon"), f"'{written_exon}' is not an exon number")
            exon = int(written_exon)
        cnv_call = self.lookup(value_of("cnv_call"), CNV_CALLS, (*path, "cnv_call"))
        wildtype = False
        if "wildtype" in data:
            value = data["wildtype"]
            if not isinstance(value, bool) and str(value).strip().lower() not in ("true",
                                                                                  "false"):
                self.fail((*path, "wildtype"), f"'{value}' is not true or false")
            wildtype = value is True or str(value).strip().lower() == "true"
        partner = value_of("fusion_partner_hugo_symbol")
        if partner.lower() in (ANY_GENE, INTERGENIC):
            partner = partner.lower()
        elif partner:
            partner = self.gene(partner, (*path, "fusion_partner_hugo_symbol"), False)
        tiers = self.tiers(data.get("tier"), (*path, "tier"))
        if category == WILDTYPE:
            wildtype, category = True, ""
        if not (gene or signature or partner):
            self.fail(path, "a genomic criterion needs hugo_symbol (or a fusion partner, or a "
                      "signature: mmr_status, ms_status, ..._signature)")
        leaf = Genomic(gene=gene, category=category, protein=protein, wildcard=wildcard,
                       classification=classification, exon=exon, cnv_call=cnv_call,
                       wildtype=wildtype, partner=partner, mmr=mmr, ms=ms,
                       signatures=signatures, tiers=tiers, negated=negated,
                       where=self.where(path))
        return _with_label(leaf, written or written_wildcard)

    def gene(self, value: Any, path: Path_, signature: bool) -> str:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
            return ""
        if not isinstance(value, str):
            if signature:  # MatchMiner's fixtures put anything there beside a signature
                return ""
            self.fail(path, f"'{value}' is not a gene symbol")
        text = value.strip()
        negated = text.startswith("!")
        text = text.lstrip("!").strip()
        if text.lower() == ANY_GENE:
            return ANY_GENE
        if not _GENE.match(text.upper()):
            self.fail(path, f"'{value}' is not a gene symbol")
        return ("!" if negated else "") + text.upper()

    def lookup(self, text: str, table: Mapping[str, str], path: Path_) -> str:
        if not text:
            return ""
        found = table.get(text.lower())
        if found is None:
            self.fail(path, f"'{text}' is not one of {', '.join(sorted(set(table.values())))}")
        return found

    def yes_no(self, text: str, path: Path_) -> str:
        if text.lower() in ("yes", "no"):
            return text.capitalize()
        self.fail(path, f"'{text}' is not Yes or No")

    def tiers(self, value: Any, path: Path_) -> tuple[str, ...]:
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            text = str(item).strip()
            if text not in ("1", "2", "3", "4"):
                self.fail(path, f"'{item}' is not a tier 1 to 4")
            out.append(text)
        return tuple(out)

    # -- clinical --

    def clinical(self, raw: Any, path: Path_) -> Clinical:
        if not isinstance(raw, dict) or not raw:
            self.fail(path, "a clinical criterion is a mapping of keys "
                      "(oncotree_primary_diagnosis, age_numerical, ...)")
        data = {}
        for key, value in raw.items():
            name = str(key).lower()
            if name not in CLINICAL_KEYS:
                self.fail((*path, name), f"unknown clinical key; known: "
                          f"{', '.join(sorted(CLINICAL_KEYS))}")
            data[name] = value
        diagnosis = None
        if data.get("oncotree_primary_diagnosis") is not None:
            written = str(data["oncotree_primary_diagnosis"]).strip()
            diagnosis = self.types.diagnosis(written)
            if diagnosis is None:
                self.fail((*path, "oncotree_primary_diagnosis"), f"'{written}' is not an "
                          "OncoTree name or code (OncoTree 2025-10-03), nor _SOLID_ / _LIQUID_")
            if diagnosis.how.startswith("not an OncoTree"):
                self.warnings.append(f"{field_name((*path, 'oncotree_primary_diagnosis'))}: "
                                     f"'{diagnosis.text}' {diagnosis.how}")
        sex = ""
        if data.get("gender") is not None:
            sex = str(data["gender"]).strip().lower()
            if sex not in ("female", "male"):
                self.fail((*path, "gender"), f"'{data['gender']}' is not Female or Male")
        receptors = []
        for key, marker in RECEPTOR_KEYS.items():
            if key in data:
                value = data[key]
                text = ("Positive" if value else "Negative") if isinstance(value, bool) \
                    else str(value).strip().capitalize()
                if text not in ("Positive", "Negative", "Unknown"):
                    self.fail((*path, key), f"'{value}' is not Positive or Negative")
                if text != "Unknown":
                    receptors.append((marker, text))
        unchecked = tuple((k, _shown(data[k])) for k in sorted(UNCHECKED_KEYS) if k in data)
        return Clinical(
            diagnosis=diagnosis,
            age=self.numeric(data.get("age_numerical"), (*path, "age_numerical")),
            tmb=self.numeric(data.get("tmb_numerical"), (*path, "tmb_numerical")),
            sex=sex, receptors=tuple(receptors), unchecked=unchecked, where=self.where(path),
        )

    def numeric(self, value: Any, path: Path_) -> tuple[str, float] | None:
        if value is None:
            return None
        match = _NUMERIC.match(str(value))
        if not match:
            self.fail(path, f"'{value}' is not a comparison like '>=18' or '<21'")
        operator = "==" if match.group(1) == "=" else match.group(1)
        return operator, float(match.group(2))


def _unique_codes(arms: list[Arm]) -> list[Arm]:
    """Arm codes name arms on pages, in the CLI and in recommendations; a code written twice
    (MatchMiner's fixtures do) gets its order: 'DOSE', 'DOSE (2)'."""
    seen: dict[str, int] = {}
    out = []
    for arm in arms:
        seen[arm.code] = seen.get(arm.code, 0) + 1
        out.append(arm if seen[arm.code] == 1 else replace(arm, code=f"{arm.code} "
                                                                    f"({seen[arm.code]})"))
    return out


def _lower_keys(data: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in data.items()}


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _with_label(leaf: Genomic, written: str) -> Genomic:
    """'KRAS p.G12C mutation', 'no BRAF p.V600 mutation', 'ALK fusion with EML4', 'MSI-H'."""
    parts: list[str] = []
    if leaf.is_signature:
        parts = [v for v in (leaf.ms, leaf.mmr) if v]
        parts += [f"{name} signature {value.lower()}" for name, value in leaf.signatures]
    else:
        gene = "any gene" if leaf.gene == ANY_GENE else leaf.gene
        parts.append(gene)
        if leaf.protein:
            parts.append(f"p.{leaf.protein}")
        elif leaf.wildcard:
            parts.append(f"p.{leaf.wildcard}*")
        if leaf.exon is not None:
            parts.append(f"exon {leaf.exon}")
        if leaf.classification:
            parts.append(leaf.classification.replace("_", " ").lower())
        if leaf.cnv_call:
            parts.append(leaf.cnv_call.lower())
        if leaf.wildtype:
            parts.append("wildtype")
        elif leaf.category == SV or leaf.partner:
            partner = {"": "", ANY_GENE: " with any gene", INTERGENIC: " (intergenic)"}.get(
                leaf.partner, f" with {leaf.partner}")
            parts.append(f"fusion{partner}")
        else:
            implied = MUTATION if (leaf.protein or leaf.wildcard or leaf.exon is not None) \
                else ""
            category = leaf.category or implied
            if category in (MUTATION, CNV, ANY) and not leaf.cnv_call and not \
                    leaf.classification:
                parts.append({MUTATION: "mutation", CNV: "copy-number change",
                              ANY: "any alteration"}[category])
    if leaf.tiers:
        parts.append(f"(tier {'/'.join(leaf.tiers)})")
    label = " ".join(p for p in parts if p) or written
    return replace(leaf, label=("no " + label) if leaf.negated else label)
