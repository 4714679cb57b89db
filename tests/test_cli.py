"""End-to-end tests of the `ftlint` command, run as a real subprocess.

Each test checks what a user sees: standard output, standard error and the exit code
(0 clean, 1 findings at or above fail-on, 2 usage/config/unreadable input).
"""
from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ftlint.formats import FORMATS
from ftlint.rulepack import load_rules

from _records import WORDS, chat_record, clean_file, warning_file, write_jsonl

RULES = load_rules()
FTLINT_SCRIPT = Path(sys.executable).parent / ("ftlint.exe" if os.name == "nt" else "ftlint")


SUMMARY = re.compile(r"^Checked \d+ records? in \d+ files?: .+$")
FINDING = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<code>[A-Z]\d{3})( \[\w+\])? .+$")


def error_file(path: Path) -> Path:
    """60 records: line 3 has an unknown role (S101), every other record an unknown key (S102)."""
    records = [chat_record(i, id=i) for i in range(60)]
    records[2] = {"messages": [{"role": "user", "content": "Hi there"}, {"role": "bot", "content": "Hello!"}]}
    return write_jsonl(path, records)


def ftlint(*args: str, cwd: Path, script: bool = False) -> subprocess.CompletedProcess:
    command = [str(FTLINT_SCRIPT)] if script else [sys.executable, "-m", "ftlint"]
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    result = subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
    return result


def lines(text: str) -> list[str]:
    return text.splitlines()


def findings(stdout: str) -> list[dict]:
    return [m.groupdict() for m in map(FINDING.match, lines(stdout)) if m]


# --------------------------------------------------------------------------- check: exit codes and text


def test_clean_file_exits_zero_with_summary(tmp_path):
    clean_file(tmp_path / "clean.jsonl")
    result = ftlint("check", "clean.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert lines(result.stdout) == [
        "clean.jsonl: openai-chat (keys messages, last turn assistant in 50 of 50 records sampled), 60 records",
        "Checked 60 records in 1 file: all checks passed.",
    ]
    assert result.stderr == ""


def test_console_script_is_installed_and_works(tmp_path):
    clean_file(tmp_path / "clean.jsonl")
    result = ftlint("check", "clean.jsonl", cwd=tmp_path, script=True)
    assert result.returncode == 0
    assert lines(result.stdout)[-1] == "Checked 60 records in 1 file: all checks passed."
    version = ftlint("--version", cwd=tmp_path, script=True)
    assert version.returncode == 0 and re.fullmatch(r"ftlint \d+\.\d+\S*\n", version.stdout)


def test_errors_exit_one_with_located_lines(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    result = ftlint("check", "bad.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    out = lines(result.stdout)
    s101 = [line for line in out if " S101 " in line]
    assert len(s101) == 1
    assert re.fullmatch(r'bad\.jsonl:3: S101 "?bot"? is not one of .+ \(messages\[1\]\.role\)', s101[0]), s101
    s102 = [line for line in out if " S102 " in line]
    assert len(s102) == 59
    assert s102[0] == ("bad.jsonl:1: S102 [warning] unknown key 'id' for openai-chat "
                       "(known: functions, messages, parallel_tool_calls, tools) (id)")
    assert [int(f["line"]) for f in findings(result.stdout)] == sorted(int(f["line"]) for f in findings(result.stdout))
    assert out[-1] == "Checked 60 records in 1 file: 1 error, 59 warnings (failed, fail-on = error)."


def test_exit_zero(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    result = ftlint("check", "bad.jsonl", "--exit-zero", cwd=tmp_path)
    assert result.returncode == 0
    assert any(" S101 " in line for line in lines(result.stdout))
    assert "(failed, fail-on = error)" in lines(result.stdout)[-1]


def test_warnings_only_pass_with_default_fail_on(tmp_path):
    warning_file(tmp_path / "w.jsonl")
    result = ftlint("check", "w.jsonl", cwd=tmp_path)
    assert result.returncode == 0
    assert len([f for f in findings(result.stdout) if f["code"] == "S102"]) == 60
    assert lines(result.stdout)[-1] == "Checked 60 records in 1 file: 60 warnings (passed, fail-on = error)."


def test_fail_on_warning_fails_on_warnings(tmp_path):
    warning_file(tmp_path / "w.jsonl")
    result = ftlint("check", "w.jsonl", "--fail-on", "warning", cwd=tmp_path)
    assert result.returncode == 1
    assert lines(result.stdout)[-1] == "Checked 60 records in 1 file: 60 warnings (failed, fail-on = warning)."


def test_fail_on_from_config_and_command_line_override(tmp_path):
    warning_file(tmp_path / "w.jsonl")
    (tmp_path / "ftlint.toml").write_text('fail-on = "warning"\n')
    assert ftlint("check", "w.jsonl", cwd=tmp_path).returncode == 1
    assert ftlint("check", "w.jsonl", "--fail-on", "error", cwd=tmp_path).returncode == 0


def test_fail_on_info_ignores_nothing(tmp_path):
    clean_file(tmp_path / "small.jsonl", n=20)  # one S211 warning, downgraded to info below
    (tmp_path / "ftlint.toml").write_text('[rules.S211]\nseverity = "info"\n')
    result = ftlint("check", "small.jsonl", cwd=tmp_path)
    assert result.returncode == 0
    assert "small.jsonl: S211 [info] only 20 valid records" in result.stdout
    assert ftlint("check", "small.jsonl", "--fail-on", "info", cwd=tmp_path).returncode == 1


def test_select(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    result = ftlint("check", "bad.jsonl", "--select", "S102", cwd=tmp_path)
    assert result.returncode == 0
    assert {f["code"] for f in findings(result.stdout)} == {"S102"}
    result = ftlint("check", "bad.jsonl", "--select", "S101,Q", cwd=tmp_path)
    assert result.returncode == 1
    assert {f["code"] for f in findings(result.stdout)} == {"S101"}


def test_ignore(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    result = ftlint("check", "bad.jsonl", "--ignore", "S101", cwd=tmp_path)
    assert result.returncode == 0
    assert {f["code"] for f in findings(result.stdout)} == {"S102"}
    result = ftlint("check", "bad.jsonl", "--ignore", "S1", cwd=tmp_path)
    assert result.returncode == 0
    assert findings(result.stdout) == []
    assert lines(result.stdout)[-1].endswith("all checks passed.")


def test_extend_select_and_ignore_combine_with_config(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    (tmp_path / "ftlint.toml").write_text('select = ["S2"]\n')
    assert findings(ftlint("check", "bad.jsonl", cwd=tmp_path).stdout) == []
    result = ftlint("check", "bad.jsonl", "--extend-select", "S101", cwd=tmp_path)
    assert {f["code"] for f in findings(result.stdout)} == {"S101"} and result.returncode == 1


def test_unknown_selector_on_the_command_line(tmp_path):
    clean_file(tmp_path / "clean.jsonl", n=1)
    result = ftlint("check", "clean.jsonl", "--select", "S9", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "ftlint: error: command line: select: unknown rule selector 'S9' (see `ftlint rules`)\n"
    assert result.stdout == ""


def test_format_option_skips_detection(tmp_path):
    clean_file(tmp_path / "chat.jsonl")
    result = ftlint("check", "chat.jsonl", "--format", "alpaca", cwd=tmp_path)
    assert result.returncode == 1
    out = lines(result.stdout)
    assert out[0] == "chat.jsonl: alpaca (set by configuration or --format), 60 records"
    assert {f["code"] for f in findings(result.stdout)} <= {"S012", "S101"}
    assert len(findings(result.stdout)) >= 60
    result = ftlint("check", "chat.jsonl", "--format", "openai-chat", cwd=tmp_path)
    assert result.returncode == 0
    assert lines(result.stdout)[0] == "chat.jsonl: openai-chat (set by configuration or --format), 60 records"


def test_format_option_resolves_undetectable_files(tmp_path):
    write_jsonl(tmp_path / "odd.jsonl", [{"question": w, "answer": w.upper()} for w in WORDS[:60]])
    result = ftlint("check", "odd.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    assert [f["code"] for f in findings(result.stdout)] == ["S010"]
    assert lines(result.stdout)[0].startswith("odd.jsonl: unknown format (")


def test_unknown_format_value_exits_two(tmp_path):
    clean_file(tmp_path / "clean.jsonl", n=1)
    result = ftlint("check", "clean.jsonl", "--format", "openai", cwd=tmp_path)
    assert result.returncode == 2
    assert "ftlint: error: argument --format: unknown format 'openai'" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [["check", "--fail-on", "fatal", "x.jsonl"], ["check", "--bogus"],
                                  ["check", "--output-format", "xml", "x.jsonl"], ["rules", "--output-format", "xml"]])
def test_usage_errors_exit_two(tmp_path, args):
    result = ftlint(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "ftlint: error:" in result.stderr
    assert result.stdout == ""


# --------------------------------------------------------------------------- statistics, quiet, json, -o


def test_statistics_counts_per_rule(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    result = ftlint("check", "bad.jsonl", "--statistics", cwd=tmp_path)
    assert result.returncode == 1
    out = lines(result.stdout)
    stats = [line for line in out if re.fullmatch(r"\s*\d+\s+[A-Z]\d{3}\s+\S+", line)]
    assert stats == ["     59  S102  unknown-key", "      1  S101  schema-violation"]
    # counts per rule, then the dataset statistics of dataset-level rules, then the summary
    dataset = [line for line in out if line.startswith("dataset: ")]
    # 59: the record that fails its schema is not compared
    assert any(line.startswith("dataset: D101 records = 59, duplicates = 0") for line in dataset), dataset
    assert out.index(stats[-1]) < out.index(dataset[0]) and out.index(dataset[-1]) == len(out) - 2
    assert SUMMARY.match(out[-1])


def test_statistics_absent_without_flag(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    out = lines(ftlint("check", "bad.jsonl", cwd=tmp_path).stdout)
    assert not any(re.fullmatch(r"\s*\d+\s+[A-Z]\d{3}\s+\S+", line) for line in out)


def test_quiet_prints_findings_only(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    result = ftlint("check", "bad.jsonl", "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    out = lines(result.stdout)
    assert len(out) == 60
    assert all(FINDING.match(line) for line in out)
    clean_file(tmp_path / "clean.jsonl")
    result = ftlint("check", "clean.jsonl", "-q", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == ""


def test_quiet_with_statistics(tmp_path):
    warning_file(tmp_path / "w.jsonl", n=60)
    out = lines(ftlint("check", "w.jsonl", "-q", "--statistics", cwd=tmp_path).stdout)
    assert "     60  S102  unknown-key" in out
    assert out[-1].startswith("dataset: ")  # dataset statistics close the output; no summary line
    assert not any(SUMMARY.match(line) for line in out)


def test_json_output(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    clean_file(tmp_path / "clean.jsonl")
    result = ftlint("check", "bad.jsonl", "clean.jsonl", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert set(report) == {"version", "tool", "summary", "files", "findings", "statistics", "stale_baseline_entries",
                           "dataset_statistics"}
    # 119 records compared: the one that fails its schema is not
    assert report["dataset_statistics"]["D101"] == {"records": 119, "duplicates": 0, "rate": 0.0}
    assert report["version"] == 1
    assert report["tool"]["name"] == "ftlint" and report["tool"]["version"]
    assert report["summary"] == {"files": 2, "records": 120, "findings": 60, "errors": 1, "warnings": 59,
                                 "infos": 0, "fail_on": "error", "ok": False, "baselined": 0}
    reason = "keys messages, last turn assistant in 50 of 50 records sampled"
    assert [{k: v for k, v in f.items() if k != "statistics"} for f in report["files"]] == [
        {"path": "bad.jsonl", "format": "openai-chat", "records": 60, "format_reason": reason},
        {"path": "clean.jsonl", "format": "openai-chat", "records": 60, "format_reason": reason},
    ]
    # Per-file statistics of dataset-level rules: token lengths (T103), PII rate (P301)...
    clean_stats = report["files"][1]["statistics"]
    assert clean_stats["T103"]["records"] == 60 and clean_stats["P301"]["records_with_pii"] == 0
    assert report["statistics"] == {"S102": 59, "S101": 1}
    for finding in report["findings"]:
        assert set(finding) == {"code", "rule", "severity", "message", "path", "line", "column", "field", "related", "fingerprint"}
    [s101] = [f for f in report["findings"] if f["code"] == "S101"]
    assert s101["rule"] == "schema-violation" and s101["severity"] == "error"
    assert (s101["path"], s101["line"], s101["field"], s101["related"]) == ("bad.jsonl", 3, "messages[1].role", [])
    assert "bot" in s101["message"]
    assert {f["severity"] for f in report["findings"] if f["code"] == "S102"} == {"warning"}


def test_json_output_for_a_clean_file_and_a_file_level_finding(tmp_path):
    clean_file(tmp_path / "small.jsonl", n=3)
    report = json.loads(ftlint("check", "small.jsonl", "--output-format", "json", cwd=tmp_path).stdout)
    [finding] = report["findings"]
    assert (finding["code"], finding["line"], finding["column"], finding["field"]) == ("S211", None, None, None)
    clean_file(tmp_path / "clean.jsonl")
    result = ftlint("check", "clean.jsonl", "--output-format", "json", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert result.returncode == 0
    assert report["summary"]["ok"] is True and report["findings"] == [] and report["statistics"] == {}


def test_json_output_with_column(tmp_path):
    (tmp_path / "broken.jsonl").write_text('{"text": "fine"}\n{"text": oops}\n')
    report = json.loads(ftlint("check", "broken.jsonl", "--output-format", "json", cwd=tmp_path).stdout)
    [s001] = [f for f in report["findings"] if f["code"] == "S001"]
    assert s001["line"] == 2 and isinstance(s001["column"], int) and s001["column"] >= 1


def test_output_file(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    result = ftlint("check", "bad.jsonl", "-o", "report.txt", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    text = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert "bad.jsonl:3: S101 " in text
    assert lines(text)[-1] == "Checked 60 records in 1 file: 1 error, 59 warnings (failed, fail-on = error)."
    assert "\033[" not in text


def test_output_file_json(tmp_path):
    warning_file(tmp_path / "w.jsonl")
    (tmp_path / "out").mkdir()
    result = ftlint("check", "w.jsonl", "--output-format", "json", "--output-file", "out/r.json", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == ""
    report = json.loads((tmp_path / "out" / "r.json").read_text(encoding="utf-8"))
    assert report["summary"]["warnings"] == 60 and report["summary"]["ok"] is True


def test_unwritable_output_file_exits_two(tmp_path):
    clean_file(tmp_path / "clean.jsonl", n=1)
    result = ftlint("check", "clean.jsonl", "-o", "missing-dir/report.txt", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("ftlint: error: missing-dir/report.txt: cannot write the report")


def test_concise_output_format_is_accepted(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    result = ftlint("check", "bad.jsonl", "--output-format", "concise", cwd=tmp_path)
    assert result.returncode == 1
    assert "bad.jsonl:3: S101 " in result.stdout


def test_force_color(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    result = subprocess.run([sys.executable, "-m", "ftlint", "check", "bad.jsonl"], cwd=tmp_path,
                            capture_output=True, text=True, env=env)
    assert "\033[31m" in result.stdout
    plain = ftlint("check", "bad.jsonl", cwd=tmp_path)
    assert "\033[" not in plain.stdout  # NO_COLOR, and not a terminal anyway


# --------------------------------------------------------------------------- configuration errors


@pytest.mark.parametrize(("toml", "named"), [
    ('bogus = 1\n', "'bogus'"),
    ('[rules.S211]\nmin-recs = 3\n', "rules.S211.min-recs"),
    ('[rules.S211]\nmin-records = "3"\n', "rules.S211.min-records"),
    ('[rules.X999]\nseverity = "info"\n', "rules.X999"),
    ('select = ["S9"]\n', "select"),
    ('format = "nope"\n', "unknown format 'nope'"),
    ('[rules.S102]\nseverity = "loud"\n', "rules.S102.severity"),
    ('format = ["alpaca", "alpacas"]\n', "unknown format"),
    ('rules = 1\n', "rules"),
    ('select = [\n', "invalid TOML"),
])
def test_config_error_exits_two_naming_the_key(tmp_path, toml, named):
    clean_file(tmp_path / "clean.jsonl", n=1)
    (tmp_path / "ftlint.toml").write_text(toml)
    result = ftlint("check", "clean.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    [message] = lines(result.stderr)
    assert message.startswith(f"ftlint: error: {(tmp_path / 'ftlint.toml').resolve()}")
    assert named in message


def test_config_error_in_pyproject_found_from_a_subdirectory(tmp_path):
    clean_file(tmp_path / "data" / "clean.jsonl", n=1)
    (tmp_path / "pyproject.toml").write_text('[tool.ftlint]\nextend-ignore = ["S102"]\n')
    result = ftlint("check", "clean.jsonl", cwd=tmp_path / "data")
    assert result.returncode == 2
    assert "pyproject.toml [tool.ftlint]: unknown key 'extend-ignore'" in result.stderr


def test_missing_config_file_exits_two(tmp_path):
    clean_file(tmp_path / "clean.jsonl", n=1)
    result = ftlint("check", "clean.jsonl", "--config", "nope.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "ftlint: error: nope.toml: config file not found\n"


def test_explicit_config_is_used(tmp_path):
    warning_file(tmp_path / "w.jsonl")
    (tmp_path / "ftlint.toml").write_text('ignore = ["S102"]\n')
    (tmp_path / "strict.toml").write_text('fail-on = "warning"\n')
    assert ftlint("check", "w.jsonl", cwd=tmp_path).stdout.count(" S102 ") == 0
    result = ftlint("check", "w.jsonl", "--config", "strict.toml", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout.count(" S102 ") == 60


def test_paths_from_config_are_relative_to_the_config_file(tmp_path):
    warning_file(tmp_path / "data" / "w.jsonl")
    (tmp_path / "other").mkdir()
    (tmp_path / "ftlint.toml").write_text('paths = ["data"]\nfail-on = "warning"\n')
    result = ftlint("check", cwd=tmp_path / "other")
    assert result.returncode == 1
    assert lines(result.stdout)[-1] == "Checked 60 records in 1 file: 60 warnings (failed, fail-on = warning)."


# --------------------------------------------------------------------------- inputs: missing, directories, globs


def test_missing_file_exits_two_with_s000(tmp_path):
    clean_file(tmp_path / "clean.jsonl")
    result = ftlint("check", "clean.jsonl", "missing.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert re.search(r"^missing\.jsonl: S000 .*(No such file|not found)", result.stdout, re.M | re.I)
    assert lines(result.stdout)[-1] == "Checked 60 records in 2 files: 1 error (failed, fail-on = error)."


def test_missing_file_exits_two_even_with_exit_zero(tmp_path):
    result = ftlint("check", "missing.jsonl", "--exit-zero", cwd=tmp_path)
    assert result.returncode == 2
    assert "missing.jsonl: S000 " in result.stdout


def make_tree(root: Path) -> None:
    data = root / "data"
    clean_file(data / "a.jsonl")
    clean_file(data / "sub" / "deeper" / "b.jsonl")
    data_c = data / "sub" / "c.jsonl.gz"
    data_c.write_bytes(gzip.compress("".join(json.dumps(chat_record(i)) + "\n" for i in range(60)).encode()))
    (data / "d.json").write_text(json.dumps([chat_record(i) for i in range(60)]), encoding="utf-8")
    (data / "dataset_info.json").write_text('{"my_data": {"file_name": "a.jsonl"}}')
    (data / "notes.txt").write_text("not a dataset\n")
    (data / "README.md").write_text("# data\n")
    clean_file(data / ".venv" / "lib" / "x.jsonl", n=1)
    clean_file(data / "node_modules" / "y.jsonl", n=1)


def checked_files(stdout: str) -> list[str]:
    return [json.loads(stdout)["files"][i]["path"] for i in range(len(json.loads(stdout)["files"]))]


def test_directory_argument_is_searched_recursively(tmp_path):
    make_tree(tmp_path)
    result = ftlint("check", "data", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    paths = [Path(p).as_posix() for p in checked_files(result.stdout)]
    assert paths == ["data/a.jsonl", "data/d.json", "data/sub/c.jsonl.gz", "data/sub/deeper/b.jsonl"]
    report = json.loads(result.stdout)
    assert {f["format"] for f in report["files"]} == {"openai-chat"}
    assert report["summary"]["records"] == 240


def test_default_path_is_the_current_directory(tmp_path):
    make_tree(tmp_path)
    result = ftlint("check", cwd=tmp_path / "data")
    assert result.returncode == 0
    assert lines(result.stdout)[-1] == "Checked 240 records in 4 files: all checks passed."
    assert ftlint(cwd=tmp_path / "data").stdout == result.stdout


def test_extend_exclude_from_config(tmp_path):
    make_tree(tmp_path)
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["deeper", "*.gz"]\n')
    result = ftlint("check", "data", "--output-format", "json", cwd=tmp_path)
    assert [Path(p).as_posix() for p in checked_files(result.stdout)] == ["data/a.jsonl", "data/d.json"]


def test_glob_argument(tmp_path):
    make_tree(tmp_path)
    result = ftlint("check", "data/*.jsonl", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 0
    assert [Path(p).as_posix() for p in checked_files(result.stdout)] == ["data/a.jsonl"]
    result = ftlint("check", "data/**/*.jsonl", "--output-format", "json", cwd=tmp_path)
    assert [Path(p).as_posix() for p in checked_files(result.stdout)] == ["data/a.jsonl", "data/sub/deeper/b.jsonl"]


def test_glob_matching_a_directory_searches_it(tmp_path):
    make_tree(tmp_path)
    result = ftlint("check", "data/su*", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 0
    assert [Path(p).as_posix() for p in checked_files(result.stdout)] == [
        "data/sub/c.jsonl.gz", "data/sub/deeper/b.jsonl"]


def test_glob_matching_nothing_exits_two(tmp_path):
    make_tree(tmp_path)
    result = ftlint("check", "data/*.parquet", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "ftlint: error: data/*.parquet: no file matches this pattern\n"
    assert result.stdout == ""


def test_explicit_json_file_and_gzip(tmp_path):
    make_tree(tmp_path)
    result = ftlint("check", "data/d.json", "data/sub/c.jsonl.gz", cwd=tmp_path)
    assert result.returncode == 0
    out = lines(result.stdout)
    assert out[0].startswith("data/d.json: openai-chat (") and out[0].endswith(", 60 records")
    assert out[1].startswith("data/sub/c.jsonl.gz: openai-chat (")
    assert out[-1] == "Checked 120 records in 2 files: all checks passed."


def test_same_file_twice_is_checked_once(tmp_path):
    clean_file(tmp_path / "clean.jsonl")
    result = ftlint("check", "clean.jsonl", "./clean.jsonl", ".", cwd=tmp_path)
    assert lines(result.stdout)[-1] == "Checked 60 records in 1 file: all checks passed."


def test_without_check_subcommand(tmp_path):
    error_file(tmp_path / "bad.jsonl")
    implicit = ftlint("bad.jsonl", "--statistics", cwd=tmp_path)
    explicit = ftlint("check", "bad.jsonl", "--statistics", cwd=tmp_path)
    assert implicit.returncode == explicit.returncode == 1
    assert implicit.stdout == explicit.stdout
    assert ftlint("--select", "S102", "bad.jsonl", cwd=tmp_path).returncode == 0


# --------------------------------------------------------------------------- broken inputs


BROKEN = [
    pytest.param(b'{"text": "one"}\n{"text": "two",}\n', "S001", 2, id="invalid-json"),
    pytest.param(b'\xef\xbb\xbf{"text": "one"}\n{"text": "two"}\n', "S003", 1, id="bom"),
    pytest.param(b"", "S004", None, id="empty-file"),
    pytest.param(b'{"text": "one"}\n{"text": "caf\xe9"}\n', "S002", 2, id="invalid-utf8"),
    pytest.param(b'{"text": "one"}\n["text", "two"]\n', "S006", 2, id="array-line"),
    pytest.param(b'{"text": "one"}\n"just a string"\n', "S006", 2, id="string-line"),
    pytest.param(b'{"text": "one"}\n{"text": "two", "score": NaN}\n', "S008", 2, id="nan"),
    pytest.param(b'{"text": "one"}\n{"text": "two", "score": -Infinity}\n', "S008", 2, id="infinity"),
    pytest.param(b'{"text": "one"}\n\n{"text": "two"}\n', "S005", 2, id="blank-line"),
    pytest.param(b'{"text": "one", "text": "two"}\n', "S009", 1, id="duplicate-key"),
    pytest.param(b'{"text": "one"', "S001", 1, id="truncated-last-line"),
]


@pytest.mark.parametrize(("content", "code", "line"), BROKEN)
def test_broken_inputs_give_located_findings(tmp_path, content, code, line):
    (tmp_path / "broken.jsonl").write_bytes(content)
    result = ftlint("check", "broken.jsonl", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == ""
    located = [f for f in findings(result.stdout) if f["code"] == code]
    if line is None:
        assert re.search(rf"^broken\.jsonl(:1)?: {code} ", result.stdout, re.M), result.stdout
    else:
        assert located, result.stdout
        assert {int(f["line"]) for f in located} == {line}
        assert all(f["path"] == "broken.jsonl" for f in located)
    assert SUMMARY.match(lines(result.stdout)[-1])


@pytest.mark.parametrize(("name", "content"), [
    ("truncated.jsonl.gz", gzip.compress(b'{"text": "one"}\n' * 50)[:-12]),
    ("garbage.jsonl.gz", b"this is not gzip"),
])
def test_unreadable_compressed_input_exits_two(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    result = ftlint("check", name, cwd=tmp_path)
    assert result.returncode == 2
    assert re.search(rf"^{re.escape(name)}: S000 ", result.stdout, re.M)
    assert result.stderr == ""


@pytest.mark.parametrize("content", [
    b"\x00\x01\x02\xff\xfe" * 100,
    b"[1, 2, 3]",
    b'[{"text": "a"}, 42]',
    b"{" * 5000,
    b'{"a": ' * 3000 + b"1" + b"}" * 3000 + b"\n",
])
def test_garbage_never_crashes(tmp_path, content):
    for name in ("junk.jsonl", "junk.json"):
        (tmp_path / name).write_bytes(content)
        result = ftlint("check", name, cwd=tmp_path)
        assert result.returncode in (1, 2), result.stdout
        assert result.stderr == ""
        assert findings(result.stdout) or re.search(rf"^{name}: [A-Z]\d{{3}} ", result.stdout, re.M)


# --------------------------------------------------------------------------- rule, rules, formats


def test_rule_by_code_prints_doc_with_examples(tmp_path):
    result = ftlint("rule", "S101", cwd=tmp_path)
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("S101 (schema-violation)\n")
    assert RULES["S101"].summary in out
    assert "\nBad\n---\n" in out and "\nGood\n----\n" in out
    assert out.index("\nBad\n") < out.index("\nGood\n")
    assert RULES["S101"].bad.strip() in out and RULES["S101"].good.strip() in out


def test_rule_by_name_and_lowercase_code(tmp_path):
    by_name = ftlint("rule", "unknown-key", cwd=tmp_path)
    assert by_name.returncode == 0
    assert by_name.stdout.startswith("S102 (unknown-key)\n")
    assert "allow = []" in by_name.stdout  # options are documented
    assert ftlint("rule", "s102", cwd=tmp_path).stdout == by_name.stdout


def test_rule_all(tmp_path):
    result = ftlint("rule", "--all", cwd=tmp_path)
    assert result.returncode == 0
    for code, meta in RULES.items():
        assert f"{code} ({meta.name})\n" in result.stdout


@pytest.mark.parametrize("args", [["rule", "X999"], ["rule", "no-such-rule"], ["rule"]])
def test_rule_unknown_exits_two(tmp_path, args):
    result = ftlint(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("ftlint: error: ")
    if len(args) > 1:
        assert args[1] in result.stderr
    assert result.stdout == ""


def test_rules_lists_every_code(tmp_path):
    result = ftlint("rules", cwd=tmp_path)
    assert result.returncode == 0
    out = lines(result.stdout)
    assert [line.split()[0] for line in out] == list(RULES)
    for line, meta in zip(out, RULES.values()):
        assert line.split()[1] == meta.name
        assert str(meta.severity) in line and meta.summary in line


def test_rules_json(tmp_path):
    result = ftlint("rules", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 0
    rules = json.loads(result.stdout)
    assert [r["code"] for r in rules] == list(RULES)
    for entry in rules:
        meta = RULES[entry["code"]]
        assert set(entry) == {"code", "name", "family", "severity", "default", "summary", "options"}
        assert (entry["name"], entry["severity"], entry["options"]) == (meta.name, str(meta.severity), meta.options)
        assert entry["family"] in {"structure", "quality", "duplicates", "leakage", "tokens", "privacy", "balance"}


def test_formats_lists_all_fourteen(tmp_path):
    result = ftlint("formats", cwd=tmp_path)
    assert result.returncode == 0
    names = [line.split()[0] for line in lines(result.stdout) if line and not line[0].isspace()]
    assert names == list(FORMATS)
    assert len(names) == 14
    assert {"openai-chat", "openai-dpo", "sharegpt", "alpaca", "trl-stepwise", "chat-kto"} <= set(names)
    assert "keys: messages" in result.stdout


def test_help_and_version(tmp_path):
    help_ = ftlint("--help", cwd=tmp_path)
    assert help_.returncode == 0
    for command in ("check", "rule", "rules", "formats"):
        assert command in help_.stdout
    assert ftlint("check", "--help", cwd=tmp_path).returncode == 0


def test_split_context_checks_a_changed_file_against_the_rest_of_its_split(tmp_path):
    """What the pre-commit hooks do: only train_a.jsonl changed, but its duplicate lives in
    train_b.jsonl; the other file's own problems are not reported."""
    (tmp_path / "ftlint.toml").write_text('[splits]\ntrain = ["data/train_*.jsonl"]\n')
    shared = chat_record(999)
    write_jsonl(tmp_path / "data" / "train_a.jsonl", [chat_record(i) for i in range(60)] + [shared])
    empty = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}]}
    write_jsonl(tmp_path / "data" / "train_b.jsonl", [shared] + [chat_record(i) for i in range(100, 160)] + [empty])
    alone = ftlint("check", "data/train_a.jsonl", "-q", cwd=tmp_path)
    assert alone.returncode == 0 and alone.stdout == ""
    together = ftlint("check", "data/train_a.jsonl", "-q", "--split-context", cwd=tmp_path)
    assert together.returncode == 1
    lines = together.stdout.splitlines()
    assert any("train_b.jsonl:1: D101" in line and "train_a.jsonl:61" in line for line in lines), lines
    assert not any("Q101" in line for line in lines)  # train_b's own empty answer is not this commit's
