"""The HTML report: one well-formed, self-contained file; dataset text escaped; plots drawn from rule
statistics; and, in a real headless Chromium, a findings table that filters and sorts."""
from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

import ftlint
from ftlint.cli import main
from ftlint.reporters import REPORTERS, svg

from _records import WORDS, chat_record, write_jsonl

SCRIPT = "<script>alert('role')</script>"
DUPLICATED = {3: 3, 7: 2}  # chat_record index -> copies in train.jsonl: clusters of 3 and of 2
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]


def fixture_dataset(root: Path) -> list[str]:
    """Two files: planted exact and near duplicates, a role that is a script tag (S101 quotes it), an
    unfilled placeholder with markup around it (Q102 shows it as excerpt), a conversation that ends
    wrong."""
    train = [chat_record(i) for i in range(60)]
    for index, copies in DUPLICATED.items():
        train += [chat_record(index)] * (copies - 1)
    train.append({"messages": [{"role": SCRIPT, "content": "hi"}, {"role": "assistant", "content": "fine"}]})
    train.append({"messages": [{"role": "user", "content": "Fill the form"},
                               {"role": "assistant", "content": "Dear <<SCRIPT>>, </td></tr> & done"}]})
    long_answer = " ".join(random.Random(99).choices(WORDS, k=60))
    for ending in ("", " indeed", " truly"):  # one near-duplicate cluster of three (D201)
        train.append({"messages": [{"role": "user", "content": "Summarise the harbour report."},
                                   {"role": "assistant", "content": long_answer + ending}]})
    other = [chat_record(100 + i) for i in range(55)] + [{"messages": [{"role": "user", "content": "q"}]}]
    write_jsonl(root / "train.jsonl", train)
    write_jsonl(root / "other.jsonl", other)
    return ["train.jsonl", "other.jsonl"]


@pytest.fixture
def report_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    paths = fixture_dataset(tmp_path)
    assert main(["check", *paths, "--no-cache", "--output-format", "html", "-o", "report.html"]) == 1
    return tmp_path / "report.html"


def json_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> dict:
    capsys.readouterr()
    main(["check", "train.jsonl", "other.jsonl", "--no-cache", "--output-format", "json"])
    return json.loads(capsys.readouterr().out)


def parse(path: Path) -> ET.Element:
    """Strict XML parsing: unbalanced tags, bare ampersands or raw control characters fail here."""
    return ET.parse(path).getroot()


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def rows(root: ET.Element) -> list[ET.Element]:
    table = root.find(".//table[@id='findings-table']")
    assert table is not None
    return table.findall("./tbody/tr")


# ---------------------------------------------------------------------------- the file


def test_report_is_well_formed_html_and_xml(report_file: Path):
    from html.parser import HTMLParser

    class Balance(HTMLParser):
        VOID = {"meta", "link", "br", "input", "img", "hr", "col", "source", "wbr"}

        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag not in self.VOID:
                self.stack.append(tag)

        def handle_startendtag(self, tag, attrs):  # <meta/>, <br/>: opens and closes itself
            pass

        def handle_endtag(self, tag):
            assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
            self.stack.pop()

    source = report_file.read_text(encoding="utf-8")
    assert source.startswith("<!DOCTYPE html>")
    checker = Balance()
    checker.feed(source)
    checker.close()
    assert checker.stack == []
    root = parse(report_file)
    assert root.tag == "html" and root.get("lang") == "en"


def test_report_is_self_contained(report_file: Path):
    root = parse(report_file)
    references = [value for element in root.iter() for name, value in element.attrib.items()
                  if name in ("src", "href", "action", "srcset", "data", "xlink:href")]
    assert references, "expected in-page links at least"
    assert all(not re.match(r"\s*(https?:)?//", value, re.I) for value in references), references
    # Everything a browser would otherwise fetch is inline, and the policy forbids fetching.
    assert root.find(".//link[@rel='stylesheet']") is None
    assert all(script.get("src") is None for script in root.iter("script"))
    policy = root.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    assert "default-src 'none'" in policy
    assert "@import" not in report_file.read_text(encoding="utf-8")


def test_dataset_text_is_escaped(report_file: Path):
    source = report_file.read_text(encoding="utf-8")
    assert SCRIPT not in source  # the role value from the record never becomes markup
    assert "&lt;script&gt;alert(&#x27;role&#x27;)&lt;/script&gt;" in source
    root = parse(report_file)
    assert len(list(root.iter("script"))) == 1  # ours only
    [s101] = [row for row in rows(root) if row.get("data-rule") == "S101"]
    assert SCRIPT in text_of(s101)  # shown to the reader as text
    [q102] = [row for row in rows(root) if row.get("data-rule") == "Q102"]
    excerpt = q102.find(".//pre")
    assert excerpt is not None and excerpt.text == "<<SCRIPT>>"


def test_summary_matches_the_json_report(report_file: Path, tmp_path: Path, capsys):
    data = json_report(tmp_path, capsys)
    root = parse(report_file)
    summary = root.find(".//section[@id='summary']")
    numbers = {div.find("dt").text: div.find("dd").text for div in summary.findall("./dl/div")}
    assert numbers["Files"] == "2" and numbers["Records"] == f"{68 + 56}"
    assert numbers["Findings"] == str(data["summary"]["findings"])
    assert numbers["Errors"] == str(data["summary"]["errors"])
    assert "Failed" in text_of(summary.find(".//p[@class='verdict failed']"))
    files = summary.find(".//table")  # files and their detected formats, with the reason
    cells = [[text_of(c) for c in tr] for tr in files.findall("./tbody/tr")]
    assert [c[:2] + [c[3]] for c in cells] == [["train.jsonl", "openai-chat", "68"], ["other.jsonl", "openai-chat", "56"]]
    assert all("keys messages" in c[2] for c in cells)
    assert len(rows(root)) == len(data["findings"])
    assert Counter(r.get("data-rule") for r in rows(root)) == Counter(f["code"] for f in data["findings"])


def test_duplicate_plot_shows_the_planted_clusters(report_file: Path):
    root = parse(report_file)
    plots = root.find(".//section[@id='plots']")
    [figure] = [f for f in plots.findall(".//figure") if "Exact duplicate record" in text_of(f.find("figcaption"))]
    image = figure.find("svg")
    assert image.get("role") == "img" and image.get("aria-label")
    assert image.find("title").text == "Exact duplicate record clusters by size"
    expected = Counter(f"{copies} copies" for copies in DUPLICATED.values())
    data = {text_of(tr.find("th")): int(text_of(tr.find("td"))) for tr in figure.findall(".//table/tbody/tr")}
    assert data == expected
    assert len(image.findall("rect[@class='bar']")) == len(expected)
    [near] = [f for f in plots.findall(".//figure") if "Near-duplicate record" in text_of(f.find("figcaption"))]
    assert {text_of(tr.find("th")): text_of(tr.find("td")) for tr in near.findall(".//table/tbody/tr")} == {
        "3 records": "1"}


def test_empty_plots_are_left_out(tmp_path: Path, check):
    write_jsonl(tmp_path / "t.jsonl", [chat_record(i) for i in range(55)])
    root = render(inject(check("t.jsonl"), [{"kind": "bars", "title": "Nothing found", "values": {}, "unit": ""},
                                           dict(HISTOGRAM, title="All zero", counts=[0, 0, 0, 0])]), tmp_path)
    source = ET.tostring(root, encoding="unicode")
    assert "Nothing found" not in source and "All zero" not in source and "could not be drawn" not in source


def test_table_without_script_is_a_plain_table(report_file: Path):
    """The filter form only appears once the script runs; headers carry table semantics."""
    root = parse(report_file)
    form = root.find(".//form[@id='filters']")
    assert form.get("hidden") is not None
    for select in form.iter("select"):
        assert form.find(f".//label[@for='{select.get('id')}']") is not None
    table = root.find(".//table[@id='findings-table']")
    assert table.find("caption") is not None
    assert all(th.get("scope") == "col" for th in table.findall("./thead/tr/th"))
    for row in rows(root):
        assert row.get("data-rule") and row.get("data-file") and row.get("data-severity")


def test_report_command_writes_a_file_and_exits_zero(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    paths = fixture_dataset(tmp_path)
    assert main(["report", *paths, "--no-cache"]) == 0  # findings do not fail a report
    assert "wrote the HTML report to ftlint-report.html" in capsys.readouterr().err
    parse(tmp_path / "ftlint-report.html")
    assert main(["report", *paths, "--no-cache", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")


def test_real_cli_process(tmp_path: Path):
    paths = fixture_dataset(tmp_path)
    result = subprocess.run([sys.executable, "-m", "ftlint", "check", *paths, "--no-cache", "--output-format", "html"],
                            cwd=tmp_path, capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")


def test_table_is_capped_and_says_so(tmp_path: Path, check):
    write_jsonl(tmp_path / "bad.jsonl", [{"messages": [{"role": "robot", "content": f"x{i}"}]} for i in range(12)])
    report = check("bad.jsonl", format="openai-chat")
    out = io.StringIO()
    REPORTERS["html"](report, out, {"max_rows": 5})
    path = tmp_path / "capped.html"
    path.write_text(out.getvalue(), encoding="utf-8")
    root = parse(path)
    assert len(rows(root)) == 5
    note = text_of(root.find(".//p[@id='capped']"))
    assert f"first 5 of {len(report.findings)} findings" in note


def test_control_characters_and_lone_surrogates_stay_well_formed(tmp_path: Path, check):
    role = "bad\x1b[31m\x00\ud800role"
    (tmp_path / "odd.jsonl").write_text(json.dumps({"messages": [{"role": role, "content": "x"}]}) + "\n")
    report = check("odd.jsonl", format="openai-chat")
    out = io.StringIO()
    REPORTERS["html"](report, out, {})
    path = tmp_path / "odd.html"
    path.write_bytes(out.getvalue().encode("utf-8"))  # no surrogate left to fail the encoding
    assert "bad\\u001b[31m\\u0000\\ud800role" in text_of(parse(path))


# ---------------------------------------------------------------------------- plots from any rule


def inject(report: ftlint.Report, plots: list) -> ftlint.Report:
    report.dataset_statistics["T101"] = {"records": 10, "plots": plots}
    return report


def render(report: ftlint.Report, tmp_path: Path) -> ET.Element:
    out = io.StringIO()
    REPORTERS["html"](report, out, {})
    path = tmp_path / "plots.html"
    path.write_text(out.getvalue(), encoding="utf-8")
    return parse(path)


HISTOGRAM = {"kind": "histogram", "title": "Tokens per record", "edges": [0, 100, 200, 300, 400],
             "counts": [5, 3, 0, 2], "limit": 250, "unit": "tokens"}


def test_histogram_draws_bins_and_the_limit(tmp_path: Path, check):
    write_jsonl(tmp_path / "t.jsonl", [chat_record(i) for i in range(55)])
    root = render(inject(check("t.jsonl"), [HISTOGRAM]), tmp_path)
    [image] = [s for s in root.iter("svg") if s.find("title").text == "Tokens per record"]
    bars = image.findall("rect[@class='bar']")
    assert len(bars) == 4
    heights = [float(b.get("height")) for b in bars]
    assert heights[2] == 0 and heights[0] > heights[1] > heights[3] > 0  # 5 > 3 > 2
    [limit] = image.findall("line[@class='limit']")
    x = float(limit.get("x1"))
    right_of_200 = float(bars[2].get("x"))
    left_of_300 = float(bars[3].get("x"))
    assert right_of_200 < x < left_of_300  # 250 falls in the 200-300 bin
    label = image.get("aria-label")
    assert "10 values" in label and "Limit 250 tokens: 2 values" in label


def test_bad_plot_entries_are_reported_not_fatal(tmp_path: Path, check):
    write_jsonl(tmp_path / "t.jsonl", [chat_record(i) for i in range(55)])
    bad = [{"kind": "histogram", "title": "broken", "edges": [0, 1], "counts": [1, 2]},
           {"kind": "pie", "title": "unknown"},
           {"kind": "bars", "title": "Classes <b>", "values": {"<i>yes</i>": 3, "no": 1.5}, "unit": "records"}]
    root = render(inject(check("t.jsonl"), bad), tmp_path)
    notes = [text_of(p) for p in root.iter("p") if p.get("class") == "note"]
    assert any("len(edges) == len(counts) + 1" in n for n in notes)
    assert any("unknown plot kind 'pie'" in n for n in notes)
    [image] = [s for s in root.iter("svg") if s.find("title").text == "Classes <b>"]
    assert len(image.findall("rect[@class='bar']")) == 2


def test_many_bars_show_the_largest():
    values = {f"class {i}": i for i in range(100)}
    markup = svg.render({"kind": "bars", "title": "t", "values": values, "unit": ""})
    assert markup.count('class="bar"') == svg.MAX_BARS
    assert "class 99" in markup and "class 0<" not in markup
    assert f"the {svg.MAX_BARS} largest of 100 shown" in markup


# ---------------------------------------------------------------------------- in a real browser


def _browser_or_skip():
    """Headless Chromium through Playwright. Missing pieces skip locally but fail under CI, so a
    CI run can never pass without having run the browser test."""
    problem = None
    executable = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
        problem = "Playwright for Python is not installed (pip install playwright; it is in the test extra)"
    if executable is None:
        problem = "no chromium executable (Debian: apt-get install chromium; .ci/run installs it)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {problem}")
        pytest.skip(problem)
    return sync_playwright, executable


@pytest.fixture
def browser():
    sync_playwright, executable = _browser_or_skip()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def open_page(browser, path: Path, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: problems.append(f"request {request.url}")
            if not request.url.startswith(("file:", "data:", "about:")) else None)
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, problems


def visible_rules(page) -> list[str]:
    return page.eval_on_selector_all("#findings-table tbody tr:not([hidden])", "rs => rs.map(r => r.dataset.rule)")


def test_browser_renders_filters_and_sorts(report_file: Path, browser, tmp_path, capsys):
    findings = json_report(tmp_path, capsys)["findings"]
    expected = Counter(f["code"] for f in findings)
    severities = Counter(f["severity"] for f in findings)
    page, problems = open_page(browser, report_file)
    # Plots and table are in the rendered DOM and take space on the page.
    plot = page.locator("#plots svg[role=img]", has_text="Exact duplicate record clusters by size")
    assert plot.count() == 1
    box = plot.first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 40
    assert page.locator("#findings-table tbody tr").count() == sum(expected.values())
    assert page.is_visible("#filters")  # the script showed the form
    assert page.text_content("#filter-status").strip() == f"Showing {sum(expected.values())} of {sum(expected.values())} findings."

    page.select_option("#filter-rule", "D101")
    assert visible_rules(page) == ["D101"] * expected["D101"]
    assert page.text_content("#filter-status").strip() == f"Showing {expected['D101']} of {sum(expected.values())} findings."
    page.select_option("#filter-file", "other.jsonl")  # D101 and other.jsonl: nothing left
    assert visible_rules(page) == []
    page.click("button[type=reset]")
    page.wait_for_function("document.querySelectorAll('#findings-table tbody tr[hidden]').length === 0")

    page.select_option("#filter-severity", "error")
    assert len(visible_rules(page)) == severities["error"]
    page.select_option("#filter-severity", "")

    page.focus("#filter-text")  # keyboard: type into the search field
    page.keyboard.type("placeholder")
    assert visible_rules(page) == ["Q102"]
    page.fill("#filter-text", "")

    page.click("#findings-table thead th:nth-child(2) button")  # Rule, ascending
    codes = visible_rules(page)
    assert codes == sorted(expected.elements()) and codes != [r.get("data-rule") for r in rows(parse(report_file))]
    assert page.get_attribute("#findings-table thead th:nth-child(2)", "aria-sort") == "ascending"
    page.click("#findings-table thead th:nth-child(2) button")
    assert visible_rules(page) == sorted(expected.elements(), reverse=True)
    assert page.get_attribute("#findings-table thead th:nth-child(2)", "aria-sort") == "descending"

    page.click("#summary a[data-filter=rule][data-value=S101]")  # a rule in the summary filters the table
    assert visible_rules(page) == ["S101"]
    assert page.input_value("#filter-rule") == "S101"
    page.click("#summary a[data-filter=file][data-value='other.jsonl']")
    assert sorted(visible_rules(page)) == sorted(f["code"] for f in findings if f["path"] == "other.jsonl")
    assert page.input_value("#filter-rule") == ""
    assert problems == []


def test_browser_without_javascript_shows_the_plain_table(report_file: Path, browser):
    page, problems = open_page(browser, report_file, javascript=False)
    assert not page.is_visible("#filters")
    rows_shown = page.locator("#findings-table tbody tr")
    assert rows_shown.count() > 0 and all(rows_shown.nth(i).is_visible() for i in range(rows_shown.count()))
    assert page.locator("#plots svg").count() >= 1
    assert problems == []


def test_report_with_a_baseline_counts_what_it_hides(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    paths = fixture_dataset(tmp_path)
    assert main(["baseline", *paths, "--no-cache", "--baseline", "known.json"]) == 0
    baseline = json.loads((tmp_path / "known.json").read_text())
    known = sum(entry["count"] for entries in baseline["files"].values() for entry in entries.values())
    assert main(["report", *paths, "--no-cache", "--baseline", "known.json", "-o", "r.html"]) == 0
    root = parse(tmp_path / "r.html")
    numbers = {div.find("dt").text: div.find("dd").text for div in root.findall(".//section[@id='summary']/dl/div")}
    assert numbers["Findings"] == "0" and numbers["Baselined (not shown)"] == f"{known:,}"
    assert "Passed" in text_of(root.find(".//p[@class='verdict passed']"))
    assert root.find(".//table[@id='findings-table']") is None
    assert "No findings" in text_of(root.find(".//section[@id='findings']"))


def test_per_file_sections_fold_when_there_are_many_files(tmp_path: Path, check):
    from ftlint.reporters.html import FILES_OPEN

    names = [f"part-{i}.jsonl" for i in range(FILES_OPEN + 1)]
    for i, name in enumerate(names):
        write_jsonl(tmp_path / name, [chat_record(100 * i + j) for j in range(12)])
    for files, opened in ((names[:FILES_OPEN], True), (names, False)):
        report = check(files)
        for result in report.files:  # every file has statistics with a plot, whatever the rule set
            result.statistics["T103"] = {"records": 12, "plots": [HISTOGRAM]}
        root = render(report, tmp_path)
        folds = [d for d in root.iter("details") if d.get("class") == "file"]
        # Each file folds its plots and, separately, its statistics.
        assert sorted(text_of(d.find("summary")) for d in folds) == sorted(f"File {name}" for name in files * 2)
        assert all((d.get("open") is not None) == opened for d in folds)
