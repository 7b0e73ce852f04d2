"""FHIR R4 -> timeline events and the patient header. `read_fhir` is the door.

One function per resource type turns a validated resource (mtb.ingest.fhir_record) into at most
one event, by the rules in mtb.ingest.fhir_rules; anything that does not become an event is
counted in `Timeline.skipped` with the reason. Dates are read as the source wrote them (partial
dates stay partial; a dateTime's own calendar day is kept, not converted to UTC).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept

from mtb.ingest import fhir_rules as rules
from mtb.ingest.consequences import strip_accession
from mtb.ingest.drugs import antineoplastic_names, is_antineoplastic
from mtb.ingest.fhir_record import Entry, Record, load_record
from mtb.timeline import Code, EventKind, PartialDate, Patient, Timeline, TimelineEvent

__all__ = ["read_fhir", "timeline_of"]

# MII therapy types (mii-cs-onko-therapie-typ), which the data send without displays
_MII_THERAPY_TYPES = {
    "OP": "Operation", "ST": "Strahlentherapie", "CH": "Chemotherapie", "HO": "Hormontherapie",
    "IM": "Immuntherapie", "ZS": "Zielgerichtete Substanz", "SZ": "Stammzelltransplantation",
    "AS": "Active Surveillance", "WS": "Wait and see", "WW": "Watchful Waiting",
    "SO": "Sonstiges", "KM": "Knochenmarktransplantation",
}
_MTB_PLANS = (("follow-up", "Molecular tumor board follow-up plan"),
              ("therapieplan", "Molecular tumor board therapy plan"))
_MODALITIES = {"CT": "CT", "MR": "MRI", "PT": "PET", "US": "Ultrasound", "MG": "Mammography",
               "CR": "X-ray", "DX": "X-ray", "NM": "Scintigraphy", "XA": "Angiography"}
_NOT_HAPPENED = {"entered-in-error", "not-done", "not-taken", "cancelled", "preparation",
                 "revoked", "draft"}
# A MedicationStatement 'intended' is a plan (often the board's own recommendation): showing it
# as given therapy would turn a recommendation into a treatment line.
_PLANNED = {"intended"}
_RECOMMENDATION_INTENTS = {"proposal", "plan", "option"}
_GENE = "48018-6"
_PROTEIN = "48005-3"
_CDNA = "48004-6"
_GENOMIC = "81290-9"


def read_fhir(
    paths: Sequence[Path], *, patient: str | None = None, show_names: bool = False
) -> Timeline:
    """The timeline of FHIR files and folders. `patient` (a Patient id) keeps one patient's
    resources when the files hold several; names are read only with `show_names`."""
    return timeline_of(load_record(paths), patient=patient, show_names=show_names)


def timeline_of(
    record: Record, *, patient: str | None = None, show_names: bool = False
) -> Timeline:
    """Events, patients and the account of everything else, from a loaded Record."""
    timeline = Timeline(warnings=list(record.warnings), read=Counter(record.read),
                        skipped=Counter(record.skipped))
    patients = [e for e in record.entries if e.type == "Patient"]
    if patient is not None and not any(e.resource.id == patient for e in patients):
        record.warn(None, "no Patient with the chosen id in the files; resources are kept by "
                          "subject")
    timeline.patients = [
        patient_of(e, show_names) for e in patients if patient is None or e.resource.id == patient
    ]
    known = {p.id for p in timeline.patients}
    other_subjects: Counter[str] = Counter()
    made: list[tuple[TimelineEvent, Entry]] = []
    subjects: set[str] = set()
    for entry in record.entries:
        subject = _subject(entry)
        target = record.resolve(subject)
        subject_id = str(target.resource.id) if target is not None else _ref_id(subject)
        if entry.type == "Patient":
            subject, subject_id = entry.ref, str(entry.resource.id or "")
        if patient is not None and subject and subject_id != patient:
            timeline.skipped[f"{entry.type} (another patient)"] += 1
            continue
        if subject:
            subjects.add(subject_id)
        if subject and known and subject_id not in known:
            other_subjects[subject] += 1
        build = _BUILDERS.get(entry.type)
        if build is None:
            timeline.skipped[f"{entry.type}"] += 1
            continue
        status = str(getattr(entry.resource, "status", "") or "")
        if status in _NOT_HAPPENED:
            timeline.skipped[f"{entry.type} (status {status})"] += 1
            continue
        if status in _PLANNED and entry.type.startswith("Medication"):
            timeline.skipped[f"{entry.type} (planned, not given)"] += 1
            continue
        event, why = build(entry, record)
        if event is None:
            timeline.skipped[f"{entry.type} ({why})" if why else entry.type] += 1
            continue
        if event.start is None:
            record.warn(entry, "no date; listed at the end of the timeline")
        made.append((event, entry))
    timeline.events = _fold_therapy_procedures(made, record, timeline.skipped)
    if other_subjects:  # counted, never named: patient ids are often names
        others = len(other_subjects)
        record.warn(None, f"{sum(other_subjects.values())} resources refer to "
                          f"{'another patient' if others == 1 else f'{others} other patients'}"
                          " than the patient of these files (kept; check the data)")
    if len(timeline.patients) > 1:
        record.warn(None, f"the files hold {len(timeline.patients)} patients; choose one")
    elif not known and len(subjects) > 1:
        record.warn(None, f"the resources refer to {len(subjects)} different patients "
                          "and no Patient resource says which is this case's: check the data")
    timeline.warnings = list(record.warnings)
    return timeline


def patient_of(entry: Entry, show_names: bool = False) -> Patient:
    resource = entry.resource
    deceased: PartialDate | bool | None = None
    if resource.deceasedDateTime is not None:
        deceased = _date(resource.deceasedDateTime)
    elif resource.deceasedBoolean is not None:
        deceased = bool(resource.deceasedBoolean)
    name = ""
    if show_names and resource.name:
        first = resource.name[0]
        name = first.text or " ".join([*(first.given or []), first.family or ""]).strip()
    return Patient(
        id=str(resource.id or ""),
        sex=str(resource.gender or ""),
        birth=_date(resource.birthDate),
        deceased=deceased,
        name=name,
        source=entry.source,
    )


# -- one builder per resource type ------------------------------------------------------------

Built = tuple[TimelineEvent | None, str]


def _patient(entry: Entry, record: Record) -> Built:
    resource = entry.resource
    if resource.deceasedDateTime is None:
        return None, "header"
    return _event(EventKind.DEATH, entry, _date(resource.deceasedDateTime), "Death"), ""


def _condition(entry: Entry, record: Record) -> Built:
    resource = entry.resource
    codes = _codes(resource.code)
    label = _text(resource.code)
    morphology = [c for site in resource.bodySite or [] for c in _codes(site)]
    kind, why = rules.condition_kind(codes, label)
    if kind is None:
        return None, why
    start = (
        _date(resource.onsetDateTime)
        or _date(resource.onsetPeriod.start if resource.onsetPeriod else None)
        or _date(resource.recordedDate)
    )
    stage = [_text(s.summary) for s in resource.stage or [] if s.summary]
    sites = [f"{c.display or c.code} ({c.system_name} {c.code})" for c in morphology]
    detail = "; ".join(part for part in (
        f"site: {', '.join(sites)}" if sites else "",
        f"stage: {', '.join(stage)}" if stage else "",
        _verification(resource),
    ) if part)
    return _event(kind, entry, start, label or "Diagnosis",
                  end=_date(resource.abatementDateTime), codes=codes + morphology,
                  detail=detail), ""


def _procedure(entry: Entry, record: Record) -> Built:
    resource = entry.resource
    codes = _codes(resource.code)
    label = _combined_label(resource.code)
    categories = _codes(resource.category)
    if not codes and not label:
        return None, "no code"
    kind = rules.procedure_kind(codes, categories, label)
    if kind is None:
        return None, "not an oncologic procedure"
    label = label or rules.known_name(codes) or kind.value.replace("_", " ").capitalize()
    start, end = _period_or(resource.performedPeriod, resource.performedDateTime)
    if start is not None and end is not None and end.key < start.key:
        record.warn(entry, f"ends ({end}) before it starts ({start}); the end is not shown")
        end = None
    outcome = _text(resource.outcome)
    detail = "; ".join(p for p in (_setting(resource), _notes(resource),
                                   f"outcome: {outcome}" if outcome else "") if p)
    return _event(kind, entry, start, label, end=end, codes=codes, detail=detail), ""


# MII systemic therapy and radiotherapy extensions: position to surgery, intention
_MII_SETTING = {"N": "neoadjuvant", "A": "adjuvant", "I": "intraoperative",
                "O": "without surgery", "S": "other setting"}
_MII_INTENTION = {"K": "curative intent", "P": "palliative intent", "S": "other intent",
                  "X": "intent unknown"}


def _setting(resource: Any) -> str:
    """'neoadjuvant, curative intent' from the MII extensions (a line of therapy is counted
    only outside the perioperative setting; see mtb.timeline.therapy_lines)."""
    parts: list[str] = []
    for extension in getattr(resource, "extension", None) or []:
        url = extension.url or ""
        code = _first_code(extension.valueCodeableConcept) \
            if extension.valueCodeableConcept is not None else ""
        if url.endswith("stellung-zur-op") and code in _MII_SETTING:
            parts.insert(0, _MII_SETTING[code])
        elif url.endswith("-intention") and code in _MII_INTENTION:
            parts.append(_MII_INTENTION[code])
    return ", ".join(parts)


def _medication(entry: Entry, record: Record) -> Built:
    """MedicationStatement, MedicationAdministration and MedicationRequest."""
    resource = entry.resource
    if entry.type == "MedicationRequest" and resource.intent in _RECOMMENDATION_INTENTS:
        return None, "recommendation, not given"
    concept = resource.medicationCodeableConcept
    if concept is None and resource.medicationReference is not None:
        reference = resource.medicationReference.reference
        target = _medication_of(entry, record, reference)
        display = resource.medicationReference.display
        if target is None and display:  # a reference that names the drug is enough
            concept = CodeableConcept.model_validate({"text": display})
        elif target is None:
            record.warn(entry, f"its medication reference ({reference_kind(reference)}) does "
                               "not resolve")
            if _profile_says_therapy(resource):
                start, end = _medication_period(entry)
                return _event(EventKind.SYSTEMIC_THERAPY, entry, start,
                              f"Systemic therapy (medication {reference} not found)",
                              end=end, detail=_notes(resource)), ""
            return None, "medication unknown"
        else:
            concept = target.code
    codes = _codes(concept)
    written = _combined_label(concept)
    atc = [c.code for c in codes if c.system_name == "ATC"]
    if not is_antineoplastic(atc, written):
        return None, "not antineoplastic"
    label = _drug_label(written, atc)
    start, end = _medication_period(entry)
    shown = written if label.lower() != written.lower() else ""
    detail = "; ".join(p for p in (shown, _notes(resource)) if p)
    return _event(EventKind.SYSTEMIC_THERAPY, entry, start, label, end=end, codes=codes,
                  detail=detail), ""


def _observation(entry: Entry, record: Record) -> Built:
    resource = entry.resource
    codes = _codes(resource.code)
    label = _text(resource.code)
    categories = _codes(resource.category)
    value, unit, value_codes = _value(resource)
    kind, why = rules.observation_kind(codes, categories, value_codes, str(value or ""), label)
    if kind is None:
        return None, why
    start, _ = _period_or(resource.effectivePeriod, resource.effectiveDateTime)
    start = start or _date(resource.effectiveInstant) or _date(resource.issued)
    components = []
    for component in resource.component or []:
        part, part_unit, _ = _value(component)
        if part is not None and _text(component.code):
            components.append(f"{_text(component.code)}: {part} {part_unit}".strip())
    detail = "; ".join(p for p in (*components, _notes(resource)) if p)
    label = label or rules.known_name(codes) or "Observation"
    return _event(kind, entry, start, label, value=value, unit=unit,
                  codes=codes, detail=detail), ""


def _report(entry: Entry, record: Record) -> Built:
    resource = entry.resource
    codes = _codes(resource.code)
    label = _text(resource.code)
    kind, why = rules.report_kind(codes, _codes(resource.category), label)
    if kind is None:
        return None, why
    start, _ = _period_or(resource.effectivePeriod, resource.effectiveDateTime)
    start = start or _date(resource.issued)
    parts = []
    if kind == EventKind.SEQUENCING:
        findings = _findings(entry, record)
        if findings:
            parts.append("findings: " + "; ".join(findings))
    if resource.conclusion:
        parts.append(str(resource.conclusion))
    parts += [_text(c) for c in resource.conclusionCode or []]
    return _event(kind, entry, start, label or "Report", codes=codes,
                  detail="; ".join(p for p in parts if p)), ""


def _imaging_study(entry: Entry, record: Record) -> Built:
    resource = entry.resource
    modalities = [m.code for m in resource.modality or [] if m.code]
    modalities += [s.modality.code for s in resource.series or []
                   if s.modality and s.modality.code and s.modality.code not in modalities]
    names = list(dict.fromkeys(_MODALITIES.get(m, m) for m in modalities))
    sites = list(dict.fromkeys(
        s.bodySite.display or s.bodySite.code for s in resource.series or [] if s.bodySite
    ))
    label = " ".join(p for p in ("/".join(names) or "Imaging", ", ".join(sites)) if p)
    if resource.description:
        label += f" ({resource.description})"
    series = resource.numberOfSeries or len(resource.series or [])
    images = resource.numberOfInstances
    detail = f"{series} series" + (f", {images} images" if images else "")
    codes = [Code("http://dicom.nema.org/resources/ontology/DCM", m) for m in modalities]
    return _event(EventKind.IMAGING, entry, _date(resource.started), label, codes=codes,
                  detail=detail), ""


def _specimen(entry: Entry, record: Record) -> Built:
    resource = entry.resource
    collection = resource.collection
    start = None
    site = ""
    if collection is not None:
        start, _ = _period_or(collection.collectedPeriod, collection.collectedDateTime)
        site = _text(collection.bodySite)
    start = start or _date(resource.receivedTime)
    label = _text(resource.type) or "Specimen"
    if site:
        label += f", {site}"
    return _event(EventKind.SPECIMEN, entry, start, label, codes=_codes(resource.type),
                  detail=_notes(resource)), ""


def _care_plan(entry: Entry, record: Record) -> Built:
    resource = entry.resource
    profiles = [str(p) for p in (resource.meta.profile if resource.meta else None) or []]
    categories = [c for concept in resource.category or [] for c in _codes(concept)]
    text = " ".join([resource.title or "", resource.description or "",
                     *(_text(c) for c in resource.category or [])])
    if not rules.is_tumor_board(profiles, categories, text):
        return None, "not a tumor board"
    label = next((c.display for c in categories if c.display), "") or resource.title or next(
        (name for part, name in _MTB_PLANS if any(part in p for p in profiles)), "Tumor board"
    )
    start = _date(resource.created) or _date(resource.period.start if resource.period else None)
    plans = []
    for activity in resource.activity or []:
        detail = activity.detail
        if detail is not None and detail.code is not None:
            code = detail.code
            plans.append(_text(code) or next(
                (_MII_THERAPY_TYPES.get(c.code or "", c.code or "") for c in code.coding or []), ""
            ))
        if detail is not None and detail.productCodeableConcept is not None:
            plans.append(_drug_label(_combined_label(detail.productCodeableConcept), []))
        if activity.reference is not None:
            plans += _recommended(entry, record, activity.reference.reference)
    detail = "recommended: " + "; ".join(p for p in plans if p) if plans else ""
    return _event(EventKind.TUMOR_BOARD, entry, start, label, codes=categories,
                  detail=detail), ""


_BUILDERS: dict[str, Callable[[Entry, Record], Built]] = {
    "Patient": _patient,
    "Condition": _condition,
    "Procedure": _procedure,
    "MedicationStatement": _medication,
    "MedicationAdministration": _medication,
    "MedicationRequest": _medication,
    "Observation": _observation,
    "DiagnosticReport": _report,
    "ImagingStudy": _imaging_study,
    "Specimen": _specimen,
    "CarePlan": _care_plan,
}


# -- pieces -----------------------------------------------------------------------------------


def _event(
    kind: EventKind,
    entry: Entry,
    start: PartialDate | None,
    label: str,
    *,
    end: PartialDate | None = None,
    codes: Sequence[Code] = (),
    value: float | str | None = None,
    unit: str = "",
    detail: str = "",
) -> TimelineEvent:
    """The event, with the source's status when it is not the ordinary 'done' one."""
    status = str(getattr(entry.resource, "status", "") or "")
    if status in ("completed", "final", "active", "amended", "corrected", "complete", "available"):
        status = ""
    return TimelineEvent(
        kind=kind, start=start, label=" ".join(label.split()), end=end, codes=tuple(codes),
        value=value, unit=unit, source=entry.source, detail=detail, status=status,
    )


def _fold_therapy_procedures(
    made: list[tuple[TimelineEvent, Entry]], record: Record, skipped: Counter[str]
) -> list[TimelineEvent]:
    """MII records a systemic therapy twice: the Procedure (OPS 8-54, the episode: its setting,
    intention, status, end, notes) and its MedicationStatements (the drugs). The board reads
    the drugs, so the episode is folded into the statements that belong to it — those whose
    partOf names it, or (MII's examples write partOf placeholders) that start on its day — and
    what only the episode says is copied into their detail and status."""
    episodes = {
        entry.ref: event for event, entry in made
        if entry.type == "Procedure" and event.kind == EventKind.SYSTEMIC_THERAPY
    }
    by_start: dict[str, str] = {}
    for ref, event in episodes.items():
        if isinstance(event.start, PartialDate):
            by_start.setdefault(str(event.start), ref)
    folded: set[str] = set()
    events = []
    for event, entry in made:
        if entry.type == "Procedure":
            continue  # below, once it is known whether they were folded
        if event.kind != EventKind.SYSTEMIC_THERAPY:
            events.append(event)
            continue
        owner = next((target.ref for part in getattr(entry.resource, "partOf", None) or []
                      for target in [record.resolve(part.reference)]
                      if target is not None and target.ref in episodes), None)
        if owner is None and isinstance(event.start, PartialDate):
            owner = by_start.get(str(event.start))
        if owner is None:
            events.append(event)
            continue
        folded.add(owner)
        episode = episodes[owner]
        detail = "; ".join(dict.fromkeys(p for p in (episode.detail, event.detail) if p))
        events.append(replace(event, detail=detail, status=event.status or episode.status,
                              end=event.end or episode.end))
    for event, entry in made:
        if entry.type == "Procedure" and entry.ref in folded:
            skipped["Procedure (systemic therapy, shown by its medications)"] += 1
        elif entry.type == "Procedure":
            events.append(event)
    return events


def _recommended(entry: Entry, record: Record, reference: str | None) -> list[str]:
    """What a board recommended, from MedicationRequests directly or in a RequestGroup."""
    target = record.resolve(reference)
    if target is None:
        record.warn(entry, f"an activity reference ({reference_kind(reference)}) does not "
                           "resolve")
        return []
    if target.type == "MedicationRequest":
        return [_requested_drug(target, record)]
    if target.type == "RequestGroup":
        drugs = [
            _requested_drug(found, record)
            for action in target.resource.action or [] if action.resource is not None
            for found in [record.resolve(action.resource.reference)] if found is not None
        ]
        grade = next((
            _text(ext.valueCodeableConcept) or _first_code(ext.valueCodeableConcept)
            for ext in target.resource.extension or []
            if ext.valueCodeableConcept is not None and "evidenzgrad" in (ext.url or "")
        ), "")
        return [" + ".join(d for d in drugs if d) + (f" (evidence {grade})" if grade else "")]
    return [_text(getattr(target.resource, "code", None)) or target.ref]


def _requested_drug(entry: Entry, record: Record) -> str:
    resource = entry.resource
    concept = resource.medicationCodeableConcept
    if concept is None and resource.medicationReference is not None:
        target = _medication_of(entry, record, resource.medicationReference.reference)
        concept = target.code if target is not None else None
    return _drug_label(_combined_label(concept), [])


def _drug_label(written: str, atc: list[str]) -> str:
    """'10 ML oxaliplatin 5 MG/ML Injection' -> 'Oxaliplatin': the INNs a product names, so
    that cycles and lines group by drug; the product as written is kept in the detail. With
    ATC codes the source's own drug names are kept (they may be German: 'Gemcitabin'), only
    stripped of strength and form when an INN is recognised in each."""
    names = antineoplastic_names(written)
    if atc and len(names) != len(atc):
        return written or " + ".join(f"ATC {code}" for code in atc)
    return " + ".join(name[:1].upper() + name[1:] for name in names) if names else written


def _medication_of(entry: Entry, record: Record, reference: str | None) -> Any:
    """The Medication a reference names: contained ('#m1') or a resource of the files."""
    if reference and reference.startswith("#"):
        for contained in getattr(entry.resource, "contained", None) or []:
            if contained.id == reference[1:] and contained.get_resource_type() == "Medication":
                return contained
        return None
    target = record.resolve(reference)
    return target.resource if target is not None and target.type == "Medication" else None


def _findings(entry: Entry, record: Record) -> list[str]:
    """'BRAF p.Val600Glu' for each variant observation the genomic report lists."""
    found = []
    for reference in entry.resource.result or []:
        target = record.resolve(reference.reference)
        if target is None:
            record.warn(entry, f"a result reference ({reference_kind(reference.reference)}) "
                               "does not resolve")
            continue
        if target.type != "Observation":
            continue
        parts: dict[str, str] = {}
        for component in target.resource.component or []:
            code = next((c.code for c in component.code.coding or []), "")
            value, _, _ = _value(component)
            if code in (_GENE, _PROTEIN, _CDNA, _GENOMIC) and value is not None:
                parts[code] = strip_accession(str(value))
        if _GENE in parts:
            change = parts.get(_PROTEIN) or parts.get(_CDNA) or parts.get(_GENOMIC) or ""
            found.append(f"{parts[_GENE]} {change}".strip())
    return found


def _medication_period(entry: Entry) -> tuple[PartialDate | None, PartialDate | None]:
    resource = entry.resource
    if entry.type == "MedicationRequest":
        for dosage in resource.dosageInstruction or []:
            repeat = dosage.timing.repeat if dosage.timing else None
            if repeat is not None and repeat.boundsPeriod is not None:
                return _period_or(repeat.boundsPeriod, None)
        return _date(resource.authoredOn), None
    return _period_or(resource.effectivePeriod, resource.effectiveDateTime)


def _profile_says_therapy(resource: Any) -> bool:
    profiles = [str(p) for p in (resource.meta.profile if resource.meta else None) or []]
    return any("systemtherapie" in p or "systemische-therapie" in p for p in profiles)


def _value(item: Any) -> tuple[float | str | None, str, list[Code]]:
    """(value, unit, codes) of an Observation or component's value[x]."""
    if item.valueQuantity is not None:
        quantity = item.valueQuantity
        unit = str(quantity.unit or quantity.code or "")
        if quantity.value is None:
            return None, unit, []
        if quantity.comparator:  # '<0.1' is not 0.1: a PSA below detection stays so
            return f"{quantity.comparator}{float(quantity.value):g}", unit, []
        return float(quantity.value), unit, []
    if item.valueCodeableConcept is not None:
        concept = item.valueCodeableConcept
        return _text(concept) or None, "", _codes(concept)
    for name in ("valueString", "valueInteger", "valueBoolean"):
        value = getattr(item, name, None)
        if value is not None:
            return (value if isinstance(value, str) else float(value)), "", []
    if getattr(item, "valueRatio", None) is not None:
        ratio = item.valueRatio
        if ratio.numerator is not None and ratio.numerator.value is not None:
            unit = ratio.numerator.unit or ratio.numerator.code or ""
            return float(ratio.numerator.value), str(unit), []
    return None, "", []


def _codes(concept: Any) -> list[Code]:
    """Codes of a CodeableConcept or a list of them."""
    if concept is None:
        return []
    if isinstance(concept, list):
        return [c for item in concept for c in _codes(item)]
    return [Code(str(c.system or ""), str(c.code), str(c.display or ""))
            for c in concept.coding or [] if c.code]


def _text(concept: Any) -> str:
    if concept is None:
        return ""
    if concept.text:
        return str(concept.text).strip()
    return next((str(c.display).strip() for c in concept.coding or [] if c.display), "")


def _first_code(concept: Any) -> str:
    return next((str(c.code) for c in concept.coding or [] if c.code), "")


def _combined_label(concept: Any) -> str:
    """A CodeableConcept's label. Several codings of one system with different codes are read
    as a combination (MII writes 'Paclitaxel' and 'Carboplatin' as two ATC codings, or four OPS
    codes of one operation): 'Paclitaxel + Carboplatin'."""
    if concept is None:
        return ""
    codings = [c for c in concept.coding or [] if c.code]
    systems = Counter(str(c.system or "") for c in codings)
    system, count = systems.most_common(1)[0] if systems else ("", 0)
    if count > 1 and not concept.text:
        parts = [str(c.display or c.code).strip() for c in codings if str(c.system or "") == system]
        return " + ".join(dict.fromkeys(parts))
    return _text(concept)


def _notes(resource: Any) -> str:
    return "; ".join(str(n.text).strip() for n in getattr(resource, "note", None) or [] if n.text)


def _verification(resource: Any) -> str:
    status = resource.verificationStatus
    codes = [c.code for c in (status.coding or []) if c.code] if status else []
    unconfirmed = {"provisional", "differential", "unconfirmed", "refuted"} & set(codes)
    return f"verification: {', '.join(sorted(unconfirmed))}" if unconfirmed else ""


def _period_or(period: Any, moment: Any) -> tuple[PartialDate | None, PartialDate | None]:
    if period is not None:
        return _date(period.start), _date(period.end)
    return _date(moment), None


def _date(value: Any) -> PartialDate | None:
    """A FHIR date/dateTime/instant as the source wrote it; None when absent or unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return PartialDate.of(value.date())  # the calendar day in the source's own zone
    if isinstance(value, date):
        return PartialDate.of(value)
    try:
        return PartialDate.parse(str(value))
    except ValueError:
        return None


def _subject(entry: Entry) -> str:
    for name in ("subject", "patient"):
        reference = getattr(entry.resource, name, None)
        if reference is not None and getattr(reference, "reference", None):
            return str(reference.reference)
    return ""


def _ref_id(reference: str) -> str:
    return reference.rstrip("/").split("/")[-1]


def reference_kind(reference: str | None) -> str:
    """What a reference points to, without the id ('Medication/max-m-123' -> 'a Medication'):
    warnings name the kind, never the id (ids are often made of names)."""
    text = str(reference or "")
    parts = [p for p in text.split("/") if p]
    kind = parts[-2] if len(parts) >= 2 else ""
    if not kind or not kind[:1].isupper() or not kind.isalpha():
        return "to a resource" if not text.startswith("#") else "to a contained resource"
    return f"to a {kind}"
