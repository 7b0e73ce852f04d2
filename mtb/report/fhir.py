"""The case report as a FHIR R4 Bundle (type collection), for the hospital's record.

Shapes follow the HL7 Genomics Reporting IG STU3 (3.0.0) and the MII Kerndatensatz module
Molekulares Tumorboard, as their published examples show them (../shared/data/fhir/
genomics-reporting and mii-mtb):

    Patient
    DiagnosticReport   genomic-report: LOINC 51969-4 (the STU3 profile's fixed code) and
                       81247-9; status final only when the case is final; conclusion = the
                       curators' summary; result -> every Observation below
    Observation        variant (69548-6), one per reported finding: gene (48018-6, HGNC),
                       c.HGVS (48004-6), p.HGVS (48005-3), g.HGVS (81290-9, GRCh38 SNV/MNV),
                       assembly, alleles, position, VAF (81258-6), allele reads (82121-5); the
                       AMP/ASCO/CAP tier as interpretation (and the curator's override beside it)
    Observation        molecular-biomarker TMB (94076-7, UCUM 1/1000000{Base})
    Observation        therapeutic-implication per tier I/II therapy of a tier I/II finding:
                       medication assessed (51963-7), responsive/resistant, evidence level
                       (93044-6), derivedFrom the variant
    MedicationRequest  MII MTB Therapieempfehlung per therapy recommendation: intent proposal,
                       evidence grade extension (m1A-m4), reasonReference -> the variants
    ResearchStudy      a recommended clinical trial with its ClinicalTrials.gov id (identifier
                       system https://clinicaltrials.gov), referenced from the CarePlan
    CarePlan           MII MTB Therapieplan linking the recommendations; a trial's activity
                       names the study's ClinicalTrials.gov page (instantiatesUri)

Ids are UUIDv5 of the case id and what the resource is about, so producing the report twice
gives the same ids (a receiving server updates rather than duplicates). No AMP tier code
system is published; tiers carry text and a coding in mtb's own URN system (AMP_TIER_SYSTEM).
Every resource is validated with fhir.resources' R4B models before the bundle is returned.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from annotation.genes import GeneModel, report_accessions
from annotation.model import TherapyCall
from mtb.board import KEY_TIERS
from mtb.errors import KnowledgeBaseError, ReportError
from mtb.report.content import ReportContent, ReportFinding, ReportRecommendation
from mtb.variant import Biomarker

GR = "http://hl7.org/fhir/uv/genomics-reporting"
PROFILE_REPORT = f"{GR}/StructureDefinition/genomic-report"
PROFILE_VARIANT = f"{GR}/StructureDefinition/variant"
PROFILE_BIOMARKER = f"{GR}/StructureDefinition/molecular-biomarker"
PROFILE_IMPLICATION = f"{GR}/StructureDefinition/therapeutic-implication"
TBD_CODES = f"{GR}/CodeSystem/tbd-codes-cs"
MII_MTB = "https://www.medizininformatik-initiative.de/fhir/ext/modul-mtb"
PROFILE_RECOMMENDATION = f"{MII_MTB}/StructureDefinition/mii-pr-mtb-therapieempfehlung"
PROFILE_PLAN = f"{MII_MTB}/StructureDefinition/mii-pr-mtb-therapieplan"
EXT_EVIDENCE_GRADE = (f"{MII_MTB}/StructureDefinition/"
                      "mii-ex-mtb-therapieempfehlung-evidenzgraduierung")
CS_EVIDENCE_GRADE = f"{MII_MTB}/CodeSystem/mii-cs-mtb-therapieempfehlung-evidenzgrad"
AMP_TIER_SYSTEM = "urn:mtb:amp-asco-cap-2017-tier"  # local: no published code system exists

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
HGNC = "http://www.genenames.org/geneId"
HGVS = "http://varnomen.hgvs.org"
REFSEQ = "http://www.ncbi.nlm.nih.gov/refseq"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DIAGNOSTIC_SERVICE = "http://terminology.hl7.org/CodeSystem/v2-0074"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"

NAMESPACE = uuid.UUID("3f1c7a52-9a0e-5b8e-9d43-6a2f0c1e7b10")  # mtb report resources
TIER_NAMES = {
    "IA": "Tier I, level A (strong clinical significance)",
    "IB": "Tier I, level B (strong clinical significance)",
    "IIC": "Tier II, level C (potential clinical significance)",
    "IID": "Tier II, level D (potential clinical significance)",
    "III": "Tier III (unknown clinical significance)",
    "IV": "Tier IV (benign or likely benign)",
}
ASSEMBLIES = {"GRCh37": ("LA14029-5", "GRCh37"), "GRCh38": ("LA26806-2", "GRCh38")}


def _coding(system: str, code: str, display: str = "") -> dict[str, str]:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def _concept(system: str, code: str, display: str = "", text: str = "") -> dict[str, Any]:
    return {"coding": [_coding(system, code, display)], **({"text": text} if text else {})}


def _loinc(code: str, display: str) -> dict[str, Any]:
    return _concept(LOINC, code, display)


def _when(value: datetime) -> str:
    """A FHIR dateTime/instant: the store's SQLite times come back without a zone (UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")


class _Ids:
    """Stable UUIDs: the case id and what the resource describes."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id

    def __call__(self, *parts: object) -> str:
        name = "/".join([self.case_id, *(str(p) for p in parts)])
        return str(uuid.uuid5(NAMESPACE, name))


def _ref(resource_id: str, display: str = "") -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}", **({"display": display} if display else {})}


# -- reference data: HGNC ids, protein and chromosome accessions, from the gene model ------------


def _mane() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """annotation.genes.report_accessions of the bundled gene model; a damaged installation
    sends genes as text, without accessions."""
    try:
        return report_accessions(GeneModel.bundled())
    except KnowledgeBaseError:
        return {}, {}, {}


# -- resources ----------------------------------------------------------------------------------


def _meta(profile: str | None, synthetic: bool) -> dict[str, Any]:
    """{"meta": ...} to merge into a resource; nothing when there is nothing to say (FHIR
    forbids empty elements)."""
    meta: dict[str, Any] = {}
    if profile:
        meta["profile"] = [profile]
    if synthetic:  # as the bundled examples mark test data
        meta["tag"] = [_coding(ACT_REASON, "HTEST", "test health data")]
    return {"meta": meta} if meta else {}


def _patient(content: ReportContent, ids: _Ids) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient",
                                "id": ids("patient", content.patient_id),
                                **_meta(None, content.synthetic)}
    if content.patient_id:
        resource["identifier"] = [{"value": content.patient_id}]  # the source's pseudonym
    if content.patient_name:  # only when the site configured names (MTB_SHOW_NAMES)
        resource["name"] = [{"text": content.patient_name}]
    if content.sex in ("male", "female", "other", "unknown"):
        resource["gender"] = content.sex
    if content.birth:
        resource["birthDate"] = content.birth  # as precise as the source: 1961 or 1961-05
    return resource


def _observation(
    content: ReportContent, resource_id: str, profile: str, code: dict[str, Any], subject: str,
    categories: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": resource_id,
        **_meta(profile, content.synthetic),
        "status": "final" if content.final else "preliminary",
        "category": [_concept(OBSERVATION_CATEGORY, "laboratory", "Laboratory"), *categories,
                     _concept(DIAGNOSTIC_SERVICE, "GE", "Genetics")],
        "code": code,
        "subject": _ref(subject),
    }
    if content.sequencing_date:
        resource["effectiveDateTime"] = content.sequencing_date
    return resource


def _component(code: dict[str, Any], **value: Any) -> dict[str, Any]:
    return {"code": code, **value}


def _tier_concept(tier: str, text: str) -> dict[str, Any]:
    return _concept(AMP_TIER_SYSTEM, tier, TIER_NAMES.get(tier, tier), text)


def _variant(content: ReportContent, finding: ReportFinding, ids: _Ids,
             subject: str) -> dict[str, Any]:
    hgnc, proteins, chromosomes = _mane()
    resource = _observation(content, ids("variant", finding.key, finding.label), PROFILE_VARIANT,
                            _loinc("69548-6", "Genetic variant assessment"), subject)
    resource["valueCodeableConcept"] = _loinc("LA9633-4", "Present")
    resource["method"] = _loinc("LA26398-0", "Sequencing")
    interpretation = [_tier_concept(finding.tier, f"AMP/ASCO/CAP tier {finding.tier} "
                                    "(knowledge-base rules)")]
    if finding.curated_tier:
        reason = f": {finding.override_reason}" if finding.override_reason else ""
        interpretation.append(_tier_concept(
            finding.curated_tier, f"AMP/ASCO/CAP tier {finding.curated_tier} (curated{reason})"))
    resource["interpretation"] = interpretation
    components = []
    for gene in finding.genes:
        if gene in hgnc:
            value = {"coding": [_coding(HGNC, hgnc[gene], gene)], "text": gene}
        else:
            value = {"text": gene}
        components.append(_component(_loinc("48018-6", "Gene studied [ID]"),
                                     valueCodeableConcept=value))
    if finding.genomic:
        build, chrom, pos, ref, alt = finding.genomic
        if build in ASSEMBLIES:
            code, name = ASSEMBLIES[build]
            components.append(_component(
                _loinc("62374-4", "Human reference sequence assembly version"),
                valueCodeableConcept=_loinc(code, name)))
        accession = chromosomes.get(chrom) if build == "GRCh38" else None
        if accession:
            components.append(_component(_loinc("48013-7", "Genomic reference sequence [ID]"),
                                         valueCodeableConcept=_concept(REFSEQ, accession)))
            genomic = _genomic_hgvs(accession, pos, ref, alt)
            if genomic:
                components.append(_component(_loinc("81290-9", "Genomic DNA change (gHGVS)"),
                                             valueCodeableConcept=_concept(HGVS, genomic,
                                                                           genomic)))
        components += [
            _component(_loinc("92822-6", "Genomic coordinate system [Type]"),
                       valueCodeableConcept=_loinc("LA30102-0", "1-based character counting")),
            _component(_loinc("81254-5", "Genomic allele start-end"),
                       valueRange={"low": {"value": pos},
                                   "high": {"value": pos + max(len(ref), 1) - 1}}),
            _component(_loinc("69547-8", "Genomic ref allele [ID]"), valueString=ref),
            _component(_loinc("69551-0", "Genomic alt allele [ID]"), valueString=alt),
        ]
    if finding.hgvsc:
        coding = (f"{finding.transcript}:{finding.hgvsc}"
                  if finding.transcript and ":" not in finding.hgvsc else finding.hgvsc)
        components.append(_component(_loinc("48004-6", "DNA change (c.HGVS)"),
                                     valueCodeableConcept=_concept(HGVS, coding, coding)))
    if finding.transcript:
        components.append(_component(_loinc("51958-7", "Transcript reference sequence [ID]"),
                                     valueCodeableConcept={"text": finding.transcript}))
    if finding.hgvsp:
        accession = proteins.get(finding.transcript)
        code = f"{accession}:{finding.hgvsp}" if accession and ":" not in finding.hgvsp \
            else finding.hgvsp
        components.append(_component(_loinc("48005-3", "Amino acid change (pHGVS)"),
                                     valueCodeableConcept=_concept(HGVS, code, finding.hgvsp,
                                                                   finding.hgvsp)))
    if finding.somatic:
        components.append(_component(_loinc("48002-0", "Genomic source class [Type]"),
                                     valueCodeableConcept=_loinc("LA6684-0", "Somatic")))
    if finding.vaf is not None:
        components.append(_component(
            _loinc("81258-6", "Sample variant allelic frequency [NFr]"),
            valueQuantity={"value": round(finding.vaf, 4), "system": UCUM, "code": "1",
                           "unit": "relative frequency of a particular allele in the specimen"}))
    if finding.alt_reads is not None:
        components.append(_component(
            _loinc("82121-5", "Allelic read depth"),
            valueQuantity={"value": finding.alt_reads, "system": UCUM, "code": "1",
                           "unit": "reads"}))
    if components:  # FHIR allows no empty lists
        resource["component"] = components
    depth = f"; total depth {finding.depth} reads" if finding.depth is not None else ""
    notes = [{"text": finding.label + depth}]
    if finding.why:
        notes.append({"text": f"Tier: {finding.why}"})
    curator = {"authorString": finding.curated_by} if finding.curated_by else {}
    if finding.oncogenicity:
        notes.append({"text": f"Oncogenicity (curated): {finding.oncogenicity}", **curator})
    if finding.comment:
        notes.append({"text": f"Curator's comment: {finding.comment}", **curator})
    resource["note"] = notes
    return resource


def _genomic_hgvs(accession: str, pos: int, ref: str, alt: str) -> str:
    """g.HGVS for substitutions (SNV, MNV as delins). Indels are left out: HGVS wants them
    shifted 3', which needs the reference sequence; position and alleles still say them."""
    if not ref or not alt or not ref.isalpha() or not alt.isalpha():
        return ""
    if len(ref) == 1 and len(alt) == 1:
        return f"{accession}:g.{pos}{ref.upper()}>{alt.upper()}"
    if len(ref) == len(alt) and ref[0] != alt[0] and ref[-1] != alt[-1]:
        return f"{accession}:g.{pos}_{pos + len(ref) - 1}delins{alt.upper()}"
    return ""


def _tmb(content: ReportContent, ids: _Ids, subject: str) -> dict[str, Any]:
    category = _concept(TBD_CODES, "biomarker-category",
                        "A characterization of a given biomarker observation.")
    resource = _observation(content, ids("tmb"), PROFILE_BIOMARKER,
                            _loinc("94076-7", "Mutations/Megabase [# Ratio] in Tumor"), subject,
                            [category])
    if content.tmb_per_mb is not None:
        resource["valueQuantity"] = {"value": round(content.tmb_per_mb, 2), "system": UCUM,
                                     "code": "1/1000000{Base}", "unit": "Mutations/Megabase"}
    else:
        resource["dataAbsentReason"] = _concept(DATA_ABSENT, "unknown", "Unknown")
    resource["component"] = [_component(
        {"coding": [_coding(TBD_CODES, "biomarker-category")]},
        valueCodeableConcept=_concept(f"{GR}/CodeSystem/molecular-biomarker-ontology-cs",
                                      "molgen", "molecular sequence adjacent category"))]
    resource["note"] = [{"text": content.tmb_text}]
    return resource


MSI_ANSWERS = {"high": ("LA26203-2", "MSI-H"), "stable": ("LA14122-8", "Stable"),
               "indeterminate": ("LA11884-6", "Indeterminate")}  # LOINC answer list of 81695-9


def _biomarker(content: ReportContent, marker: Biomarker, ids: _Ids,
               subject: str) -> dict[str, Any]:
    """MSI (LOINC 81695-9 with its LOINC answers, as the MII molecular-genetics module codes
    it) or HRD (no LOINC code yet: text), as a Genomics Reporting molecular biomarker. An
    estimate from the calls is 'preliminary' whatever the case's status."""
    category = _concept(TBD_CODES, "biomarker-category",
                        "A characterization of a given biomarker observation.")
    if marker.name == "MSI":
        code = _loinc("81695-9", "Microsatellite instability [Interpretation] in Cancer "
                      "specimen Qualitative")
        answer = MSI_ANSWERS.get(marker.call)
        value = _concept(LOINC, *answer) if answer else {"text": marker.label}
    else:
        code = {"text": "Homologous recombination deficiency (HRD) status"}
        value = {"text": marker.label}
    resource = _observation(content, ids("biomarker", marker.name), PROFILE_BIOMARKER, code,
                            subject, [category])
    resource["valueCodeableConcept"] = value
    if marker.estimate:
        resource["status"] = "preliminary"
    resource["note"] = [{"text": marker.source or marker.label}]
    return resource


def _implication(content: ReportContent, finding: ReportFinding, therapy: TherapyCall,
                 ids: _Ids, subject: str, variant_id: str) -> dict[str, Any]:
    resource = _observation(
        content, ids("implication", finding.key, finding.label, therapy.name,
                     therapy.resistance),
        PROFILE_IMPLICATION,
        _concept(TBD_CODES, "therapeutic-implication", "Therapeutic Implication"), subject)
    resource["method"] = _loinc("LA26811-2", "Computational analysis")
    resource["derivedFrom"] = [_ref(variant_id, finding.label)]
    effect = (_loinc("LA6676-6", "Resistant") if therapy.resistance
              else _loinc("LA6677-4", "Responsive"))
    level = f"; evidence level {therapy.level}" if therapy.level else ""
    resource["component"] = [
        _component(_loinc("51963-7", "Medication assessed [ID]"),
                   valueCodeableConcept={"text": therapy.name}),
        _component({"coding": [_coding(TBD_CODES, "therapeutic-implication")]},
                   valueCodeableConcept=effect),
        _component(_loinc("93044-6", "Level of evidence"),
                   valueCodeableConcept=_tier_concept(
                       therapy.tier, f"AMP/ASCO/CAP tier {therapy.tier}{level}")),
    ]
    if therapy.evidence_ids:
        resource["note"] = [{"text": "Evidence: " + ", ".join(therapy.evidence_ids)}]
    return resource


def _medication_request(content: ReportContent, rec: ReportRecommendation, ids: _Ids,
                        subject: str, variants: dict[str, str]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": ids("recommendation", rec.id),
        **_meta(PROFILE_RECOMMENDATION, content.synthetic),
        "status": "active" if content.final else "draft",
        "intent": "proposal",
        "medicationCodeableConcept": {"text": rec.text},
        "subject": _ref(subject),
    }
    if rec.evidence_grade:
        resource["extension"] = [{
            "url": EXT_EVIDENCE_GRADE,
            "valueCodeableConcept": _concept(CS_EVIDENCE_GRADE, rec.evidence_grade,
                                             rec.evidence_grade),
        }]
    if rec.created_at is not None:
        resource["authoredOn"] = _when(rec.created_at)
    reasons = [_ref(variants[key], label) for key, label in zip(rec.finding_keys, rec.findings,
                                                                strict=True) if key in variants]
    if reasons:
        resource["reasonReference"] = reasons
    notes = []
    if rec.amp_tier:
        notes.append(f"AMP/ASCO/CAP tier {rec.amp_tier}")
    if rec.rationale:
        notes.append(f"Rationale: {rec.rationale}")
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    return resource


STUDY_SYSTEM = "https://clinicaltrials.gov"


def _research_study(rec: ReportRecommendation, ids: _Ids) -> dict[str, Any]:
    """A recommended trial, named by its ClinicalTrials.gov id (the board's text as title)."""
    return {
        "resourceType": "ResearchStudy",
        "id": ids("study", rec.nct_id),
        "identifier": [{"system": STUDY_SYSTEM, "value": rec.nct_id}],
        "title": rec.text,
        "status": "active",
    }


def _care_plan(content: ReportContent, ids: _Ids, subject: str, report_id: str,
               requests: dict[int, str], studies: dict[str, str]) -> dict[str, Any]:
    activities: list[dict[str, Any]] = []
    for rec in content.recommendations:
        if rec.id in requests:
            activities.append({"reference": _ref(requests[rec.id], rec.text)})
            continue
        detail: dict[str, Any] = {"code": {"text": rec.kind_label}, "status": "not-started",
                                  "description": rec.text}
        if rec.kind == "genetic_counselling" or rec.kind == "diagnostics":
            detail["kind"] = "ServiceRequest"
        if rec.kind == "trial" and rec.nct_id:
            detail["instantiatesUri"] = [f"{STUDY_SYSTEM}/study/{rec.nct_id}"]
            detail["description"] = f"{rec.text} ({rec.nct_id})"
        activities.append({"detail": detail})
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": ids("care-plan"),
        **_meta(PROFILE_PLAN, content.synthetic),
        "status": "active" if content.final else "draft",
        "intent": "proposal",
        "title": "Recommendations of the molecular tumor board",
        "subject": _ref(subject),
        "created": _when(min((r.created_at for r in content.recommendations if r.created_at),
                             default=content.generated_at)),
        "supportingInfo": [_ref(report_id, "Genomic report"),
                           *(_ref(study, nct) for nct, study in studies.items())],
        "activity": activities,
    }
    if content.summary:
        resource["description"] = content.summary
    return resource


def _diagnostic_report(content: ReportContent, ids: _Ids, subject: str,
                       results: list[dict[str, str]]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": ids("report"),
        **_meta(PROFILE_REPORT, content.synthetic),
        "status": "final" if content.final else "preliminary",
        "category": [_concept(DIAGNOSTIC_SERVICE, "GE", "Genetics")],
        "code": {"coding": [_coding(LOINC, "51969-4", "Genetic analysis report"),
                            _coding(LOINC, "81247-9",
                                    "Master HL7 genetic variant reporting panel")],
                 "text": "Molecular tumor board report"},
        "subject": _ref(subject),
        "issued": _when(content.generated_at),
    }
    if results:
        resource["result"] = results
    if content.sequencing_date:
        resource["effectiveDateTime"] = content.sequencing_date
    if content.summary:
        resource["conclusion"] = content.summary
    return resource


# -- the bundle ----------------------------------------------------------------------------------


def to_bundle(content: ReportContent) -> dict[str, Any]:
    """The report as a FHIR R4 Bundle (a JSON-ready dict), every resource validated."""
    ids = _Ids(content.case_id)
    patient = _patient(content, ids)
    subject = patient["id"]
    resources: list[dict[str, Any]] = [patient]
    results: list[dict[str, str]] = []
    variants: dict[str, str] = {}  # finding key -> the (first) Observation of that finding
    variant_ids: dict[int, str] = {}
    markers: dict[str, str] = {}  # TMB, MSI, HRD -> its molecular-biomarker Observation
    if content.tmb_computed:
        tmb = _tmb(content, ids, subject)
        markers["TMB"] = tmb["id"]
        resources.append(tmb)
        results.append(_ref(tmb["id"], "Tumor mutational burden"))
    for marker in content.biomarkers:
        if marker.name != "TMB":
            observation = _biomarker(content, marker, ids, subject)
            markers[marker.name] = observation["id"]
            resources.append(observation)
            results.append(_ref(observation["id"], marker.label))
    for finding in content.findings:
        if finding.kind == "biomarker" and finding.gene in markers:
            variants.setdefault(finding.key, markers[finding.gene])
            variant_ids[id(finding)] = markers[finding.gene]
            continue  # not a sequence variant: its Observation is the biomarker's
        variant = _variant(content, finding, ids, subject)
        variants.setdefault(finding.key, variant["id"])
        variant_ids[id(finding)] = variant["id"]
        resources.append(variant)
        results.append(_ref(variant["id"], finding.label))
    for finding in content.findings:
        if finding.reported_tier not in KEY_TIERS:
            continue  # a curator moved it out of tiers I/II: its therapies are not sent
        for therapy in finding.therapies:  # what a card may show: no level D, tool, withdrawn
            if therapy.tier in KEY_TIERS and therapy.on_card:
                implication = _implication(content, finding, therapy, ids, subject,
                                           variant_ids[id(finding)])
                resources.append(implication)
                results.append(_ref(implication["id"], f"{finding.label}: {therapy.label}"))
    report = _diagnostic_report(content, ids, subject, results)
    resources.append(report)
    requests: dict[int, str] = {}
    for rec in content.recommendations:
        if rec.kind == "therapy":
            request = _medication_request(content, rec, ids, subject, variants)
            requests[rec.id] = request["id"]
            resources.append(request)
    studies: dict[str, str] = {}  # NCT id -> its ResearchStudy
    for rec in content.recommendations:
        if rec.kind == "trial" and rec.nct_id and rec.nct_id not in studies:
            study = _research_study(rec, ids)
            studies[rec.nct_id] = study["id"]
            resources.append(study)
    if content.recommendations:
        resources.append(_care_plan(content, ids, subject, report["id"], requests, studies))
    bundle = {
        "resourceType": "Bundle",
        "id": ids("bundle"),
        **_meta(None, content.synthetic),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{ids('bundle')}"},
        "type": "collection",
        "timestamp": _when(content.generated_at),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
    _validate(bundle)
    return bundle


def bundle_json(content: ReportContent) -> str:
    """The bundle as JSON text (UTF-8, indented)."""
    return json.dumps(to_bundle(content), ensure_ascii=False, indent=1) + "\n"


def _validate(bundle: dict[str, Any]) -> None:
    """Every resource against its R4B model: a bundle the hospital's server would refuse is a
    bug here, said without the values (they may be patient data)."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    for item in [bundle, *(entry["resource"] for entry in bundle["entry"])]:
        try:
            get_fhir_model_class(item["resourceType"]).model_validate(item)
        except ValidationError as error:
            where = "; ".join(".".join(str(p) for p in e["loc"]) for e in error.errors()[:5])
            raise ReportError(f"the FHIR {item['resourceType']} of the report does not "
                              f"validate ({where}); please report this") from None
