"""fab3a34 "level C/D options counted after three names": a finding's long evidence list made
the report's therapy cell unreadable. Since issue 10 the report shows what the case page's card
shows: at most five ranked lines that may stand on a card (no level D, tool compound or
withdrawn drug), and counts the rest."""

from __future__ import annotations

from annotation.model import TherapyCall, Tier
from annotation.therapies import CARD_LIMIT
from mtb.report.content import ReportFinding


def _finding(therapies: list[TherapyCall]) -> ReportFinding:
    return ReportFinding("k", "small", "BRAF", "BRAF p.V600E", "p.V600E", "p.V600E", "", "",
                         None, 0.3, 30, 100, "IA", "A", "IA", therapies=tuple(therapies))


def test_the_report_shows_five_lines_and_counts_the_rest() -> None:
    therapies = [TherapyCall(f"Drawn {n}", False, Tier.IIC, "C") for n in range(7)]
    therapies += [TherapyCall(f"Drawn D {n}", False, Tier.IID, "D", excluded="level D only")
                  for n in range(4)]
    lines, more = _finding(therapies).card
    assert CARD_LIMIT == 5 and [t.name for t in lines] == [f"Drawn {n}" for n in range(5)]
    assert more == "2 more; 4 other lines from level D evidence only"
    # a finding with level D lines only says so, not 'and 4 more'
    assert _finding(therapies[7:]).card == ([], "4 lines from level D evidence only")
