"""A self-contained HTML report: summary, plots, statistics and a filterable findings table.

One file with its CSS, script and SVG inline, so it opens from a CI artifact or offline; a
Content-Security-Policy forbids every network fetch, so a stray external reference fails loudly
in the browser instead of leaking. Every piece of dataset text is HTML-escaped (records are
untrusted input); findings about personal data arrive already masked by their rules. The script
only hides and reorders rows: without it the page is a plain table.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from html import escape
from typing import Any, TextIO

from .. import __version__
from ..engine import Report
from ..model import Finding, Location, Severity
from . import svg

MAX_ROWS = 5000  # findings shown in the table; the summary counts all of them
MAX_EXCERPT = 2000  # characters of an excerpt
MAX_RELATED = 5
MAX_STAT_ROWS = 200  # rows of one statistics table (class counts of a 10,000-label dataset...)
FILES_OPEN = 3  # with more files than this, each file's plots and statistics start folded

_SEVERITIES = sorted(Severity, reverse=True)
# Characters XML (and thus a strict reader of the file) does not allow, and lone surrogates from
# JSON escapes: shown as visible escapes so the file is always valid UTF-8 and well-formed.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def text(value: Any) -> str:
    """Escaped text for element content and attribute values."""
    return escape(_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(value)), quote=True)


def write(report: Report, out: TextIO, options: dict) -> None:
    max_rows = int(options.get("max_rows", MAX_ROWS))
    for part in _page(report, max_rows):
        out.write(part + "\n")


# ---------------------------------------------------------------------------- page


def _page(report: Report, max_rows: int) -> Iterator[str]:
    from ..rulepack import load_rules

    rules = load_rules()
    verdict = "passed" if report.ok else "failed"
    yield "<!DOCTYPE html>"
    yield '<html lang="en">'
    yield "<head>"
    yield '<meta charset="utf-8"/>'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
    yield ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"/>")
    yield '<link rel="icon" href="data:,"/>'
    yield f"<title>ftlint report: {verdict}, {len(report.findings)} findings in {report.records} records</title>"
    yield f"<style>{_CSS}</style>"
    yield "</head>"
    yield "<body>"
    yield '<a class="skip" href="#findings">Skip to the findings</a>'
    yield "<header>"
    yield "<h1>ftlint report</h1>"
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    yield f'<p class="meta">ftlint {text(__version__)}, generated {stamp}</p>'
    yield ('<nav aria-label="Sections"><ul><li><a href="#summary">Summary</a></li><li><a href="#plots">Plots</a></li>'
           '<li><a href="#statistics">Statistics</a></li><li><a href="#findings">Findings</a></li></ul></nav>')
    yield "</header>"
    yield "<main>"
    yield from _summary(report, rules)
    yield from _plots(report, rules)
    yield from _statistics(report, rules)
    yield from _findings(report, max_rows)
    yield "</main>"
    yield f"<script>//<![CDATA[\n{_SCRIPT}\n//]]></script>"
    yield "</body>"
    yield "</html>"


def _summary(report: Report, rules: Mapping[str, Any]) -> Iterator[str]:
    from ..rulepack import FAMILIES

    counts = report.counts_by_severity()
    findings = report.findings
    verdict = "passed" if report.ok else "failed"
    failing = sum(1 for f in findings if f.severity >= report.fail_on)
    yield '<section id="summary" aria-labelledby="summary-h">'
    yield '<h2 id="summary-h">Summary</h2>'
    why = (f"no finding at or above fail-on = {report.fail_on}" if report.ok
           else f"{failing} finding{'s' * (failing != 1)} at or above fail-on = {report.fail_on}")
    yield f'<p class="verdict {verdict}"><strong>{verdict.capitalize()}</strong>: {text(why)}.</p>'
    yield '<dl class="numbers">'
    items = [("Files", len(report.files)), ("Records", report.records), ("Findings", len(findings)),
             *((f"{name.capitalize()}s", n) for name, n in counts.items())]
    if report.baselined:
        items.append(("Baselined (not shown)", report.baselined))
    if report.stale:
        items.append(("Stale baseline entries", sum(entry.count for _, _, entry in report.stale)))
    for label, value in items:
        yield f"<div><dt>{text(label)}</dt><dd>{value:,}</dd></div>"
    yield "</dl>"

    per_file: dict[str, dict[Severity, int]] = {}
    for finding in findings:
        tally = per_file.setdefault(finding.location.path, {})
        tally[finding.severity] = tally.get(finding.severity, 0) + 1
    yield "<table>"
    yield "<caption>Files and detected formats</caption>"
    yield ('<thead><tr><th scope="col">File</th><th scope="col">Format</th><th scope="col">Detected because</th>'
           '<th scope="col" class="num">Records</th>'
           + "".join(f'<th scope="col" class="num">{s}s</th>' for s in _SEVERITIES) + "</tr></thead>")
    yield "<tbody>"
    for result in report.files:
        tally = per_file.get(result.path, {})
        name = text(result.path)
        if tally:  # a link that filters the findings table to this file
            name = f'<a href="#findings" data-filter="file" data-value="{name}">{name}</a>'
        yield (f'<tr><th scope="row" class="path">{name}</th><td>{text(result.format or "unknown")}</td>'
               f"<td>{text(result.format_reason)}</td><td class=\"num\">{result.records:,}</td>"
               + "".join(f'<td class="num">{tally.get(s, 0):,}</td>' for s in _SEVERITIES) + "</tr>")
    yield "</tbody></table>"

    by_family: dict[str, dict[Severity, int]] = {}
    for finding in findings:
        tally = by_family.setdefault(FAMILIES.get(finding.code[:1], "other"), {})
        tally[finding.severity] = tally.get(finding.severity, 0) + 1
    yield "<table>"
    yield "<caption>Findings per rule family and severity</caption>"
    yield ('<thead><tr><th scope="col">Family</th>' + "".join(f'<th scope="col" class="num">{s}</th>' for s in _SEVERITIES)
           + '<th scope="col" class="num">total</th></tr></thead>')
    yield "<tbody>"
    families = [(letter, family) for letter, family in FAMILIES.items()]
    families += [("", "other")] if "other" in by_family else []
    for letter, family in families:
        tally = by_family.get(family, {})
        yield (f'<tr><th scope="row">{letter} {text(family)}</th>'
               + "".join(f'<td class="num">{tally.get(s, 0):,}</td>' for s in _SEVERITIES)
               + f'<td class="num">{sum(tally.values()):,}</td></tr>')
    yield "</tbody></table>"

    by_rule: dict[str, dict[Severity, int]] = {}
    for finding in findings:
        tally = by_rule.setdefault(finding.code, {})
        tally[finding.severity] = tally.get(finding.severity, 0) + 1
    if by_rule:
        yield "<table>"
        yield "<caption>Findings per rule</caption>"
        yield ('<thead><tr><th scope="col">Rule</th><th scope="col">Name</th><th scope="col">Summary</th>'
               + "".join(f'<th scope="col" class="num">{s}</th>' for s in _SEVERITIES) + "</tr></thead>")
        yield "<tbody>"
        for code, tally in sorted(by_rule.items(), key=lambda item: (-sum(item[1].values()), item[0])):
            meta = rules.get(code)
            yield (f'<tr><th scope="row"><a href="#findings" data-filter="rule" data-value="{text(code)}">{text(code)}</a>'
                   f'</th><td>{text(meta.name if meta else "")}</td>'
                   f"<td>{text(meta.summary if meta else '')}</td>"
                   + "".join(f'<td class="num">{tally.get(s, 0):,}</td>' for s in _SEVERITIES) + "</tr>")
        yield "</tbody></table>"
    yield "</section>"


def _scopes(report: Report) -> list[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    """[(scope, [(rule code, statistics)])]: the run-wide statistics first, then each file's."""
    scopes = [("whole run", [(code, dict(stats)) for code, stats in report.dataset_statistics.items()
                             if isinstance(stats, Mapping)])]
    scopes += [(result.path, [(code, dict(stats)) for code, stats in result.statistics.items()
                              if isinstance(stats, Mapping)]) for result in report.files]
    return [(scope, entries) for scope, entries in scopes if entries]


def _group(scope: str, parts: list[str], files: int) -> Iterator[str]:
    """Run-wide parts as they are; a file's parts folded under its name once there are several
    files (thirty shards times six plots would bury the page), open when there are few."""
    if scope == "whole run":
        yield from parts
        return
    opened = ' open="open"' if files <= FILES_OPEN else ""
    yield f'<details class="file"{opened}><summary>File {text(scope)}</summary>'
    yield from parts
    yield "</details>"


def _rule_title(code: str, rules: Mapping[str, Any]) -> str:
    meta = rules.get(code)
    return f"{code} {meta.name}" if meta else code


def _plots(report: Report, rules: Mapping[str, Any]) -> Iterator[str]:
    yield '<section id="plots" aria-labelledby="plots-h">'
    yield '<h2 id="plots-h">Plots</h2>'
    count = drawn = 0
    for scope, entries in _scopes(report):
        parts: list[str] = []
        for code, stats in entries:
            plots = stats.get("plots")
            figures = []
            for plot in plots if isinstance(plots, list) else [plots] if plots else []:
                count += 1
                figures.append("\n".join(_figure(code, plot, count)))
            figures = [f for f in figures if f]
            if figures:  # one card per rule: its heading over its plots
                parts += ['<div class="card">',
                          f"<h3>{text(_rule_title(code, rules))} <span class=\"scope\">({text(scope)})</span></h3>",
                          *figures, "</div>"]
        if parts:
            drawn += 1
            yield from _group(scope, ['<div class="plots">', *parts, "</div>"], len(report.files))
    if not drawn:
        yield ('<p class="note">No rule produced a plot for this run. Plots come from the statistics of '
               "dataset-level rules (token lengths, class balance, duplicate clusters, personal data, "
               "leakage) when they have something to show.</p>")
    yield "</section>"


def _figure(code: str, plot: Any, number: int) -> Iterator[str]:
    """One plot as a figure: the SVG, a caption that says what it shows, its numbers as a table.
    An empty plot (a rule that found nothing to count) is left out."""
    try:
        plot = svg.validate(plot)
        if svg.is_empty(plot):
            return
        image, rows, alt = svg.render(plot), svg.rows(plot), svg.describe(plot)
    except svg.PlotError as exc:
        yield f'<p class="note">A plot of {text(code)} could not be drawn: {text(exc)}.</p>'
        return
    title, unit = plot["title"], plot["unit"]
    yield f'<figure id="plot-{number}" class="plot-figure">'
    yield image
    yield f"<figcaption><strong>{text(title)}</strong>. {text(alt)}</figcaption>"
    yield "<details><summary>Data table</summary>"
    yield (f"<table class=\"data\"><caption>{text(title)}</caption><thead><tr><th scope=\"col\">"
           f"{'Bin' if plot['kind'] == 'histogram' else 'Label'}</th>"
           f"<th scope=\"col\" class=\"num\">{text(unit or 'value')}</th></tr></thead><tbody>")
    for label, value in rows[:MAX_STAT_ROWS]:
        yield f'<tr><th scope="row">{text(label)}</th><td class="num">{text(value)}</td></tr>'
    yield "</tbody></table></details>"
    yield "</figure>"


def flatten(value: Any, prefix: str = "", sep: str = " › ") -> Iterator[tuple[str, Any]]:
    """Nested statistics as (key path, scalar) rows; top-level `plots` are drawn, not listed."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if key == "plots" and not prefix:
                continue
            yield from flatten(inner, f"{prefix}{sep}{key}" if prefix else str(key), sep)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for index, inner in enumerate(value):
            yield from flatten(inner, f"{prefix}[{index}]", sep)
    else:
        yield prefix, value


def format_value(value: Any, key: str = "") -> str:
    """A statistic for people: 4 significant digits, thousands separators, yes/no, and rates
    and shares (by their key's name) as percentages."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and key.endswith(("rate", "share")) and 0.0 <= value <= 1.0:
        return f"{value:.2%}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    return "" if value is None else str(value)


def _statistics(report: Report, rules: Mapping[str, Any]) -> Iterator[str]:
    yield '<section id="statistics" aria-labelledby="statistics-h">'
    yield '<h2 id="statistics-h">Statistics</h2>'
    shown = False
    for scope, entries in _scopes(report):
        parts: list[str] = []
        for code, stats in entries:
            rows = list(flatten(stats))
            if rows:
                parts += _stat_table(f"{_rule_title(code, rules)}", scope, rows)
        if parts:
            shown = True
            yield from _group(scope, ['<div class="stat-grid">', *parts, "</div>"], len(report.files))
    if not shown:
        yield '<p class="note">No dataset-level rule reported statistics for this run.</p>'
    yield "</section>"


def _stat_table(title: str, scope: str, rows: list[tuple[str, Any]]) -> list[str]:
    out = ['<table class="stats">',
           f'<caption>{text(title)} <span class="scope">({text(scope)})</span></caption>',
           '<thead><tr><th scope="col">Statistic</th><th scope="col" class="num">Value</th></tr></thead><tbody>']
    for key, value in rows[:MAX_STAT_ROWS]:
        out.append(f'<tr><th scope="row">{text(key)}</th><td class="num">{text(format_value(value, key))}</td></tr>')
    if len(rows) > MAX_STAT_ROWS:
        out.append(f'<tr><th scope="row">…</th><td class="num">{len(rows) - MAX_STAT_ROWS:,} more rows '
                   "(see the JSON report)</td></tr>")
    out.append("</tbody></table>")
    return out


# ---------------------------------------------------------------------------- findings table


def _location(loc: Location) -> str:
    text_ = loc.path
    if loc.line is not None:
        text_ += f":{loc.line}"
        if loc.column is not None:
            text_ += f":{loc.column}"
    return text_


def _options(values: Iterable[str], label: str) -> str:
    return f'<option value="">{label}</option>' + "".join(
        f'<option value="{text(v)}">{text(v)}</option>' for v in values)


def _findings(report: Report, max_rows: int) -> Iterator[str]:
    findings = report.findings
    shown = findings[:max_rows]
    yield '<section id="findings" aria-labelledby="findings-h">'
    yield '<h2 id="findings-h">Findings</h2>'
    if not findings:
        yield '<p class="note">No findings: every check passed.</p>'
        yield "</section>"
        return
    if len(findings) > len(shown):
        yield (f'<p class="note" id="capped">The table shows the first {len(shown):,} of {len(findings):,} findings '
               "(in file and line order); the summary counts all of them. Use the JSON report "
               "(<code>--output-format json</code>) for the full list.</p>")
    rules = sorted({f.code for f in shown})
    files = sorted({f.location.path for f in shown})
    severities = [str(s) for s in _SEVERITIES if any(f.severity is s for f in shown)]
    yield '<form id="filters" class="filters" hidden="hidden" aria-label="Filter the findings">'
    yield f'<label for="filter-rule">Rule</label> <select id="filter-rule" name="rule">{_options(rules, "all rules")}</select>'
    yield f'<label for="filter-file">File</label> <select id="filter-file" name="file">{_options(files, "all files")}</select>'
    yield (f'<label for="filter-severity">Severity</label> <select id="filter-severity" name="severity">'
           f'{_options(severities, "all severities")}</select>')
    yield '<label for="filter-text">Text</label> <input id="filter-text" name="text" type="search" size="20"/>'
    yield '<button type="reset">Clear filters</button>'
    yield "</form>"
    yield f'<p id="filter-status" role="status" aria-live="polite">{len(shown):,} findings listed.</p>'
    yield '<table id="findings-table" class="findings">'
    yield "<caption>Findings, sorted by location. Column buttons sort; the form above filters.</caption>"
    yield ('<thead><tr><th scope="col" data-sort="number">Severity</th><th scope="col" data-sort="text">Rule</th>'
           '<th scope="col" data-sort="text">Location</th><th scope="col" data-sort="text">Field</th>'
           '<th scope="col" data-sort="text">Message</th></tr></thead>')
    yield "<tbody>"
    for index, finding in enumerate(shown):
        yield _row(index, finding)
    yield "</tbody></table>"
    yield "</section>"


def _row(index: int, finding: Finding) -> str:
    loc = finding.location
    severity = str(finding.severity)
    sort_location = f"{loc.path}\t{loc.line or 0:012d}\t{loc.column or 0:06d}"
    cells = [
        f'<td data-key="{int(finding.severity)}"><span class="sev {severity}">{severity}</span></td>',
        f'<td><abbr title="{text(finding.rule)}">{text(finding.code)}</abbr></td>',
        f'<td class="path" data-key="{text(sort_location)}">{text(_location(loc))}</td>',
        f"<td>{text(loc.field or '')}</td>",
    ]
    message = [text(finding.message)]
    if finding.related:
        related = ", ".join(_location(r) for r in finding.related[:MAX_RELATED])
        more = len(finding.related) - MAX_RELATED
        message.append(f'<br/><span class="related">Related: {text(related)}'
                       f"{text(f' and {more} more') if more > 0 else ''}</span>")
    if finding.excerpt:
        excerpt = finding.excerpt
        if len(excerpt) > MAX_EXCERPT:
            excerpt = excerpt[:MAX_EXCERPT] + " […]"
        message.append(f'<details><summary>Excerpt</summary><pre class="excerpt">{text(excerpt)}</pre></details>')
    cells.append(f"<td>{''.join(message)}</td>")
    return (f'<tr id="finding-{index}" data-index="{index}" data-rule="{text(finding.code)}" '
            f'data-file="{text(loc.path)}" data-severity="{severity}">{"".join(cells)}</tr>')


_CSS = """
:root { --fg: #1d1d1f; --muted: #5a5a66; --line: #d9d9e0; --bg: #fff; --panel: #f6f7f9;
        --error: #b42318; --warning: #9a5b00; --info: #1f5fa8; --ok: #207a3c; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0 auto; max-width: 1400px; padding: 0 1.25rem 3rem; }
header { border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
h1 { margin: 1rem 0 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid var(--line); }
h3 { margin: 1.4rem 0 0.4rem; font-size: 1.05rem; }
.meta, .scope, .note, caption { color: var(--muted); }
nav ul { list-style: none; display: flex; gap: 1rem; padding: 0; margin: 0.5rem 0; }
a { color: #1a56a8; }
a:focus, button:focus, select:focus, input:focus, summary:focus { outline: 3px solid #f0b400; outline-offset: 1px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .4rem; }
.verdict { font-size: 1.1rem; padding: .6rem .8rem; border-radius: 6px; }
.verdict.passed { background: #e7f5ec; color: var(--ok); } .verdict.failed { background: #fdecea; color: var(--error); }
dl.numbers { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0; }
dl.numbers div { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem; }
dt { font-size: .8rem; color: var(--muted); } dd { margin: 0; font-size: 1.3rem; font-weight: 600; }
table { border-collapse: collapse; margin: 1rem 0; width: 100%; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--panel); position: sticky; top: 0; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.path { overflow-wrap: anywhere; min-width: 9rem; font-family: ui-monospace, monospace; font-size: .85rem; }
.stat-grid { display: flex; flex-wrap: wrap; gap: 0 1.5rem; align-items: flex-start; }
table.stats { width: auto; min-width: 18rem; }
table.findings { table-layout: fixed; }  /* thousands of rows: layout from the first row, not from all */
table.findings th:nth-child(1) { width: 6rem; } table.findings th:nth-child(2) { width: 5rem; }
table.findings th:nth-child(3) { width: 13rem; } table.findings th:nth-child(4) { width: 11rem; }
table.findings td { overflow-wrap: anywhere; }
.sev { font-weight: 600; } .sev.error { color: var(--error); } .sev.warning { color: var(--warning); }
.sev.info { color: var(--info); }
.related { color: var(--muted); font-size: .85rem; }
pre.excerpt { white-space: pre-wrap; word-break: break-word; background: var(--panel); padding: .5rem;
              max-height: 20rem; overflow: auto; margin: .3rem 0; }
.plots { display: flex; flex-wrap: wrap; gap: 0 1.2rem; align-items: flex-start; }
.card { max-width: 100%; } .card figure + figure { margin-top: .8rem; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: .6rem; max-width: 100%; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: .9rem; max-width: 640px; }
details.file { margin: .8rem 0; } details.file > summary { font-weight: 600; cursor: pointer; }
table.data { width: auto; }
.filters { display: flex; flex-wrap: wrap; gap: .4rem .6rem; align-items: center; background: var(--panel);
           padding: .6rem; border-radius: 6px; }
.filters select, .filters input, .filters button, th button { font: inherit; }
th button { background: none; border: 0; padding: 0; font-weight: 700; cursor: pointer; color: inherit; }
th[aria-sort=ascending] button::after { content: " \\25B2"; }
th[aria-sort=descending] button::after { content: " \\25BC"; }
@media print { .filters, nav, .skip { display: none; } thead th { position: static; } }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  var form = document.getElementById("filters");
  if (!table || !form) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var status = document.getElementById("filter-status");
  var rule = form.elements.namedItem("rule");
  var file = form.elements.namedItem("file");
  var severity = form.elements.namedItem("severity");
  var search = form.elements.namedItem("text");

  function apply() {
    var query = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var visible = (!rule.value || row.getAttribute("data-rule") === rule.value) &&
        (!file.value || row.getAttribute("data-file") === file.value) &&
        (!severity.value || row.getAttribute("data-severity") === severity.value) &&
        (!query || row.textContent.toLowerCase().indexOf(query) !== -1);
      if (row.hidden === visible) { row.hidden = !visible; }
      if (visible) { shown += 1; }
    });
    status.textContent = "Showing " + shown + " of " + rows.length + " findings.";
  }

  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  // Rule and file names in the summary tables filter the findings table (plain links without script).
  Array.prototype.forEach.call(document.querySelectorAll("a[data-filter]"), function (link) {
    link.addEventListener("click", function () {
      form.reset();
      var control = form.elements.namedItem(link.getAttribute("data-filter"));
      control.value = link.getAttribute("data-value");
      apply();
    });
  });

  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function key(row, column, kind) {
    var cell = row.cells[column];
    var value = cell.hasAttribute("data-key") ? cell.getAttribute("data-key") : cell.textContent;
    return kind === "number" ? (parseFloat(value) || 0) : value.toLowerCase();
  }
  function sortBy(column, kind, head) {
    var ascending = head.getAttribute("aria-sort") !== "ascending";
    heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
    head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var direction = ascending ? 1 : -1;
    var keyed = rows.map(function (row) {
      return { row: row, key: key(row, column, kind), index: Number(row.getAttribute("data-index")) };
    });
    keyed.sort(function (a, b) {
      if (a.key < b.key) { return -direction; }
      if (a.key > b.key) { return direction; }
      return a.index - b.index;
    });
    var fragment = document.createDocumentFragment();
    rows = keyed.map(function (item) { fragment.appendChild(item.row); return item.row; });
    body.appendChild(fragment);
  }
  heads.forEach(function (head, column) {
    var kind = head.getAttribute("data-sort");
    if (!kind) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = head.textContent;
    button.setAttribute("aria-label", "Sort by " + head.textContent);
    head.textContent = "";
    head.appendChild(button);
    button.addEventListener("click", function () { sortBy(column, kind, head); });
  });
  apply();
})();
"""
