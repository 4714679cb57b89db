"""The pytest plugin (`pytest --ftlint`), exercised through real pytest sessions with `pytester`.

Every session runs in a subprocess: the plugin is loaded through its `pytest11` entry point, as a
user's pytest loads it, and nothing the inner session imports or caches leaks into this one.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from _records import chat_record
from ftlint.rulepack import FAMILIES, load_rules

pytest_plugins = ["pytester"]

# One item per family with a rule enabled by default, in rule-pack order (structure, quality, ...).
DEFAULT_FAMILIES = [family for family in FAMILIES.values()
                    if any(meta.family == family and meta.default_enabled for meta in load_rules().values())]
N = len(DEFAULT_FAMILIES)

ORDINARY_TEST = "def test_ordinary():\n    assert 1 + 1 == 2\n"
CACHE_FILE = Path(".pytest_cache", "v", "ftlint", "v1", "passed")


def chat(i: int) -> dict[str, Any]:
    """A valid openai-chat record whose texts differ from every other record's; every third one
    has a system turn, every third one two exchanges."""
    messages = list(chat_record(i)["messages"])
    if i % 3 == 0:
        messages.insert(0, {"role": "system", "content": f"You are a patient tutor (session {i})."})
    if i % 3 == 2:
        messages += chat_record(10_000 + i)["messages"]
    return {"messages": messages}


def clean(count: int = 60, start: int = 0) -> list[Any]:
    return [chat(i) for i in range(start, start + count)]


def items(path: str = "data/train.jsonl", suffix: str = "") -> list[str]:
    """The node ids of a file's items, as fnmatch lines (`suffix` e.g. " PASSED*")."""
    return [f"{path}::{family}{suffix}" for family in DEFAULT_FAMILIES]


def empty_user(i: int) -> dict[str, Any]:
    """Q101 (empty content) at messages[0].content."""
    return {"messages": [{"role": "user", "content": "   "}, {"role": "assistant", "content": f"Answer {i}."}]}


NOT_A_LIST = {"messages": "nope"}  # S101 (schema violation) at field `messages`


def write_dataset(pytester: pytest.Pytester, records: list[Any], name: str = "data/train.jsonl") -> Path:
    path = pytester.path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def configure(pytester: pytest.Pytester, extra: str = "", paths: str = '["data"]') -> None:
    """Write pyproject.toml with a [tool.ftlint] table; `extra` is more TOML for that table."""
    text = f"[tool.ftlint]\npaths = {paths}\n{extra}\n" if paths else f"[tool.ftlint]\n{extra}\n"
    pytester.makepyprojecttoml(text)


def session(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """A pytest session in a subprocess, in pytester's directory."""
    return pytester.runpytest_subprocess(*args)


def out(result: pytest.RunResult) -> str:
    return result.stdout.str() + "\n" + result.stderr.str()


def cache_entries(pytester: pytest.Pytester) -> dict[str, str]:
    path = pytester.path / CACHE_FILE
    return json.loads(path.read_text()) if path.exists() else {}


REUSED = re.compile(r"^ftlint: (\d+) items? passed before on unchanged files", re.MULTILINE)


def reused(result: pytest.RunResult) -> int:
    """How many items the terminal summary says were taken from the cache (0 without the line)."""
    match = REUSED.search(result.stdout.str())
    return int(match.group(1)) if match else 0


@pytest.fixture(autouse=True)
def _entry_point_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """The inner sessions must load the plugin through its entry point, even where CI disables autoload."""
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)


# --------------------------------------------------------------------------- collection


def test_plugin_is_off_without_the_option(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, [NOT_A_LIST, *clean()])  # would fail if it were linted
    configure(pytester)
    pytester.makepyfile(test_ordinary=ORDINARY_TEST)
    result = session(pytester, "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_ordinary.py::test_ordinary PASSED*"])
    assert "train.jsonl" not in out(result)
    collected = session(pytester, "--collect-only", "-q")
    assert "train.jsonl" not in out(collected)
    assert not cache_entries(pytester)


def test_clean_dataset_passes_with_one_item_per_family(pytester: pytest.Pytester) -> None:
    assert DEFAULT_FAMILIES[:2] == ["structure", "quality"]
    write_dataset(pytester, clean())
    configure(pytester)
    pytester.makepyfile(test_ordinary=ORDINARY_TEST)
    result = session(pytester, "--ftlint", "-v")
    result.assert_outcomes(passed=N + 1)
    result.stdout.fnmatch_lines(["*test_ordinary.py::test_ordinary PASSED*", *items(suffix=" PASSED*")])
    assert result.ret == pytest.ExitCode.OK


def test_collect_only_counts_the_dataset_items(pytester: pytest.Pytester) -> None:
    """The items go through pytest's own collection: counted, listed, and no 'no tests collected'."""
    write_dataset(pytester, clean())
    write_dataset(pytester, clean(55, start=100), name="data/valid.jsonl")
    configure(pytester)
    result = session(pytester, "--ftlint", "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK, out(result)
    result.stdout.fnmatch_lines([*items(), *items("data/valid.jsonl"), f"{2 * N} tests collected*"])
    assert "no tests collected" not in out(result)
    plain = session(pytester, "--ftlint", "-v")
    plain.stdout.fnmatch_lines([f"collect* {2 * N} items*"])


def test_dataset_outside_testpaths_is_still_collected(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, clean())
    pytester.makepyprojecttoml('[tool.ftlint]\npaths = ["data"]\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_ordinary.py").write_text(ORDINARY_TEST)
    result = session(pytester, "--ftlint", "-v")
    result.assert_outcomes(passed=N + 1)
    explicit = session(pytester, "--ftlint", "-v", "tests")  # an explicit test directory, too
    explicit.assert_outcomes(passed=N + 1)
    explicit.stdout.fnmatch_lines(["data/train.jsonl::structure PASSED*"])


def test_symlinked_checkout_keeps_rootdir_relative_node_ids(pytester: pytest.Pytester) -> None:
    """pytest's rootdir can be a symlink while ftlint's config root is resolved."""
    real = pytester.path / "real"
    real.mkdir()
    write_dataset(pytester, clean(), name="real/data/train.jsonl")
    (real / "pyproject.toml").write_text('[tool.ftlint]\npaths = ["data"]\n')
    (pytester.path / "link").symlink_to(real, target_is_directory=True)
    result = session(pytester, "--ftlint", "-v", "link")
    result.assert_outcomes(passed=N)
    result.stdout.fnmatch_lines(["rootdir: */link", "link/data/train.jsonl::structure PASSED*"])
    assert "real/data" not in result.stdout.str()


def test_failed_item_can_be_rerun_by_its_node_id(pytester: pytest.Pytester) -> None:
    """`FAILED data/train.jsonl::quality` copied back onto the command line runs just that item."""
    write_dataset(pytester, [*clean(), empty_user(0)])
    write_dataset(pytester, clean(start=100), name="data/valid.jsonl")
    configure(pytester)
    pytester.makepyfile(test_ordinary=ORDINARY_TEST)
    result = session(pytester, "--ftlint", "-v", "data/train.jsonl::quality")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["data/train.jsonl::quality FAILED*"])
    assert "valid.jsonl" not in result.stdout.str()
    assert "test_ordinary" not in result.stdout.str()
    whole_file = session(pytester, "--ftlint", "-v", "data/train.jsonl")
    whole_file.assert_outcomes(passed=N - 1, failed=1)
    assert "valid.jsonl" not in whole_file.stdout.str()


def test_last_failed_reruns_only_the_failed_dataset_items(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, [*clean(), empty_user(0)])
    write_dataset(pytester, clean(start=100), name="data/valid.jsonl")
    configure(pytester)
    pytester.makepyfile(test_ordinary=ORDINARY_TEST)
    session(pytester, "--ftlint").assert_outcomes(passed=2 * N, failed=1)
    result = session(pytester, "--ftlint", "--lf", "-v")
    result.assert_outcomes(failed=1)  # how many are deselected or skipped is up to pytest
    result.stdout.fnmatch_lines(["data/train.jsonl::quality FAILED*"])
    assert "valid.jsonl::" not in result.stdout.str() and "test_ordinary" not in result.stdout.str()


# --------------------------------------------------------------------------- failures


def test_broken_dataset_fails_with_a_lint_report(pytester: pytest.Pytester) -> None:
    records: list[Any] = clean()
    records[4] = NOT_A_LIST  # line 5
    records[9] = empty_user(9)  # line 10
    records += [empty_user(i) for i in range(100, 112)]  # lines 61-72: 13 Q101 findings in all
    write_dataset(pytester, records)
    configure(pytester)
    result = session(pytester, "--ftlint")
    result.assert_outcomes(failed=2, passed=N - 2)
    text = result.stdout.str()
    result.stdout.fnmatch_lines([
        "*_ ftlint structure: data/train.jsonl _*",
        "S101 schema-violation (1 finding)",
        "  data/train.jsonl:5: * (messages)",
        "*_ ftlint quality: data/train.jsonl _*",
        "Q101 empty-content (13 findings)",
        "  data/train.jsonl:10: * (messages[[]0].content)",
        "  data/train.jsonl:61: * (messages[[]0].content)",
        "  ... and 3 more",
        "FAILED data/train.jsonl::structure - S101 schema-violation (1 finding)",
        "FAILED data/train.jsonl::quality - Q101 empty-content (13 findings)",
    ])
    # With CI set, pytest repeats the whole failure text in the short summary: read the section.
    section = text.split("short test summary info")[0]
    shown = re.findall(r"^  data/train\.jsonl:(\d+): .* \(messages\[0\]\.content\)$", section, re.MULTILINE)
    assert shown == ["10", *map(str, range(61, 70))]  # the first 10 only, in file order
    for traceback_marker in ("def runtest", "raise LintFailure", "Traceback", "pytest_plugin.py", "LintFailure"):
        assert traceback_marker not in text


def test_findings_of_one_family_do_not_fail_the_other(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, [*clean(), empty_user(0)])
    configure(pytester)
    result = session(pytester, "--ftlint", "-v")
    result.assert_outcomes(passed=N - 1, failed=1)
    result.stdout.fnmatch_lines(["data/train.jsonl::structure PASSED*", "data/train.jsonl::quality FAILED*"])


@pytest.mark.parametrize("select", [None, '["Q"]'])
def test_unreadable_dataset_is_a_finding_not_a_crash(pytester: pytest.Pytester, select: str | None) -> None:
    """A file that cannot be read fails every family item it has, not only `structure`."""
    configure(pytester, paths='["data/missing.jsonl"]', extra=f"select = {select}" if select else "")
    result = session(pytester, "--ftlint", "-v")
    result.assert_outcomes(failed=1 if select else N)
    result.stdout.fnmatch_lines(["data/missing.jsonl::quality FAILED*", "S000 unreadable-file (1 finding)",
                                 "  data/missing.jsonl: *"])
    assert "Traceback" not in out(result) and "INTERNALERROR" not in out(result)
    assert not cache_entries(pytester)


# --------------------------------------------------------------------------- selection


def test_marker_selects_dataset_items_or_ordinary_tests(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, clean())
    configure(pytester)
    pytester.makepyfile(test_ordinary=ORDINARY_TEST)
    only_data = session(pytester, "--ftlint", "-v", "-m", "ftlint")
    only_data.assert_outcomes(passed=N, deselected=1)
    assert "test_ordinary" not in only_data.stdout.str()
    only_tests = session(pytester, "--ftlint", "-v", "-m", "not ftlint")
    only_tests.assert_outcomes(passed=1, deselected=N)
    assert "train.jsonl::" not in only_tests.stdout.str()
    by_name = session(pytester, "--ftlint", "-v", "-k", "quality")
    by_name.assert_outcomes(passed=1, deselected=N)
    by_name.stdout.fnmatch_lines(["data/train.jsonl::quality PASSED*"])


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize("ini", ["pytest.ini", "pyproject.toml"])
def test_ftlint_paths_ini_option(pytester: pytest.Pytester, ini: str) -> None:
    write_dataset(pytester, clean(), name="datasets/sft/train.jsonl")
    write_dataset(pytester, [NOT_A_LIST, *clean()], name="other/ignored.jsonl")
    if ini == "pytest.ini":
        pytester.makeini("[pytest]\nftlint_paths =\n    datasets/sft\n")
    else:
        pytester.makepyprojecttoml('[tool.pytest.ini_options]\nftlint_paths = ["datasets/sft"]\n')
    result = session(pytester, "--ftlint", "-v")
    result.assert_outcomes(passed=N)
    result.stdout.fnmatch_lines(["datasets/sft/train.jsonl::structure PASSED*"])
    assert "ignored.jsonl" not in result.stdout.str()


def test_ftlint_paths_ini_option_wins_over_tool_ftlint_paths(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, clean(), name="good/train.jsonl")
    write_dataset(pytester, [NOT_A_LIST, *clean()], name="bad/train.jsonl")
    pytester.makepyprojecttoml('[tool.ftlint]\npaths = ["bad"]\n\n[tool.pytest.ini_options]\nftlint_paths = ["good"]\n')
    result = session(pytester, "--ftlint", "-v")
    result.assert_outcomes(passed=N)
    result.stdout.fnmatch_lines(["good/train.jsonl::structure PASSED*"])


def test_tool_ftlint_paths_with_a_glob(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, clean(), name="data/a.jsonl")
    write_dataset(pytester, clean(start=100), name="data/b.jsonl")
    write_dataset(pytester, [NOT_A_LIST], name="data/notes.json")
    configure(pytester, paths='["data/*.jsonl"]')
    result = session(pytester, "--ftlint", "--collect-only", "-q")
    result.stdout.fnmatch_lines([*items("data/a.jsonl"), *items("data/b.jsonl"), f"{2 * N} tests collected*"])
    assert "notes.json" not in result.stdout.str()


def test_no_dataset_paths_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ordinary=ORDINARY_TEST)
    result = session(pytester, "--ftlint")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--ftlint: no dataset paths" in result.stderr.str()
    assert "ftlint_paths" in result.stderr.str()
    assert "Traceback" not in out(result) and "INTERNALERROR" not in out(result)


@pytest.mark.parametrize(("toml", "message"), [
    ('paths = ["data"]\nselect = ["Z9"]', "unknown rule selector 'Z9'"),
    ('paths = ["data/*.parquet"]', "no file matches this pattern"),
    ('paths = ["data"]\nfail-on = "sometimes"', "fail-on"),
    ('paths = ["data"]\nbaseline = "missing-baseline.json"', "baseline not found"),
])
def test_bad_ftlint_config_is_a_usage_error(pytester: pytest.Pytester, toml: str, message: str) -> None:
    write_dataset(pytester, clean())
    configure(pytester, extra=toml, paths="")
    result = session(pytester, "--ftlint")
    assert result.ret == pytest.ExitCode.USAGE_ERROR, out(result)
    assert message in result.stderr.str()
    assert "Traceback" not in out(result) and "INTERNALERROR" not in out(result)


def test_ftlint_config_ini_option_names_the_config_file(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, [*clean(), empty_user(0)])
    (pytester.path / "lint").mkdir()
    (pytester.path / "lint" / "ftlint.toml").write_text('paths = ["../data"]\nignore = ["Q101"]\n')
    pytester.makeini("[pytest]\nftlint_config = lint/ftlint.toml\n")
    result = session(pytester, "--ftlint", "-v")
    result.assert_outcomes(passed=N)
    result.stdout.fnmatch_lines(["data/train.jsonl::quality PASSED*"])


def test_ignore_removes_a_failure(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, [*clean(), empty_user(0)])
    configure(pytester)
    session(pytester, "--ftlint", "-p", "no:cacheprovider").assert_outcomes(passed=N - 1, failed=1)
    configure(pytester, extra='ignore = ["Q101"]')
    result = session(pytester, "--ftlint", "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=N)
    result.stdout.fnmatch_lines(["data/train.jsonl::quality PASSED*"])


def test_warning_fails_only_with_fail_on_warning(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, clean(20))  # S211 too-few-records: a warning between 10 and 50 records
    configure(pytester)
    session(pytester, "--ftlint").assert_outcomes(passed=N)
    configure(pytester, extra='fail-on = "warning"')
    result = session(pytester, "--ftlint")  # the cached pass of the run above must not count now
    result.assert_outcomes(passed=N - 1, failed=1)
    result.stdout.fnmatch_lines(["S211 too-few-records (1 finding)", "FAILED data/train.jsonl::structure*"])
    assert reused(result) == 0  # fail-on is part of every item's fingerprint


def test_configured_severity_invalidates_the_cache(pytester: pytest.Pytester) -> None:
    """Setting a rule's severity to its default still changes the outcome: a configured severity
    wins over the rule's own two levels (S211 is a warning below 50 records, unless configured)."""
    write_dataset(pytester, clean(20))
    configure(pytester)
    session(pytester, "--ftlint").assert_outcomes(passed=N)
    configure(pytester, extra='[tool.ftlint.rules.S211]\nseverity = "error"')
    result = session(pytester, "--ftlint")
    result.assert_outcomes(passed=N - 1, failed=1)
    result.stdout.fnmatch_lines(["S211 too-few-records (1 finding)"])


def test_baseline_hides_grandfathered_findings(pytester: pytest.Pytester) -> None:
    from ftlint import check
    from ftlint.baseline import Baseline, baseline_from_report, write_baseline

    path = write_dataset(pytester, [*clean(), empty_user(100)])
    configure(pytester, extra='baseline = "ftlint-baseline.json"')
    baseline_path = pytester.path / "ftlint-baseline.json"
    report = check([path], config=pytester.path / "pyproject.toml")
    assert [f.code for f in report.findings] == ["Q101"]
    write_baseline(baseline_from_report(report, baseline_path))
    session(pytester, "--ftlint").assert_outcomes(passed=N)
    write_dataset(pytester, [*clean(), empty_user(100), empty_user(101)])  # one new finding
    result = session(pytester, "--ftlint")
    result.assert_outcomes(passed=N - 1, failed=1)
    result.stdout.fnmatch_lines(["Q101 empty-content (1 finding)", "  data/train.jsonl:62: *"])
    write_dataset(pytester, [*clean(), empty_user(100)])
    session(pytester, "--ftlint").assert_outcomes(passed=N)
    write_baseline(Baseline(baseline_path))  # an empty baseline: the cached pass must not survive it
    result = session(pytester, "--ftlint")
    result.assert_outcomes(passed=N - 1, failed=1)
    result.stdout.fnmatch_lines(["Q101 empty-content (1 finding)", "  data/train.jsonl:61: *"])


def write_parts(pytester: pytest.Pytester, part1: list[Any]) -> None:
    """Two files of one split: run-wide rules (exact duplicates) look across both."""
    write_dataset(pytester, part1, name="data/part1.jsonl")
    write_dataset(pytester, clean(start=100), name="data/part2.jsonl")
    configure(pytester, extra='[tool.ftlint.splits]\ntrain = ["data/part*.jsonl"]')


def test_run_wide_rules_see_every_file(pytester: pytest.Pytester) -> None:
    write_parts(pytester, [*clean(), chat(120)])  # chat(120) is also line 21 of part2
    result = session(pytester, "--ftlint")
    result.stdout.fnmatch_lines([
        "*_ ftlint duplicates: data/part2.jsonl _*",
        "D101 duplicate-record (1 finding)",
        "  data/part2.jsonl:21: exact duplicate record of data/part1.jsonl:61 *",
    ])
    assert "FAILED data/part2.jsonl::duplicates" in result.stdout.str()
    alone = session(pytester, "--ftlint", "data/part2.jsonl::duplicates")  # the other file still counts
    alone.assert_outcomes(failed=1)


def test_run_wide_items_are_relinted_when_another_file_changes(pytester: pytest.Pytester) -> None:
    write_parts(pytester, clean())
    session(pytester, "--ftlint").assert_outcomes(passed=2 * N)
    write_parts(pytester, [*clean(), chat(120)])  # part2.jsonl is unchanged, but now has a duplicate
    result = session(pytester, "--ftlint", "-v")
    result.stdout.fnmatch_lines(["data/part2.jsonl::duplicates FAILED*"])
    assert reused(result) > 0  # part2's other families were taken from the cache


# --------------------------------------------------------------------------- cache


def test_unchanged_passing_file_is_taken_from_the_cache(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, clean())
    configure(pytester)
    first = session(pytester, "--ftlint")
    first.assert_outcomes(passed=N)
    assert reused(first) == 0
    assert sorted(cache_entries(pytester)) == sorted(items())
    second = session(pytester, "--ftlint")
    second.assert_outcomes(passed=N)
    assert reused(second) == N
    second.stdout.fnmatch_lines([f"ftlint: {N} items passed before on unchanged files and settings*"])


def test_content_change_with_the_same_mtime_and_size_is_relinted(pytester: pytest.Pytester) -> None:
    path = write_dataset(pytester, clean())
    configure(pytester)
    session(pytester, "--ftlint").assert_outcomes(passed=N)
    stat = path.stat()
    text = path.read_text()
    question = json.dumps(chat(7)["messages"][0]["content"])  # line 8, a user turn
    assert text.count(question) == 1
    broken = text.replace(question, '"' + " " * (len(question) - 2) + '"')  # whitespace only: Q101
    assert broken != text and len(broken) == len(text)
    path.write_text(broken)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_size == stat.st_size
    result = session(pytester, "--ftlint", "-v")
    result.assert_outcomes(passed=N - 1, failed=1)
    result.stdout.fnmatch_lines(["data/train.jsonl::quality FAILED*", "*data/train.jsonl:8: *"])
    assert reused(result) == 0  # a content change re-lints every family of the file
    assert "data/train.jsonl::quality" not in cache_entries(pytester)


def test_changing_select_invalidates_the_cache(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, [*clean(), empty_user(0)])
    configure(pytester, extra='select = ["S", "Q102"]')  # Q101 off: the quality item passes
    session(pytester, "--ftlint").assert_outcomes(passed=2)
    configure(pytester, extra='select = ["S", "Q"]')
    result = session(pytester, "--ftlint")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["Q101 empty-content (1 finding)"])


def test_failing_file_is_never_cached_as_passed(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, [*clean(), empty_user(0)])
    configure(pytester)
    for _ in range(2):
        result = session(pytester, "--ftlint")
        result.assert_outcomes(passed=N - 1, failed=1)
        result.stdout.fnmatch_lines(["FAILED data/train.jsonl::quality*"])
        assert sorted(cache_entries(pytester)) == sorted(set(items()) - {"data/train.jsonl::quality"})
    assert reused(result) == N - 1  # the second run took only the passing items from the cache


def test_a_file_that_passed_then_broke_is_dropped_from_the_cache(pytester: pytest.Pytester) -> None:
    path = write_dataset(pytester, clean())
    configure(pytester)
    session(pytester, "--ftlint").assert_outcomes(passed=N)
    write_dataset(pytester, [*clean(), empty_user(0)])
    session(pytester, "--ftlint").assert_outcomes(passed=N - 1, failed=1)
    assert "data/train.jsonl::quality" not in cache_entries(pytester)
    write_dataset(pytester, clean())  # back to the content that passed first: re-checked, not trusted
    assert path.read_text() == "".join(json.dumps(r) + "\n" for r in clean())
    result = session(pytester, "--ftlint")
    result.assert_outcomes(passed=N)
    assert reused(result) == 0


@pytest.mark.parametrize("flag", ["--ftlint-no-cache", "--cache-clear"])
def test_cache_bypass_options(pytester: pytest.Pytester, flag: str) -> None:
    write_dataset(pytester, clean())
    configure(pytester)
    session(pytester, "--ftlint").assert_outcomes(passed=N)
    assert reused(session(pytester, "--ftlint")) == N  # control: without the flag the cache is used
    bypassed = session(pytester, "--ftlint", flag)
    bypassed.assert_outcomes(passed=N)
    assert reused(bypassed) == 0
    assert "ftlint:" not in bypassed.stdout.str()
    # The bypassing run still records what passed, so the next ordinary run uses the cache again.
    assert sorted(cache_entries(pytester)) == sorted(items())
    assert reused(session(pytester, "--ftlint")) == N


def test_without_the_cacheprovider_plugin(pytester: pytest.Pytester) -> None:
    write_dataset(pytester, [*clean(), empty_user(0)])
    configure(pytester)
    for _ in range(2):
        result = session(pytester, "--ftlint", "-p", "no:cacheprovider")
        result.assert_outcomes(passed=N - 1, failed=1)
        assert reused(result) == 0
        assert "INTERNALERROR" not in out(result)
    assert not (pytester.path / ".pytest_cache").exists()
