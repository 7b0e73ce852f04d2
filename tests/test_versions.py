"""What changed between two annotation versions, as the board reads it (mtb.versions), and the
inputs a version is made of: the same files and knowledge base give the same key, a changed
byte or knowledge base another one, a touched file with the same content the same one."""

from __future__ import annotations

import os
from dataclasses import replace

from annotation.model import TherapyCall, Tier
from mtb.catalog import read_case
from mtb.config import Settings
from mtb.versions import changes_lines, compare, file_marks, input_key, kb_signature
from tests.drawn import case_of, small, write_vcf_case

SOTORASIB_IIC = TherapyCall("Sotorasib", False, Tier.IIC, "C", basis="clinical")
SOTORASIB_IA = replace(SOTORASIB_IIC, tier=Tier.IA, level="A", basis="approved",
                       approvals=("FDA 2021",))  # drawn, as a new approval would read
BEFORE = case_of([small("KRAS", "p.G12C", Tier.IIC, therapies=[SOTORASIB_IIC]),
                  small("TP53", "p.R175H", Tier.III), small("APC", "p.R1450*", Tier.IID),
                  small("STK11", "p.Q37*", Tier.III), small("KEAP1", "p.G333C", Tier.III)])
AFTER = case_of([small("KRAS", "p.G12C", Tier.IA, therapies=[SOTORASIB_IA]),
                 small("TP53", "p.R175H", Tier.IV), small("BRAF", "p.V600E", Tier.IB),
                 small("STK11", "p.Q37*", Tier.III), small("KEAP1", "p.G333C", Tier.IIC)])


def test_tier_changes_say_why_and_new_and_lost_key_findings_are_named() -> None:
    changes = compare(BEFORE, AFTER, against=2, kb_before="CIViC 01-Aug-2024",
                      kb_after="CIViC 01-Jul-2025")
    assert [(t["label"], t["old"], t["new"]) for t in changes["tiers"]] == [
        ("KRAS p.G12C", "IIC", "IA"), ("KEAP1 p.G333C", "III", "IIC")]
    assert changes["tiers"][0]["why"] == "new approval: Sotorasib, FDA 2021"
    assert changes["other_tier_changes"] == 1  # TP53 III -> IV: not the board's concern
    assert [f["label"] for f in changes["key_added"]] == ["BRAF p.V600E"]
    assert [f["label"] for f in changes["key_removed"]] == ["APC p.R1450*"]
    headline, detail = changes_lines(changes, "since the board met")
    assert headline.startswith("2 findings changed tier since the board met: KRAS p.G12C IIC "
                               "-> IA (new approval: Sotorasib, FDA 2021); KEAP1 p.G333C III "
                               "-> IIC (drawn as tier IIC)")
    assert "1 new tier I/II finding since the board met: BRAF p.V600E (IB)" in headline
    assert "1 tier I/II finding gone since the board met: APC p.R1450* (IID)" in headline
    assert "knowledge base: CIViC 01-Aug-2024 -> CIViC 01-Jul-2025" in detail
    assert "in all: 1 finding added, 1 finding removed" in detail


def test_nothing_the_board_reads_changed() -> None:
    same = compare(BEFORE, BEFORE, against=1)
    assert changes_lines(same, "since the board met") == ("", [])


def _later(path, text: str) -> None:
    stat = path.stat()
    path.write_text(text)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def test_a_version_is_keyed_by_content_not_by_time(tmp_path) -> None:
    folder = write_vcf_case(tmp_path / "cases", "lung", "SYNTHETIC lung")
    settings = Settings.load(environ={"MTB_DATA_DIR": str(tmp_path / "data")})
    kb = kb_signature(settings)
    entry = read_case(folder)
    marks = file_marks(entry)
    key = input_key("lung", marks, kb)
    vcf = folder / "tumor.vcf"
    _later(vcf, vcf.read_text())  # touched: same bytes
    touched = file_marks(entry, marks)
    assert input_key("lung", touched, kb) == key
    assert [m["mtime_ns"] for m in touched] != [m["mtime_ns"] for m in marks]
    _later(vcf, vcf.read_text().replace("0.42", "0.43"))
    assert input_key("lung", file_marks(entry, touched), kb) != key
    live = kb_signature(Settings.load(environ={"MTB_DATA_DIR": str(tmp_path / "data"),
                                               "MTB_LIVE": "1"}))
    assert live.signature != kb.signature and input_key("lung", marks, live) != key
