"""Words that reach the pages as data values (a case's status, a user's role, a kind of
recommendation or event, a trial match's status), marked here for the catalog. They are stored
and compared in English; `term` translates one where it is shown (an unknown value is shown as
it is)."""

from __future__ import annotations

from mtb.i18n import N_, gettext

VOCABULARY = (
    # roles (mtb.board.ROLES)
    N_("viewer"), N_("curator"), N_("chair"), N_("admin"),
    # case statuses (mtb.board.STATUSES) and the agenda's status of a case that failed to open
    N_("prepared"), N_("presented"), N_("decided"), N_("final"), N_("draft"),
    N_("cannot be opened"),
    # recommendation kinds (mtb.board.RECOMMENDATION_KIND_NAMES)
    N_("Therapy"), N_("Clinical trial"), N_("Further diagnostics"), N_("Genetic counselling"),
    # oncogenicity (mtb.board.ONCOGENICITY)
    N_("oncogenic"), N_("likely oncogenic"), N_("uncertain"), N_("likely benign"),
    N_("benign"), N_("likely artefact"),
    # event kinds (mtb.timeline.EventKind, underscores as spaces)
    N_("diagnosis"), N_("surgery"), N_("radiotherapy"), N_("systemic therapy"), N_("imaging"),
    N_("response"), N_("marker"), N_("specimen"), N_("sequencing"), N_("tumor board"),
    N_("progression"), N_("death"), N_("other"),
    # trial arm matches (mtb.trials.model)
    N_("match"), N_("possible"), N_("excluded"),
    # synthetic data badges
    N_("synthetic"), N_("demonstration join"),
    # sex as the clinical files write it (FHIR administrative gender)
    N_("female"), N_("male"), N_("unknown"),
    # copy-number calls and kinds of finding shown as support
    N_("amplification"), N_("deep deletion"), N_("deletion"), N_("gain"), N_("loss"), N_("fusion"),
    # knowledge-base modes
    N_("offline"), N_("live"), N_("bundled snapshot"),
)


def term(value: str) -> str:
    """`value` in the reader's language ('' stays '')."""
    return gettext(value) if value else value


SETTINGS = (N_("neoadjuvant"), N_("adjuvant"))  # perioperative therapy (mtb.timeline)


def line_name(line: object) -> str:
    """'Line 2' / 'Linie 2'; 'Adjuvant' for perioperative therapy (a TherapyLine)."""
    number = getattr(line, "number", None)
    if number is not None:
        return gettext("Line {n}", n=number)
    return term(str(getattr(line, "setting", ""))).capitalize()


def line_label(line: object) -> str:
    """TherapyLine.label in the reader's language: 'Line 1: Carboplatin + Pemetrexed
    (2023-02-01 to 2023-06-30)'."""
    from mtb.i18n.formats import period_text

    drugs = " + ".join(getattr(line, "drugs", ()))
    period = period_text(getattr(line, "start", None), getattr(line, "end", None))
    return f"{line_name(line)}: {drugs} ({period})"
