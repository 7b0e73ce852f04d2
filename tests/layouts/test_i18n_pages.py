"""Every page in German and in English, drawn without a browser: the German one shows no
English text of the catalog, and dates and numbers are written the German way.

The pages are drawn from the synthetic lung sample case (real annotation, real timeline) with a
board that holds a curation, a recommendation and an audit entry, so the forms, cards, panels
and the report show every kind of text they have. The case is also stored in a case store as
two annotation versions (the board met on the first; the second raised a finding's tier and
lost a curated one), so the version panel, the agenda's annotation states and its changes since
the board met are drawn from the store the way the app draws them.

What a page shows is collected as a reader (or a screen reader) meets it: texts, placeholders,
labels, titles, choices, confirmation messages, the grid's headers and the figures' labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from dash.development.base_component import Component

from annotation.model import Diagnosis, Tier
from layouts.add_case import add_case_page, add_result, uploaded_files
from layouts.agenda import AgendaRow, MeetingChoice, agenda
from layouts.board import BoardView, curation_form
from layouts.case_page import case_page, present_page
from layouts.cohort import cohort_page, cohort_result
from layouts.findings import evidence_panel
from layouts.messages import error_message
from layouts.seen_before import seen_before
from layouts.shell import shell
from layouts.trials import case_trials, patients_result, trials_page
from layouts.tumor_type import tumor_type_form
from layouts.versions import VersionView, pending_page, version_panel
from mtb.board import Actor, AuditEntry, CaseRecord, Recommendation, finding_key
from mtb.cohort.query import CohortQuery, CohortResult, CohortRow
from mtb.cohort.seen import SeenBefore, SeenCase
from mtb.config import Settings
from mtb.i18n import using
from mtb.i18n.catalog import read_catalog
from mtb.library import Library, tumor_type_terms
from mtb.report import render_html
from mtb.report.content import build_content
from mtb.resources import sample_cases_dir
from mtb.trials.model import EXCLUDING, MATCH, MATCHED, POSSIBLE, UNKNOWN, ArmMatch, Reason
from mtb.versions import compare
from mtb.web.app import create_app
from mtb.web.pages.agenda import agenda_rows
from mtb.web.versions import version_view
from tests.drawn import curation
from tests.stored import store_drawn

LUNG = "synthetic-egfr-lung"
AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
PROPS = ("placeholder", "title", "label", "message", "aria-label")
SHOWN_KEYS = ("label", "headerName", "text", "name", "hovertext", "hovertemplate", "y", "title",
              "message", "placeholder", "categoryarray")


@pytest.fixture(scope="module")
def case(kb, data_dir):
    from mtb.case import open_case

    settings = Settings.load(environ={"MTB_DATA_DIR": str(data_dir)})
    return open_case(sample_cases_dir() / LUNG, kb, settings)


@pytest.fixture(scope="module")
def stored(case, tmp_path_factory) -> Iterator[Callable[[], tuple[VersionView, list[Any]]]]:
    """The lung case stored twice: the board met on version 1; version 2 (drawn from it, as a
    knowledge-base update might make it) raised a tier I/II finding to IA and lost another,
    which a curator had curated. Yields what draws, in the current language, the version
    panel of version 2 and the agenda's rows."""
    from types import SimpleNamespace

    from mtb.store import Store

    variants = case.annotation.variants
    raised = next(v for v in variants if v.tier not in (Tier.IA, Tier.IB))
    lost = next(v for v in variants if v.tier in (Tier.IA, Tier.IB) and v is not raised)
    newer = [replace(v, tier=Tier.IA) if v is raised else v for v in variants if v is not lost]
    second = replace(case, annotation=replace(case.annotation, variants=newer))
    changes = compare(case, second, against=1, kb_before="CIViC drawn", kb_after="CIViC newer")
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('i18n') / 'store.sqlite'}")
    store_drawn(store, case, reason="new case")
    store.set_status(LUNG, "presented", Actor("chef", "chair"), 0, annotation_version=1)
    store_drawn(store, second, reason="knowledge base changed: CIViC drawn -> CIViC newer",
                kb_release="CIViC newer", changes=changes, board_changes=changes)
    library = Library(None, store)  # type: ignore[arg-type]
    curations = {finding_key(lost): curation(lost, tier_override="IIC", override_reason="x",
                                             oncogenicity="oncogenic", in_report=True)}

    def draw() -> tuple[VersionView, list[Any]]:
        view = version_view(SimpleNamespace(store=store, library=library),  # type: ignore[arg-type]
                            library.open(LUNG), curations)
        return view, agenda_rows(library.summaries())

    try:
        yield draw
    finally:
        store.close()


def _versions(view: VersionView) -> list[Any]:
    """The version panel as every case shows it: the newest version with changes since the
    board met and lost curations, a final case's pinned older one with a re-annotation under
    way, a case whose files cannot be annotated, and a case still being annotated."""
    return [version_panel(view),
            version_panel(replace(view, number=1, pinned=True, changes=(), board=(),
                                  state="annotating 40 %", orphans=())),
            version_panel(replace(view, newest=3, problem="tumor.vcf: line 3")),
            pending_page(LUNG, "t", "annotating 40 %"), pending_page(LUNG, "t", "queued"),
            pending_page(LUNG, "t", "failed", "tumor.vcf: line 3")]


def _board(case: Any) -> BoardView:
    variants = case.annotation.variants
    first = next(v for v in variants if v.tier in (Tier.IA, Tier.IB))
    record = CaseRecord(LUNG, status="decided", summary="", version=3, updated_by="chef",
                        updated_at=AT)
    recommendation = Recommendation(1, LUNG, "therapy", "Osimertinib 80 mg", "m1A", "IA",
                                    rationale="FLAURA", finding_keys=finding_key(first),
                                    created_by="chef")
    audit = (AuditEntry(1, AT, "chef", "set_status", "case_record", LUNG, LUNG, "{}", "{}"),)
    return BoardView(record=record, recommendations=(recommendation,), audit=audit,
                     meetings=((1, "07.12.2026 · MTB"),),
                     curations={finding_key(first): curation(first, tier_override="IIC",
                                                             oncogenicity="oncogenic",
                                                             override_reason="FLAURA")},
                     user="chef", role="chair", may_curate=True, may_decide=True,
                     audit_total=45)


def _arms() -> list[ArmMatch]:
    reasons = (Reason(MATCHED, "EGFR", "EGFR p.L858R (tier IA)"),
               Reason(UNKNOWN, "ECOG", "ECOG 0-1", from_text=True),
               Reason(EXCLUDING, "T790M", "EGFR p.T790M excludes"))
    return [ArmMatch("LUNG-01", "NCT01234567", "A drawn trial", "A", True, True, MATCH,
                     reasons, case_id=LUNG),
            ArmMatch("NCT07654321", "NCT07654321", "A registry trial", "", False, True,
                     POSSIBLE, reasons, source="ClinicalTrials.gov", case_id=LUNG)]


_NOTES = ("tumor type 'NSCLC' read as lung non-small cell carcinoma (DOID:3908) and the types "
          "under it", "tumor type 'xyz' is not in the Disease Ontology: looked for in the "
          "diagnosis text", "biomarker 'abc' not understood (TMB-high, MSI-high, HRD-positive)")


def _cohort() -> list[Any]:
    """The cohort page, an answer with every kind of text (notes, a curated tier, a case
    without a tumor type, more rows than are drawn) and an answer with no case."""
    from types import SimpleNamespace

    from layouts.cohort import SHOWN_ROWS

    recs = "therapy: Osimertinib 80 mg (m1A); trial: LUNG-01; genetic_counselling: germline"
    rows = [CohortRow(LUNG, "lung adenocarcinoma", "EGFR", "EGFR p.L858R", "IIC", "decided",
                      "snv", "IA", True, 2, "2026-12-07", recs)] * (SHOWN_ROWS + 2)
    rows.append(CohortRow("colon", "", "", "", "", "prepared"))
    cases = (SimpleNamespace(case_id=LUNG, tumor_type="lung adenocarcinoma", status="final"),
             SimpleNamespace(case_id="colon", tumor_type="", status="prepared"))
    result = CohortResult(CohortQuery(tumor_type="NSCLC"), tuple(rows), cases,  # type: ignore[arg-type]
                          _NOTES, {"lung adenocarcinoma": 1, "not recorded": 1},
                          {"IIC": SHOWN_ROWS + 2})
    return [cohort_page(1234), cohort_page(1),
            cohort_result(result), cohort_result(CohortResult(CohortQuery(), (), (), _NOTES))]


def _seen() -> list[Any]:
    """A key finding's 'seen before' slot: other cases with the variant and the class."""
    cases = (SeenCase("other", "lung adenocarcinoma", "EGFR p.L858R", "IA", "final",
                      "2026-11-03", (("therapy", "Osimertinib", "m1A"),
                                     ("diagnostics", "ctDNA", "")), "PR 2026-11-20"),
             SeenCase("third", "", "EGFR p.L858R", "", "prepared", "2026-10-01"))
    return [seen_before(SeenBefore("k", "EGFR p.L858R", cases, 7, 3, "snv")),
            seen_before(SeenBefore("k", "EGFR p.L858R", cases[:1], 1, 1))]


def pages(case: Any, stored: Callable[[], tuple[VersionView, list[Any]]]) -> dict[str, Any]:
    """Every page and panel of the app, drawn in the current language."""
    board = _board(case)
    view, stored_rows = stored()
    variants = case.annotation.variants
    row = next(i for i, v in enumerate(variants) if v.tier in (Tier.IA, Tier.IB))
    findings = [(finding_key(v), v.alteration.label) for v in variants[:5]]
    rows = [AgendaRow(LUNG, case.entry.title, case.diagnosis, "decided", 2, 1, "synthetic",
                      meeting=1),
            AgendaRow("broken", "Broken case", "", "cannot be opened", None, None,
                      problem="case.toml: line 3"),
            AgendaRow("colon", "Colon", "", "prepared", None, None, state="annotating 40 %"),
            AgendaRow("queued", "Queued", "", "prepared", None, None, state="queued"),
            AgendaRow("failed", "Failed", "", "prepared", None, None, state="failed"),
            *stored_rows]
    return {
        "agenda": shell(agenda(rows, [MeetingChoice(1, "07.12.2026 · MTB")], may_plan=True),
                        user="chef", role="chair", csrf="x"),
        "empty agenda": agenda([]),
        "case": case_page(case, board, findings,
                          seen={finding_key(variants[row]): _seen()[0]},
                          tumor_type=tumor_type_form(case.annotation.diagnosis,
                                                     tumor_type_terms())),
        "tumor type": [tumor_type_form(replace(case.annotation.diagnosis, confidence="chosen",
                                               matched_by="chosen by cura on 2026-12-07"),
                                       tumor_type_terms(), reason="Pathologie"),
                       tumor_type_form(Diagnosis("Tumor", None), tumor_type_terms())],
        "case, viewer": case_page(case, BoardView(**{**board.__dict__, "may_curate": False,
                                                     "may_decide": False})),
        "presentation": present_page(case, "a", "b", board),
        "presentation, options": present_page(case, None, None, None),
        "evidence": [evidence_panel(variants[row], case.annotation.diagnosis.text),
                     evidence_panel(None, "")],
        "curation": curation_form(row, variants[row], board.curations.get(
            finding_key(variants[row])), may_curate=True, final=False),
        "curation, final": curation_form(row, variants[row], None, may_curate=False,
                                         final=True),
        "add": [add_case_page(512), uploaded_files([]), add_result(False, "x"),
                add_result(True, "ok", LUNG)],
        "trials": trials_page([], ["a.yaml: bad"], "/trials", "Offline"),
        "case trials": case_trials(_arms()[:1], _arms()[1:], "note", portfolio_size=3,
                                   problems=["b.yaml: bad"], may_propose=True)
        + case_trials([], [], "", portfolio_size=0) + case_trials([], [], "", portfolio_size=2),
        "patients": [patients_result("LUNG-01", "A drawn trial", "ClinicalTrials.gov", _arms(),
                                     {LUNG: "LUAD"}, 5, {MATCH: 1, POSSIBLE: 1},
                                     [("broken", "bad file")]),
                     patients_result("LUNG-01", "t", "portfolio", [], {}, 5, {})],
        "message": error_message("t", "d"),
        "versions": _versions(view),
        "cohort": _cohort(),
        "seen before": _seen(),
    }


def visible(node: Any) -> Iterator[str]:
    """Every string a reader meets in a component tree (see the module's docstring)."""
    if node is None:
        return
    if isinstance(node, str):
        yield node
        return
    if isinstance(node, list | tuple):
        for item in node:
            yield from visible(item)
        return
    if isinstance(node, dict):  # a figure, an option, a column: its words, not its data
        for key, value in node.items():
            if key in SHOWN_KEYS or isinstance(value, dict) or (
                    isinstance(value, list) and value and isinstance(value[0], dict)):
                yield from visible(value)
        return
    if isinstance(node, Component):
        for prop in PROPS:
            yield from visible(getattr(node, prop, None))
        for prop in ("options", "columnDefs"):
            yield from visible(getattr(node, prop, None))
        figure = getattr(node, "figure", None)
        if figure is not None:
            yield from visible(figure.to_plotly_json() if hasattr(figure, "to_plotly_json")
                               else figure)
        yield from visible(getattr(node, "children", None))


def text_of(node: Any) -> str:
    return "\n".join(s for s in visible(node) if isinstance(s, str))


def translated_pairs() -> list[tuple[str, str]]:
    """(English, German) of every catalog entry whose German differs: plural forms too."""
    out = []
    for message in read_catalog("de"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        out += [(i, s) for i, s in zip(ids, strings, strict=False) if i != s]
    return out


def english_pieces(msgid: str) -> list[str]:
    """The literal parts of a msgid long enough to be English text, not a term: at least two
    words, or one word of 8 letters or more (a single short word such as 'Case' may be a
    gene's or a case's name)."""
    pieces = [p.strip(" :;,.()·—") for p in re.split(r"\{[^}]*\}", msgid)]
    return [p for p in pieces if len(p.split()) >= 2 or (len(p) >= 8 and p.isalpha())]


def shows(text: str, piece: str) -> bool:
    """Whether `text` shows `piece`: a phrase of three words or more anywhere (as whole
    words), a shorter one only as a text of its own. Shorter pieces inside a sentence are the
    data's ('Response' in a CIViC statement, 'SYNTHETIC' in a case's title, 'after prior
    systemic therapy' in an FDA label the annotation quotes)."""
    if len(piece.split()) >= 3:
        return re.search(rf"(?<![\w-]){re.escape(piece)}(?![\w-])", text) is not None
    return any(line.strip(" :;,.()·—") == piece for line in text.splitlines())


def test_the_german_pages_show_no_english_text_of_the_catalog(case, stored):
    with using("de"):
        german = {name: text_of(page) for name, page in pages(case, stored).items()}
    with using("en"):
        english = {name: text_of(page) for name, page in pages(case, stored).items()}
    untranslated = []
    found_in_english = 0
    for msgid, _german in translated_pairs():
        for piece in english_pieces(msgid):
            if any(piece in text for text in english.values()):
                found_in_english += 1
            untranslated += [(name, piece) for name, text in german.items()
                             if shows(text, piece)]
    assert not untranslated, untranslated
    assert found_in_english >= 130  # the check met the pages' real English texts (144)


def test_the_version_panel_and_the_agenda_in_german_and_in_english(case, stored):
    with using("de"):
        view, rows = stored()
        panel, agenda_page = text_of(_versions(view)), text_of(agenda(rows))
    for text in ("Annotationsversion 2", "Annotationsversion 1 von 2",
                 "Seit der letzten Tumorkonferenz geändert (Tumorkonferenz: vorgestellt am ",
                 "Befund mit geändertem Tier seit der letzten Tumorkonferenz",
                 "Befund der Tiers I/II seit der letzten Tumorkonferenz entfallen",
                 "Wissensdatenbank: CIViC drawn -> CIViC newer", "Alle 2 Versionen",
                 "Wissensdatenbank geändert: CIViC drawn -> CIViC newer", "neuer Fall",
                 "festgeschrieben: Der endgültige Befundbericht beruht auf dieser Version",
                 "Neuannotation läuft: wird annotiert (40\u00a0%)",
                 "1 Kuratierung eines Befunds, der nicht in dieser Version ist",
                 "Tier IIC (x), onkogen, im Befundbericht — cura, 05.01.2026",
                 "Dieser Fall wird vorbereitet: in der Warteschlange",
                 "Dieser Fall kann nicht annotiert werden:", "Es gibt eine neuere Annotation:",
                 "Dies ist nicht die neueste Version:"):
        assert text in panel, text
    assert re.search(r"Annotationsversion 2\n · \d\d\.\d\d\.\d{4} \d\d:\d\d · ", panel)
    assert "Fälle mit Änderungen seit ihrer letzten Tumorkonferenz (1)" in agenda_page
    assert "Befund mit geändertem Tier seit der letzten Tumorkonferenz" in agenda_page
    with using("en"):
        view, rows = stored()
        panel, agenda_page = text_of(_versions(view)), text_of(agenda(rows))
    assert "Changed since the board met (the board met: presented " in panel
    assert "finding changed tier since the board met" in agenda_page
    assert "Re-annotation under way: annotating 40 %" in panel


def test_the_german_case_page_speaks_german_and_writes_dates_and_numbers_the_german_way(case):
    with using("de"):
        page = text_of(case_page(case, _board(case), []))
        shown = text_of(present_page(case, None, None, _board(case)))
    for heading in ("Wesentliche Befunde", "Verlauf", "Empfehlungen des Tumorboards",
                    "Fallzusammenfassung", "Änderungsprotokoll",
                    "Alle Befunde", "Studien", "Befund"):
        assert heading in page, heading
    assert "Empfehlung (Entwurf)" in shown and "Präsentation beenden" in shown
    assert re.search(r"VAF \d+\u00a0%", page)  # 42 %: a no-break space before the sign
    assert re.search(r"\b01\.02\.2023 bis 10\.03\.2024\b", page)  # erlotinib's line
    assert "2023-02-01" not in page
    assert "zuletzt geändert von chef, 07.12.2026 09:30 UTC" in page


def test_the_cohort_page_and_seen_before_in_german_and_in_english():
    with using("de"):
        cohort, seen = text_of(_cohort()), text_of(_seen())
    for text in ("Kohorte", "Tumorentität", "Nach Tumorentität", "Fälle", "Empfehlungen",
                 "Die Befunde aller 1.234 Fälle im Speicher durchsuchen",
                 "2 Fälle · 503 Befunde", "IIC (berechnet IA)",
                 "Therapie: Osimertinib 80 mg (m1A); Klinische Studie: LUNG-01",
                 "und 3 weitere Zeilen im Download", "Kein Fall passt.", "Tumorentität nicht "
                 "dokumentiert · vorbereitet", "gelesen als lung non-small cell carcinoma"):
        assert text in cohort, text
    for text in ("Bereits gesehen: 7 weitere Fälle mit dieser Variante; 3 weitere mit diesem "
                 "Gen und dieser Klasse (snv)", "Bereits gesehen: 1 weiterer Fall",
                 "Klasse nicht dokumentiert", "03.11.2026", "Therapie: Osimertinib (m1A)",
                 "und 5 weitere (Seite Kohorte)", "Keine Empfehlung erfasst"):
        assert text in seen, text
    with using("en"):
        cohort, seen = text_of(_cohort()), text_of(_seen())
    assert "Search the findings of all 1,234 cases" in cohort and "2 cases · 503 findings" \
        in cohort and "Search the findings of the 1 case" in cohort
    assert "Seen before: 7 other cases with this variant" in seen and "2026-11-03" in seen
    assert "Seen before: 1 other case with this variant" in seen


def test_the_english_pages_stay_as_they_were(case):
    with using("en"):
        page = text_of(case_page(case, _board(case), []))
    assert "Key findings" in page and "Board recommendations" in page
    assert "2023-02-01 to 2024-03-10" in page and re.search(r"VAF \d+%", page)
    assert "last changed by chef, 2026-12-07 09:30 UTC" in page


def test_the_report_in_german_and_in_english(case):
    board = _board(case)
    with using("de"):
        content = build_content(case, board.record, board.curations, board.recommendations,
                                now=AT)
        german = render_html(content)
    with using("en"):
        content = build_content(case, board.record, board.curations, board.recommendations,
                                now=AT)
        english = render_html(content)
    assert '<html lang="de">' in german and '<html lang="en">' in english
    for text in ("Befundbericht des Molekularen Tumorboards", "Systemische Vorbehandlung",
                 "Bestes Ansprechen", "Evidenzgrad", "Empfehlungen des Tumorboards",
                 "Befund vom 07.12.2026", "01.02.2023 bis 10.03.2024", "1. Linie",
                 "Unterschrift", "Wissensdatenbanken"):
        assert text in german, text
    assert "Molecular tumor board report" in english and "report of 2026-12-07" in english
    body = re.sub(r"<style>.*?</style>", "", german, flags=re.S)
    body = "\n".join(line.strip() for line in re.sub(r"<[^>]+>", "\n", body).splitlines())
    untranslated = [piece for msgid, _ in translated_pairs() for piece in english_pieces(msgid)
                    if shows(body, piece)]
    assert not untranslated, untranslated


def test_the_sign_in_page_and_the_language_switch(data_dir, tmp_path):
    from mtb.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        app = create_app(Settings.load(environ={"MTB_DATA_DIR": str(data_dir)}), store=store)
        client = app.server.test_client()
        german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
        page = german.get_data(as_text=True)
        assert '<html lang="de">' in page and "Anmelden" in page and "Passwort" in page
        assert "Sign in" not in page
        # no choice yet, an English browser: English
        assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-US"}) \
            .get_data(as_text=True)
        # the switch: ?lang=de answers in German and is remembered for the next requests
        chosen = client.get("/login?lang=de", headers={"Accept-Language": "en-US"})
        assert "Anmelden" in chosen.get_data(as_text=True)
        assert any(c.startswith("mtb_lang=de;") for c in chosen.headers.getlist("Set-Cookie"))
        later = client.get("/login", headers={"Accept-Language": "en-US"})
        assert "Anmelden" in later.get_data(as_text=True)
        # Dash's page itself carries the language (Dash's index, before sign-in redirects)
        client.get("/login?lang=en")
        assert "Sign in" in client.get("/login").get_data(as_text=True)
        # an unknown language is ignored: the browser's, then MTB_LANGUAGE
        other = app.server.test_client()
        assert "Sign in" in other.get("/login?lang=fr", headers={
            "Accept-Language": "fr-FR"}).get_data(as_text=True)
        german_default = create_app(Settings.load(environ={
            "MTB_DATA_DIR": str(data_dir), "MTB_LANGUAGE": "de"}), store=store)
        assert "Anmelden" in german_default.server.test_client().get("/login", headers={
            "Accept-Language": "fr-FR"}).get_data(as_text=True)
    finally:
        store.close()
