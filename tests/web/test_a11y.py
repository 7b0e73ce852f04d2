"""Accessibility: axe-core (the npm package's axe.min.js, tests/web/axe.py) runs in the real
browser on every page of the app - sign-in, agenda, case page (with the chair's decision form
and a finding's evidence and curation open), presentation mode, adding a case, trials, and the
page a case that cannot be opened gets - and finds no serious or critical violation. Beside
it: the skip link is the first thing Tab reaches and lands in the main region, every page has
its main and navigation landmarks and `<html lang>`, and the presentation mode's colours (read
from the back of a room) reach WCAG AA contrast, computed here from the CSS in assets/.

Each page's full axe answer is kept in test-artifacts/axe/ and screenshots in
test-artifacts/screenshots/, for people to read.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from layouts import ids
from mtb.board import Actor
from tests.web import axe
from tests.web.conftest import SCREENSHOTS, click, wait_until

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "test-artifacts" / "axe"
CSS = ROOT / "assets" / "10_mtb.css"
LUNG = "synthetic-egfr-lung"
CASES = sorted(p.name for p in (ROOT / "sample_cases").iterdir() if (p / "case.toml").is_file())
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe.min.js. Without it the browser tests skip, saying why - unless MTB_REQUIRE_AXE=1
    (scripts/test.sh sets it: in CI they must run)."""
    try:
        return axe.axe_script().read_text(encoding="utf-8")
    except axe.AxeUnavailable as error:
        if os.environ.get("MTB_REQUIRE_AXE") == "1":
            pytest.fail(f"MTB_REQUIRE_AXE=1 but {error}")
        pytest.skip(f"axe-core {axe.VERSION} not available: {error}")


def test_axe_tarball_is_checked_before_use(tmp_path) -> None:
    """A tarball that is not the registry's (cut off, or altered) is refused, nothing kept;
    the integrity is npm's: sha512, base64 (the SRI form `npm view ... dist.integrity`)."""
    assert axe.integrity_of(b"").startswith("sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H")
    with pytest.raises(axe.AxeUnavailable, match="integrity"):
        axe.unpack(b"\x1f\x8b not axe-core", tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def _settled(dash_duo: Any) -> None:
    """Wait until Dash has no callback running and no loading spinner is shown."""
    wait_until(lambda: dash_duo.driver.execute_script(
        "return !document.querySelector('[data-dash-is-loading=\"true\"]')"
        " && !document.querySelector('._dash-loading-callback')"), timeout=30)
    time.sleep(0.5)  # transitions (Bootstrap fades) end


def audit(dash_duo: Any, source: str, name: str) -> list[dict[str, Any]]:
    """Run axe on the page shown; keep its answer; return the serious and critical
    violations (rule, impact, help, the first elements' selectors and summaries)."""
    driver = dash_duo.driver
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(source)  # WebDriver's script, not the page's: CSP does not apply
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done({violations: r.violations, version: r.testEngine.version}))"
        ".catch(e => done({error: String(e)}));")
    assert "error" not in result, result.get("error")
    assert result["version"] == axe.VERSION
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(result["violations"], indent=1))
    return [{"page": name, "rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [(n["target"], n.get("failureSummary", "")) for n in v["nodes"][:3]]}
            for v in result["violations"] if v["impact"] in BLOCKING]


def _landmarks(dash_duo: Any) -> dict[str, Any]:
    return dash_duo.driver.execute_script(
        "return {lang: document.documentElement.lang,"
        " main: document.querySelectorAll('main, [role=main]').length,"
        " nav: document.querySelectorAll('nav, [role=navigation]').length}")


def _skip_link(dash_duo: Any, name: str) -> list[str]:
    """Tab from the top of the page reaches "Skip to main content" first; Enter moves focus
    into the main region (the page stays where it is: no reload, same path)."""
    driver = dash_duo.driver
    path = driver.execute_script("return location.pathname")
    driver.execute_script("window.__same_page = 1; window.scrollTo(0, 0);"
                          "document.activeElement && document.activeElement.blur();")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    first = driver.execute_script(
        "const a = document.activeElement; return [a.tagName, a.textContent.trim(),"
        " a.getAttribute('href')]")
    problems = []
    if first[1] != "Skip to main content":
        problems.append(f"{name}: Tab reaches {first} first, not the skip link")
        return problems
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    inside = wait_until(lambda: driver.execute_script(
        "const m = document.querySelector('main');"
        "return m && m.contains(document.activeElement) ? 'yes' : ''"), timeout=5)
    if inside != "yes" or driver.execute_script("return location.pathname") != path \
            or driver.execute_script("return window.__same_page") != 1:
        problems.append(f"{name}: the skip link does not move focus into <main> in place")
    return problems


def _check(dash_duo: Any, source: str, name: str, *, nav: bool = True,
           skip: bool = True) -> list[Any]:
    _settled(dash_duo)
    # what is folded away is checked too: the chair's new-meeting form, the audit log
    dash_duo.driver.execute_script(
        "document.querySelectorAll('details').forEach(d => { d.open = true; });")
    found: list[Any] = audit(dash_duo, source, name)
    marks = _landmarks(dash_duo)
    if marks["lang"] != "en":
        found.append(f"{name}: <html lang> is {marks['lang']!r}")
    if marks["main"] != 1:
        found.append(f"{name}: {marks['main']} main landmarks")
    if nav and marks["nav"] < 1:
        found.append(f"{name}: no navigation landmark")
    if skip:
        found += _skip_link(dash_duo, name)
    return found


def _board_records(store: Any, data_dir: Path) -> None:
    """What the board adds to the lung case, so its pages show it too: a dismissed finding
    (TP53, curated benign), a curated one (KRAS) and a recommendation (the presentation then
    shows it instead of the evidence's options)."""
    from mtb.board import finding_key
    from mtb.config import Settings
    from mtb.web.library import CaseLibrary

    library = CaseLibrary(Settings.load(environ={"MTB_DATA_DIR": str(data_dir)}), store)
    variants = library.open(LUNG).case.annotation.variants
    curator, chair = Actor("cura", "curator"), Actor("chef", "chair")
    for gene, oncogenicity in (("TP53", "benign"), ("KRAS", "oncogenic")):
        variant = next(v for v in variants if v.alteration.gene == gene)
        store.curate(LUNG, finding_key(variant), curator, 0, oncogenicity=oncogenicity,
                     comment="a11y test")
    store.recommend(LUNG, chair, kind="therapy", text="Osimertinib 80 mg daily",
                    evidence_grade="m1A", amp_tier="IA", rationale="EGFR T790M after erlotinib")
    store.add_meeting(date(2026, 12, 8), "Molecular tumor board", ["Dr. A"], chair)


@pytest.mark.browser
def test_every_page_passes_axe(dash_duo, signed_in, store, data_dir, axe_source,
                               screenshot) -> None:
    """The chair's tour of every page; all problems of all pages are reported together."""
    _board_records(store, data_dir)
    dash_duo.driver.set_window_size(1920, 1080)
    driver = dash_duo.driver
    problems: list[Any] = []

    driver.get(f"{dash_duo.server.url}/login")
    dash_duo.wait_for_element("#login-form", timeout=10)
    problems += _check(dash_duo, axe_source, "sign_in", skip=False)  # first focus: the name

    signed_in("chef", "/")
    dash_duo.wait_for_element(f"#{ids.AGENDA_TABLE} tbody tr", timeout=30)
    problems += _check(dash_duo, axe_source, "agenda")

    driver.get(f"{dash_duo.server.url}/case/{LUNG}")
    dash_duo.wait_for_contains_text(f"#{ids.FINDINGS}", "p.T790M", timeout=30)
    dash_duo.wait_for_element(f"#{ids.GRID} .ag-row", timeout=30)
    dash_duo.wait_for_element(f"#{ids.RECOMMEND_KIND}", timeout=30)
    problems += _check(dash_duo, axe_source, "case")
    screenshot("a11y_case_desk")
    cards = driver.find_elements(By.CSS_SELECTOR, f"#{ids.FINDINGS} .finding")
    t790m = next(card for card in cards if "p.T790M" in card.text)
    click(dash_duo, t790m.find_element(By.CSS_SELECTOR, ".evidence-button"), past_overlays=True)
    dash_duo.wait_for_element(f"#{ids.CURATE_SAVE}", timeout=15)
    problems += _check(dash_duo, axe_source, "case_evidence", skip=False)

    for case in CASES:  # their findings differ: resistance, cautions, curations, no history
        driver.get(f"{dash_duo.server.url}/case/{case}/present")
        dash_duo.wait_for_element(f"#{ids.CASE_HEADER}", timeout=30)
        problems += _check(dash_duo, axe_source, f"presentation_{case}", nav=True,
                           skip=case == LUNG)
        if case == LUNG:  # with the board's curations and recommendation
            screenshot("a11y_presentation_with_board")
            driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
            time.sleep(0.3)
            screenshot("a11y_presentation_with_board_below")

    driver.get(f"{dash_duo.server.url}/add")
    dash_duo.wait_for_element(f"#{ids.ADD_FILE_INPUT}", timeout=30)
    problems += _check(dash_duo, axe_source, "add")

    driver.get(f"{dash_duo.server.url}/trials")
    dash_duo.wait_for_element(f"#{ids.TRIAL_CHOICE}", timeout=30)
    problems += _check(dash_duo, axe_source, "trials")

    driver.get(f"{dash_duo.server.url}/case/no-such-case")
    dash_duo.wait_for_contains_text("#react-entry-point", "cannot be shown", timeout=30)
    problems += _check(dash_duo, axe_source, "case_not_found")

    assert problems == [], json.dumps(problems, indent=1)


@pytest.mark.browser
def test_dropdown_by_keyboard_with_its_name(dash_duo, signed_in, store, axe_source) -> None:
    """The meeting filter (a dcc.Dropdown, assets/40_dropdown_a11y.js): Tab lands on its
    button once (not on a hidden input first), the button is named by its label and its
    value, Enter opens the list, Escape closes it and leaves the focus on the button.
    (Dash 4's open list has no listbox role: the state is read from aria-expanded.)"""
    store.add_meeting(date(2026, 12, 8), "Molecular tumor board", ["Dr. A"],
                      Actor("chef", "chair"))
    dash_duo.driver.set_window_size(1920, 1080)
    signed_in("chef", "/")
    dash_duo.wait_for_element(f"#{ids.AGENDA_TABLE} tbody tr", timeout=30)
    _settled(dash_duo)
    driver = dash_duo.driver
    add = driver.find_element(By.CSS_SELECTOR, "a[href='/add']")
    driver.execute_script("arguments[0].focus()", add)
    add.send_keys(Keys.TAB)
    focused = driver.switch_to.active_element
    assert (focused.tag_name, focused.get_attribute("id")) == ("button", ids.MEETING_FILTER)
    name = driver.execute_script(
        "const ids = arguments[0].getAttribute('aria-labelledby').split(/\\s+/);"
        "return ids.map(i => document.getElementById(i)).filter(e => e)"
        ".map(e => e.textContent.trim()).join(', ')", focused)
    assert name == "Meeting, all cases"
    focused.send_keys(Keys.ENTER)
    wait_until(lambda: focused.get_attribute("aria-expanded") == "true"
               and driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option"), timeout=5)
    assert "2026-12-08" in driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-content").text
    problems = audit(dash_duo, axe_source, "agenda_dropdown_open")
    assert problems == [], json.dumps(problems, indent=1)
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_until(lambda: focused.get_attribute("aria-expanded") == "false", timeout=5)
    assert driver.switch_to.active_element.get_attribute("id") == ids.MEETING_FILTER
    # choosing by keyboard: open, down to the meeting, Enter
    focused.send_keys(Keys.ENTER)

    def active(kind: str) -> bool:
        return driver.switch_to.active_element.get_attribute("type") == kind

    wait_until(lambda: active("search"), timeout=5)  # the list opens on its search field
    driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    wait_until(lambda: active("radio"), timeout=5)  # the one meeting
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_until(lambda: "2026-12-08" in focused.text, timeout=10)
    if focused.get_attribute("aria-expanded") == "true":
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_until(lambda: driver.switch_to.active_element.get_attribute("id") == ids.MEETING_FILTER,
               timeout=5)
    driver.switch_to.active_element.send_keys(Keys.TAB)  # on to the next control
    after = driver.switch_to.active_element
    assert after.get_attribute("id") != ids.MEETING_FILTER
    assert "dash-dropdown-focus-target" not in (after.get_attribute("class") or "")


@pytest.mark.browser
def test_presentation_from_the_back_of_the_room(dash_duo, signed_in, axe_source,
                                                screenshot) -> None:
    """The shared screen at 1920x1080: the text is large (findings >= 24 px), every text
    passes axe's contrast rule, and the screenshot is kept to be looked at."""
    dash_duo.driver.set_window_size(1920, 1080)
    signed_in("chef", f"/case/{LUNG}/present")
    dash_duo.wait_for_element(f"#{ids.TIMELINE} .js-plotly-plot", timeout=30)
    _settled(dash_duo)
    gene = dash_duo.find_element(".present-page .finding-name .gene")
    assert float(gene.value_of_css_property("font-size").removesuffix("px")) >= 24
    found = audit(dash_duo, axe_source, "presentation_contrast")
    assert [v for v in found if v["rule"] == "color-contrast"] == []
    path = screenshot("a11y_presentation_1080p")
    assert path.is_file() and path.parent == SCREENSHOTS


# -- contrast, computed from the CSS ------------------------------------------------------------


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of #rrggbb."""
    r, g, b = (int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_wcag_examples() -> None:
    """Known values: black on white 21:1, white on white 1:1, #767676 on white 4.54:1 (the
    lightest grey that passes AA on white, as WebAIM's checker gives it)."""
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast("#ffffff", "#ffffff"), 2) == 1.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54
    assert contrast("#777777", "#ffffff") < 4.5  # one step lighter fails


def _rules(css: str) -> dict[str, dict[str, str]]:
    """selector -> {property: value} of a flat stylesheet (one rule per selector list)."""
    found: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css,
                                                                     flags=re.S)):
        declarations = dict((k.strip(), v.strip().removesuffix("!important").strip())
                            for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d))
        for selector in selectors.split(","):
            found.setdefault(" ".join(selector.split()), {}).update(declarations)
    return found


# (what it is, text selector, its colour's property, background selector, property): every
# text colour of the presentation mode on the background it is drawn on. The tier badges are
# also used on the white desk pages.
PRESENT_BG = (".present-page", "background")
CARD_BG = (".present-page .finding", "background")
HEADER_BG = (".present-page .case-header", "background")
PAIRS = [
    ("page text", ".present-page", "color", *PRESENT_BG),
    ("section titles", ".present-page .section-title", "color", *PRESENT_BG),
    ("muted and small text", ".present-page .text-muted", "color", *PRESENT_BG),
    ("muted text on a card", ".present-page .text-muted", "color", *CARD_BG),
    ("finding text", ".present-page .finding", "color", *CARD_BG),
    ("header labels", ".present-page .fact-label", "color", *HEADER_BG),
    ("read support and hotspot", ".present-page .support", "color", *CARD_BG),
    ("resistance label", ".present-page .therapies.resistance .fact-label", "color", *CARD_BG),
    ("curated", ".present-page .curated", "color", *CARD_BG),
    ("curated: dismissed", ".present-page .curated.dismissed", "color", *CARD_BG),
    ("caution", ".present-page .caution", "color", ".present-page .caution", "background"),
    ("tier IA/IB", ".tier-IA", "color", ".tier-IA", "background"),
    ("tier IIC/IID", ".tier-IIC", "color", ".tier-IIC", "background"),
    ("tier III", ".tier-III", "color", ".tier-III", "background"),
    ("tier IV", ".tier-IV", "color", ".tier-IV", "background"),
    ("desk: resistance label", ".therapies.resistance .fact-label", "color", "body",
     "background"),
    ("desk: curated", ".curated", "color", "body", "background"),
    ("desk: curated dismissed", ".curated.dismissed", "color", "body", "background"),
    ("desk: header labels", ".fact-label", "color", ".case-header", "background"),
]


def _colour(rules: dict[str, dict[str, str]], selector: str, prop: str) -> str:
    value = rules[selector][prop]
    match = re.fullmatch(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})", value)
    assert match, f"{selector} {prop}: {value} is not a #rgb colour"
    digits = match.group(1)
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits).lower()


@pytest.mark.parametrize(("what", "text", "text_prop", "ground", "ground_prop"), PAIRS,
                         ids=[p[0] for p in PAIRS])
def test_css_colour_pairs_reach_aa(what: str, text: str, text_prop: str, ground: str,
                                   ground_prop: str) -> None:
    """>= 4.5:1 for every pair, even where the text is large (3:1 would do there): the
    presentation is read from the back of a room, on projectors that wash colours out."""
    rules = _rules(CSS.read_text(encoding="utf-8"))
    ratio = contrast(_colour(rules, text, text_prop), _colour(rules, ground, ground_prop))
    assert ratio >= 4.5, f"{what}: {ratio:.2f}:1"


def lab(hex_colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of #rrggbb, for colour differences."""
    r, g, b = (_channel(int(hex_colour.lstrip("#")[i:i + 2], 16)) for i in (0, 2, 4))
    xyz = (0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           0.0193 * r + 0.1192 * g + 0.9505 * b)
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
                  for t in (xyz[0] / 0.95047, xyz[1], xyz[2] / 1.08883))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference: about 2.3 is just noticeable, above 10 plainly different."""
    return sum((x - y) ** 2 for x, y in zip(lab(a), lab(b), strict=True)) ** 0.5


def _mix(colour: str, opacity: float, ground: str = "#ffffff") -> str:
    """`colour` drawn with `opacity` over `ground`."""
    parts = [round(int(colour[i:i + 2], 16) * opacity + int(ground[i:i + 2], 16) *
                   (1 - opacity)) for i in (1, 3, 5)]
    return "#" + "".join(f"{p:02x}" for p in parts)


def test_figure_text_reaches_aa() -> None:
    """The plots' words (SVG text, which axe does not check): the sample labels above the
    timeline, the VAF plot's finding names, and the therapy names on the bars."""
    from layouts.figures import BAR_OPACITY, OKABE_ITO, TEXT_SHADE

    for line, text in TEXT_SHADE.items():
        assert contrast(line, "#ffffff") < 4.5 <= contrast(text, "#ffffff"), line
        assert delta_e(line, text) < 25  # still the line's hue, only darker
    assert contrast("#ffffff", _mix(OKABE_ITO[0].lower(), BAR_OPACITY)) >= 4.5
    assert contrast("#ffffff", _mix(OKABE_ITO[0].lower(), 0.85)) < 4.5  # before


def test_colour_difference_examples() -> None:
    assert round(delta_e("#000000", "#ffffff")) == 100
    assert delta_e("#e9ecef", "#ffffff") < 10  # the old tier III grey beside tier IV white


def test_tier_colours_stay_apart() -> None:
    """The badges still tell the tiers apart by colour too (the text says the tier): every
    two tier backgrounds differ plainly (CIE76 delta E >= 10), and the strongest evidence is
    darkest (I dark red, II amber, III grey, IV white: the meaning the board knows)."""
    rules = _rules(CSS.read_text(encoding="utf-8"))
    grounds = [_colour(rules, f".tier-{t}", "background") for t in ("IA", "IIC", "III", "IV")]
    lums = [luminance(g) for g in grounds]
    assert lums == sorted(lums), grounds  # I darkest ... IV lightest
    for a, b in itertools.combinations(grounds, 2):
        assert delta_e(a, b) >= 10, (a, b, delta_e(a, b))
    for tier in ("IB", "IID"):  # B and D share A's and C's colours
        twin = {"IB": "IA", "IID": "IIC"}[tier]
        assert _colour(rules, f".tier-{tier}", "background") == \
            _colour(rules, f".tier-{twin}", "background")
