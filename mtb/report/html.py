"""The case report as one self-contained HTML page: inline CSS, no scripts, no external
resources (only hyperlinks), so it opens the same on any machine, in a mail client, or in an
archive years later, and WeasyPrint turns it into the PDF without fetching anything.

Every string comes from outside (VCF annotations, FHIR resources, curators' comments) and is
escaped by Jinja2's autoescape: a comment that holds `<script>` prints as text.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, StrictUndefined

from mtb.i18n import N_, current_language, gettext
from mtb.i18n.formats import date_text, datetime_text
from mtb.report.content import ReportContent, day

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="generator" content="mtb {{ r.mtb_version }}">
<title>{{ _("Tumor board report") }} {{ r.case_id }}</title>
<style>
@page { size: A4; margin: 18mm 14mm 20mm 14mm;
  @top-left { content: "{{ _("Molecular tumor board report") | css }} · {{ r.case_id | css }}";
              font-size: 8pt;
              color: #555; }
  @top-right { content: "{{ _('SYNTHETIC') | css if r.synthetic else '' }}"; font-size: 8pt;
               font-weight: bold; }
  @bottom-left { content: "mtb {{ r.mtb_version | css }} · {{ day(r.generated_at) }}";
                 font-size: 8pt; color: #555; }
  @bottom-right { content: "{{ _('page') | css }} " counter(page) " {{ _('of') | css }} "
                  counter(pages); font-size: 8pt;
                  color: #555; } }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
       color: #111; line-height: 1.35; max-width: 60rem; margin: 0 auto; padding: 0 0.5rem; }
h1 { font-size: 16pt; margin: 0.4em 0 0.1em; }
h2 { font-size: 12.5pt; margin: 1.2em 0 0.4em; border-bottom: 1.5px solid #333;
     padding-bottom: 0.1em; page-break-after: avoid; }
.subtitle { color: #333; margin: 0 0 0.6em; }
.banner { border: 3px solid #8a5a00; background: #fff3cd; color: #3d2a00; font-weight: bold;
          padding: 0.5em 0.8em; margin: 0.6em 0; font-size: 11pt; }
.final { border: 2px solid #1f5f2a; padding: 0.2em 0.6em; display: inline-block; }
.draft { border: 2px dashed #8a5a00; padding: 0.2em 0.6em; display: inline-block; }
table { border-collapse: collapse; width: 100%; margin: 0.3em 0 0.6em; }
th, td { text-align: left; vertical-align: top; padding: 0.25em 0.4em;
         border-bottom: 1px solid #bbb; }
th { background: #eee; font-size: 9pt; }
tr { page-break-inside: avoid; }
table.findings { table-layout: fixed; }
td { overflow-wrap: anywhere; }
table.facts th { width: 9rem; background: none; font-weight: bold; }
.tier { font-weight: bold; white-space: nowrap; }
td.date { white-space: nowrap; }
table.lines td:nth-child(2) { width: 45%; }
td.signature { height: 2.5em; }
table.recommendations td:first-child { white-space: nowrap; }
td.override { color: #7a1c1c; white-space: normal; }
.muted { color: #555; font-size: 9pt; }
.pre { white-space: pre-wrap; }
.resistance { color: #7a1c1c; }
.flag { color: #7a1c1c; font-weight: bold; }
ul.compact { margin: 0; padding-left: 1.1em; }
footer { margin-top: 1.5em; font-size: 8.5pt; color: #444; border-top: 1px solid #bbb;
         padding-top: 0.4em; }
</style>
</head>
<body>
{% if r.banner %}<div class="banner" role="alert">{{ r.banner }}</div>{% endif %}
<h1>{{ _("Molecular tumor board report") }}</h1>
<p class="subtitle">{{ r.title }} · {{ _("case") }} {{ r.case_id }} · {{
_("report of {day}").format(day=day(r.generated_at)) }}</p>
<p>{{ _("Case status:") }} <span class="{{ 'final' if r.final else 'draft' }}">{{
_(r.status) }}</span>
{%- if r.status_by %} · {{ _("last changed by {user}").format(user=r.status_by) }}
{%- if r.status_at %} {{ _("on {day}").format(day=day(r.status_at)) }}{% endif %}{% endif %}
{%- if not r.final %} · <strong>{{ _("preliminary: the case is not final") }}</strong>
{%- endif %}</p>

<h2>{{ _("Patient") }}</h2>
<table class="facts">
{% for label, value in r.patient %}<tr><th scope="row">{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}<tr><th scope="row">TMB</th><td>{{ r.tmb_text }}</td></tr>
{% for b in r.biomarkers if b.name not in ("TMB", "MSI") %}<tr><th scope="row">{{ b.name }}</th>
<td>{{ b.label }}{% if b.source %}: {{ b.source }}{% endif %}</td></tr>
{% endfor %}
</table>

<h2>{{ _("Prior systemic therapy") }}</h2>
{% if r.prior_lines %}<table class="lines">
<thead><tr><th>{{ _("Line") }}</th><th>{{ _("Regimen") }}</th><th>{{ _("Period") }}</th>
<th>{{ _("Best response") }}</th></tr></thead>
<tbody>
{% for name, regimen, period, response in r.prior_lines %}<tr><td>{{ name }}</td>
<td>{{ regimen }}</td><td class="date">{{ period }}</td><td>{{ response }}</td></tr>
{% endfor %}</tbody>
</table>
{% else %}<p class="muted">{{ _("No systemic therapy in the clinical record.") }}</p>{% endif %}

<h2>{{ _("Summary of the curators") }}</h2>
{% if r.summary %}<p class="pre">{{ r.summary }}</p>
{% else %}<p class="muted">{{ _("No case summary was written.") }}</p>{% endif %}

<h2>{{ _("Recommendations of the board") }}</h2>
{% if r.recommendations %}
<table class="recommendations">
<thead><tr><th>{{ _("Kind") }}</th><th>{{ _("Recommendation") }}</th>
<th>{{ _("Evidence grade") }}</th><th>{{ _("AMP tier") }}</th>
<th>{{ _("Rationale") }}</th><th>{{ _("Based on") }}</th></tr></thead>
<tbody>
{% for rec in r.recommendations %}<tr>
<td>{{ _(rec.kind_label) }}</td>
<td><strong>{{ rec.text }}</strong>{% if rec.nct_id %}<br>ClinicalTrials.gov
<a href="https://clinicaltrials.gov/study/{{ rec.nct_id }}">{{ rec.nct_id }}</a>{% endif %}
{%- if rec.created_by %}<br><span class="muted">{{
_("recorded by {user}").format(user=rec.created_by) }}
{%- if rec.created_at %}, {{ day(rec.created_at) }}{% endif %}</span>
{%- endif %}</td>
<td class="tier">{{ rec.evidence_grade or "—" }}</td>
<td class="tier">{{ rec.amp_tier or "—" }}</td>
<td class="pre">{{ rec.rationale }}</td>
<td>{% for f in rec.findings %}{{ f }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
</tr>
{% endfor %}</tbody>
</table>
<p class="muted">{{ _(notes.grades) }}</p>
{% else %}<p class="muted">{{ _("No recommendation has been recorded for this case.") }}</p>
{%- endif %}

{% if r.options %}<h2>{{ _("Options from the evidence") }}</h2>
<ol class="compact">{% for o in r.options[:8] %}<li><strong>{{ o.therapy.name }}</strong> {{
_("for {finding} ({tier}; {basis})").format(finding=o.finding, tier=o.therapy.tier.value,
basis=o.therapy.basis_text) }}{% if o.caution %} <em>— {{
o.caution }}</em>{% elif o.given %} <span class="muted">({{ o.given }})</span>{% endif %}</li>
{% endfor %}</ol>
<p class="muted">{{ _(notes.options) }}</p>{% endif %}

<h2>{{ _("Findings") }}</h2>
{% if r.findings %}
<table class="findings">
<colgroup><col style="width: 8%"><col style="width: 16%"><col style="width: 10%">
<col style="width: 13%"><col style="width: 6%"><col style="width: 30%"><col style="width: 17%">
</colgroup>
<thead><tr><th>{{ _("Gene") }}</th><th>{{ _("Change") }}</th><th>{{ _("Reads") }}</th>
<th>{{ _("Tier") }}</th><th>{{ _("Level") }}</th>
<th>{{ _("Therapies (ranked: tier; what they rest on)") }}</th><th>{{ _("Curation") }}</th>
</tr></thead>
<tbody>
{% for f in r.findings %}<tr>
<td><strong>{{ f.gene or "—" }}</strong></td>
<td>{{ f.change }}{% if f.hgvsc %}<br><span class="muted">{{ f.hgvsc }}</span>{% endif %}
{%- if f.transcript %}<br><span class="muted">{{ f.transcript }}</span>{% endif %}
{%- if f.genomic %}<br><span class="muted">{{ f.genomic[0] }} {{ f.genomic[1] }}:{{
f.genomic[2] }} {{ f.genomic[3] }}&gt;{{ f.genomic[4] }}</span>{% endif %}</td>
<td>{{ f.read_support or "—" }}{% for flag in f.flags %}<div class="flag">{{ flag }}</div>
{%- endfor %}</td>
<td class="tier{{ ' override' if f.curated_tier }}">{{ f.tier_text }}</td>
<td>{{ f.level or "—" }}</td>
<td>{% set lines, more = f.card %}{% for t in lines %}<div class="{{ 'resistance' if
t.resistance and not t.conflicting }}">{{ t.label }} <span class="nowrap">({{ t.tier }}{% if
t.basis_text %}; {{ t.basis_text }}{% endif %})</span>{% if t.germline_testing %} <em>{{
_("germline testing needed") }}</em>{% endif %}{% if f.caution(t) %} <em>— {{ f.caution(t)
}}</em>{% endif %}</div>{% else %}—{% endfor %}{% if more %}<div class="muted">{{ more }} ({{
_("in mtb's evidence panel") }})</div>{% endif %}</td>
<td>{% if f.oncogenicity %}<div>{{ _(f.oncogenicity) }}</div>{% endif %}
{%- if f.comment %}<div class="pre">{{ f.comment }}</div>{% endif %}
{%- if f.in_report %}<div class="muted">{{ _("added to the report by the curator") }}</div>
{%- endif %}
{%- if f.curated_by %}<div class="muted">{{ _("curated by {user}").format(user=f.curated_by)
}}</div>{% endif %}
{%- if not (f.oncogenicity or f.comment or f.curated_by) %}—{% endif %}</td>
</tr>
{% endfor %}</tbody>
</table>
<p class="muted">{{ _(notes.findings) }}</p>
{% for f in r.findings if f.why %}{% if loop.first %}<h2>{{ _("Why these tiers") }}</h2>
<ul class="compact">{% endif %}<li><strong>{{ f.label }}</strong>: {{ f.why }}</li>
{% if loop.last %}</ul>{% endif %}{% endfor %}
{% else %}<p class="muted">{{ _("No tier I or II finding, and none added by a curator.") }}</p>
{%- endif %}

{% if r.warnings %}<h2>{{ _("Notes on the case data") }}</h2>
<ul class="compact">{% for w in r.warnings %}<li>{{ w }}</li>{% endfor %}</ul>{% endif %}

<h2>{{ _("Knowledge bases") }}</h2>
<table>
<thead><tr><th>{{ _("Source") }}</th><th>{{ _("Version") }}</th><th>{{ _("Date") }}</th>
<th>{{ _("Mode") }}</th><th>{{ _("Licence") }}</th></tr></thead>
<tbody>
{% for s in r.sources %}<tr><td>{{ s.name }}</td><td class="date">{{ s.version }}</td>
<td class="date">{{ day_text(s.date) }}</td>
<td>{{ _(s.mode) }}</td><td class="muted">{{ s.licence }}</td></tr>
{% endfor %}</tbody>
</table>

<h2>{{ _("Sign-off") }}</h2>
<table class="facts sign-off">
{% for what, who in r.sign_off %}<tr><th scope="row">{{ what }}</th><td>{{ who }}</td></tr>
{% endfor %}<tr><th scope="row">{{ _("Signature") }}</th><td class="signature"></td></tr>
</table>

<footer>
{{ _("Produced by mtb {version} on {when} UTC.").format(version=r.mtb_version,
                                                       when=datetime_text(r.generated_at)) }}
{{ _("Genome build {build}.").format(build=r.build) }} {{ _(notes.disclaimer) }}
{% if r.banner %}<strong>{{ r.banner }}</strong>{% endif %}
</footer>
</body>
</html>
"""


class NOTES:  # the template's `notes`: long paragraphs, marked for the catalog
    grades = N_("Evidence grades after the MII molecular tumor board module (m1A–m4); tiers "
                "after AMP/ASCO/CAP 2017.")
    options = N_("Tier I therapies of the key findings, ranked by the evidence (approved here "
                 "first, the guideline's preferred option, first line before later lines) and "
                 "checked against the patient's course: a drug the patient progressed on, or "
                 "one another finding predicts resistance to, comes last with the reason. Not a "
                 "recommendation.")
    findings = N_("All tier I and II findings, and the findings curators added. Tier by the "
                  "knowledge-base rules (AMP/ASCO/CAP 2017), with a curator's override beside "
                  "it; level: the evidence level of the deciding evidence.")
    disclaimer = N_("This report supports the tumor board's decision; it does not replace the "
                    "treating physician's judgement.")


def _css_string(value: object) -> str:
    """A value inside a CSS string literal (the page header): quotes, backslashes and angle
    brackets become CSS escapes, so no value can end the string or the style element."""
    out = []
    for char in str(value):
        if char.isalnum() or char in " -_.:/()":
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return "".join(out)


@cache
def _template():
    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=False)
    env.filters["css"] = _css_string
    env.globals.update(day=day, day_text=date_text, datetime_text=datetime_text, _=gettext,
                       notes=NOTES)
    return env.from_string(TEMPLATE)


def render_html(content: ReportContent) -> str:
    """The report as a complete HTML document (UTF-8 text), in the current language
    (mtb.i18n: the web user's, or `mtb report --lang`). The content must have been built in
    the same language (its patient facts are words)."""
    return _template().render(r=content, lang=current_language())
