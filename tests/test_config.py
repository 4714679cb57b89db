"""Configuration: discovery, selection, per-rule options, per-file overrides, exclude, errors.

Every test writes real `ftlint.toml` / `pyproject.toml` files under `tmp_path` and runs from
there, so discovery and path matching behave as they do for a user.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftlint.config import DEFAULT_EXCLUDE, Config, ConfigError, expand_selectors, load_config
from ftlint.discovery import discover_files
from ftlint.engine import check
from ftlint.formats import FORMATS
from ftlint.model import Severity
from ftlint.rulepack import load_rules

from _records import WORDS, chat_record, clean_file, warning_file, write_jsonl

RULES = load_rules()
ALL_CODES = set(RULES)
DEFAULT_CODES = {code for code, meta in RULES.items() if meta.default_enabled}


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


# --------------------------------------------------------------------------- discovery


def test_no_config_file_gives_defaults_rooted_at_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.source == "defaults"
    assert config.root == tmp_path.resolve()
    assert config.fail_on is Severity.ERROR
    assert config.settings_for(tmp_path / "x.jsonl").enabled == DEFAULT_CODES


def test_ftlint_toml_is_found_upward_from_a_subdirectory(tmp_path, monkeypatch):
    (tmp_path / "ftlint.toml").write_text('ignore = ["S102"]\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    config = load_config()
    assert config.source == str((tmp_path / "ftlint.toml").resolve())
    assert config.root == tmp_path.resolve()
    assert "S102" not in config.settings_for(sub / "x.jsonl").enabled


def test_pyproject_tool_table_is_found_upward(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.ftlint]\nignore = ["S102"]\n')
    sub = tmp_path / "data"
    sub.mkdir()
    monkeypatch.chdir(sub)
    config = load_config()
    assert "pyproject.toml" in config.source and "[tool.ftlint]" in config.source
    assert config.root == tmp_path.resolve()
    assert config.table == {"ignore": ["S102"]}
    assert "S102" not in config.settings_for(sub / "x.jsonl").enabled


def test_ftlint_toml_wins_over_pyproject_in_the_same_directory(tmp_path, monkeypatch):
    (tmp_path / "ftlint.toml").write_text('ignore = ["S102"]\n')
    (tmp_path / "pyproject.toml").write_text('[tool.ftlint]\nignore = ["S203"]\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.source.endswith("ftlint.toml")
    enabled = config.settings_for(tmp_path / "x.jsonl").enabled
    assert "S102" not in enabled and "S203" in enabled


def test_pyproject_without_tool_ftlint_is_skipped(tmp_path, monkeypatch):
    (tmp_path / "ftlint.toml").write_text('ignore = ["S102"]\n')
    sub = tmp_path / "pkg"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "pkg"\n\n[tool.ruff]\nline-length = 100\n')
    monkeypatch.chdir(sub)
    config = load_config()
    assert config.source == str((tmp_path / "ftlint.toml").resolve())
    assert config.root == tmp_path.resolve()


def test_nearest_config_wins(tmp_path, monkeypatch):
    (tmp_path / "ftlint.toml").write_text('ignore = ["S102"]\n')
    sub = tmp_path / "inner"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[tool.ftlint]\nignore = ["S203"]\n')
    monkeypatch.chdir(sub)
    config = load_config()
    assert config.root == sub.resolve()
    enabled = config.settings_for(sub / "x.jsonl").enabled
    assert "S203" not in enabled and "S102" in enabled


def test_explicit_config_beats_discovery(tmp_path, monkeypatch):
    (tmp_path / "ftlint.toml").write_text('ignore = ["S102"]\n')
    other = tmp_path / "conf" / "strict.toml"
    other.parent.mkdir()
    other.write_text('fail-on = "warning"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config("conf/strict.toml")
    assert config.fail_on is Severity.WARNING
    assert config.root == other.parent.resolve()
    assert "S102" in config.settings_for(tmp_path / "x.jsonl").enabled


def test_explicit_toml_with_a_tool_ftlint_table_is_read_like_pyproject(tmp_path, monkeypatch):
    path = tmp_path / "lint.toml"
    path.write_text('[tool.ftlint]\nfail-on = "info"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config(path).fail_on is Severity.INFO


def test_config_applies_end_to_end(tmp_path, monkeypatch):
    warning_file(tmp_path / "data.jsonl")
    monkeypatch.chdir(tmp_path)
    assert check("data.jsonl").by_rule("S102")
    (tmp_path / "ftlint.toml").write_text('ignore = ["S102"]\n')
    report = check("data.jsonl")
    assert report.findings == []
    assert report.ok


# --------------------------------------------------------------------------- selection


def enabled_with(tmp_path, monkeypatch, toml: str, cli: dict | None = None) -> frozenset[str]:
    (tmp_path / "ftlint.toml").write_text(toml)
    monkeypatch.chdir(tmp_path)
    return load_config(cli=cli).settings_for(tmp_path / "x.jsonl").enabled


def test_select_prefix_replaces_the_default_set(tmp_path, monkeypatch):
    enabled = enabled_with(tmp_path, monkeypatch, 'select = ["S2"]\n')
    assert enabled == {code for code in ALL_CODES if code.startswith("S2")}
    assert "S201" in enabled and "S101" not in enabled and "Q101" not in enabled


def test_select_family_letter(tmp_path, monkeypatch):
    enabled = enabled_with(tmp_path, monkeypatch, 'select = ["Q"]\n')
    assert enabled == {code for code in ALL_CODES if code.startswith("Q")}
    assert enabled


def test_select_exact_code(tmp_path, monkeypatch):
    assert enabled_with(tmp_path, monkeypatch, 'select = ["S101"]\n') == {"S101"}


@pytest.mark.parametrize("selector", ["ALL", "all"])
def test_select_all(tmp_path, monkeypatch, selector):
    assert enabled_with(tmp_path, monkeypatch, f'select = ["{selector}"]\n') == ALL_CODES


def test_empty_select_disables_everything(tmp_path, monkeypatch):
    assert enabled_with(tmp_path, monkeypatch, "select = []\n") == set()


def test_extend_select_adds_to_select(tmp_path, monkeypatch):
    enabled = enabled_with(tmp_path, monkeypatch, 'select = ["S2"]\nextend-select = ["Q101", "S10"]\n')
    expected = {c for c in ALL_CODES if c.startswith("S2") or c.startswith("S10")} | {"Q101"}
    assert enabled == expected


def test_ignore_prefix_and_code(tmp_path, monkeypatch):
    enabled = enabled_with(tmp_path, monkeypatch, 'ignore = ["S2", "Q101"]\n')
    assert enabled == {c for c in DEFAULT_CODES if not c.startswith("S2") and c != "Q101"}


def test_ignore_wins_over_select_in_the_same_table(tmp_path, monkeypatch):
    enabled = enabled_with(tmp_path, monkeypatch, 'select = ["S"]\nignore = ["S1"]\n')
    assert enabled == {c for c in ALL_CODES if c.startswith("S") and not c.startswith("S1")}
    assert "S001" in enabled and "S101" not in enabled and "Q101" not in enabled


def test_command_line_select_overrides_the_file(tmp_path, monkeypatch):
    enabled = enabled_with(tmp_path, monkeypatch, 'ignore = ["S102"]\n', cli={"select": ["S1"]})
    assert enabled == {c for c in ALL_CODES if c.startswith("S1")}
    assert "S102" in enabled


def test_command_line_ignore_adds_to_the_file(tmp_path, monkeypatch):
    enabled = enabled_with(tmp_path, monkeypatch, 'ignore = ["S102"]\n', cli={"ignore": ["S203"]})
    assert "S102" not in enabled and "S203" not in enabled and "S101" in enabled


def test_expand_selectors_directly():
    assert expand_selectors("S20", "here") == {c for c in ALL_CODES if c.startswith("S20")}
    assert expand_selectors([" s101 "], "here") == {"S101"}
    assert expand_selectors(["ALL"], "here") == ALL_CODES
    with pytest.raises(ConfigError, match="here: unknown rule selector 'S9'"):
        expand_selectors(["S9"], "here")


def test_selection_applies_end_to_end(tmp_path, monkeypatch):
    records = [chat_record(i, id=i) for i in range(59)]
    records.append({"messages": [{"role": "bot", "content": "hi"}]})  # S101 on line 60
    write_jsonl(tmp_path / "d.jsonl", records)
    monkeypatch.chdir(tmp_path)
    assert codes(check("d.jsonl")) == {"S101", "S102"}
    assert codes(check("d.jsonl", select=["S10"], ignore=["S101"])) == {"S102"}
    (tmp_path / "ftlint.toml").write_text('select = ["S101"]\n')
    assert codes(check("d.jsonl")) == {"S101"}
    assert {f.location.line for f in check("d.jsonl").findings} == {60}


# --------------------------------------------------------------------------- rule options and severity


def test_rule_option_overrides_only_that_option(tmp_path, monkeypatch):
    (tmp_path / "ftlint.toml").write_text("[rules.S211]\nmin-records = 3\n")
    monkeypatch.chdir(tmp_path)
    options = load_config().settings_for(tmp_path / "x.jsonl").options
    assert options["S211"]["min-records"] == 3
    assert options["S211"]["recommended-records"] == RULES["S211"].options["recommended-records"]
    assert options["S102"] == RULES["S102"].options


def test_rule_option_changes_behaviour(tmp_path, monkeypatch):
    clean_file(tmp_path / "small.jsonl", n=20)
    monkeypatch.chdir(tmp_path)
    [finding] = check("small.jsonl").findings
    assert finding.code == "S211" and finding.severity is Severity.WARNING
    (tmp_path / "ftlint.toml").write_text("[rules.S211]\nmin-records = 5\nrecommended-records = 15\n")
    assert check("small.jsonl").findings == []
    (tmp_path / "ftlint.toml").write_text("[rules.S211]\nmin-records = 30\n")
    [finding] = check("small.jsonl").findings
    assert finding.severity is Severity.ERROR and "30" in finding.message


def test_list_option(tmp_path, monkeypatch):
    warning_file(tmp_path / "d.jsonl")
    (tmp_path / "ftlint.toml").write_text('[rules.S102]\nallow = ["id"]\n')
    monkeypatch.chdir(tmp_path)
    assert check("d.jsonl").findings == []


def test_severity_override(tmp_path, monkeypatch):
    warning_file(tmp_path / "d.jsonl")
    monkeypatch.chdir(tmp_path)
    report = check("d.jsonl")
    assert {f.severity for f in report.findings} == {Severity.WARNING} and report.ok
    (tmp_path / "ftlint.toml").write_text('[rules.S102]\nseverity = "error"\n')
    assert load_config().settings_for(tmp_path / "d.jsonl").severities["S102"] is Severity.ERROR
    report = check("d.jsonl")
    assert {f.severity for f in report.findings} == {Severity.ERROR}
    assert not report.ok


def test_severity_override_of_a_two_level_rule(tmp_path, monkeypatch):
    clean_file(tmp_path / "small.jsonl", n=20)  # S211 reports a warning here by itself
    (tmp_path / "ftlint.toml").write_text('[rules.S211]\nseverity = "info"\n')
    monkeypatch.chdir(tmp_path)
    [finding] = check("small.jsonl").findings
    assert finding.severity is Severity.INFO


def test_fail_on_from_the_file_and_the_command_line(tmp_path, monkeypatch):
    warning_file(tmp_path / "d.jsonl")
    (tmp_path / "ftlint.toml").write_text('fail-on = "warning"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config().fail_on is Severity.WARNING
    assert not check("d.jsonl").ok
    assert load_config(cli={"fail-on": "error"}).fail_on is Severity.ERROR
    assert check("d.jsonl", fail_on="error").ok


# --------------------------------------------------------------------------- per-file overrides


def test_per_file_ignore_applies_only_to_matching_files(tmp_path, monkeypatch):
    warning_file(tmp_path / "legacy" / "old.jsonl")
    warning_file(tmp_path / "data" / "new.jsonl")
    (tmp_path / "ftlint.toml").write_text('[per-file."legacy/*.jsonl"]\nignore = ["S102"]\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert "S102" not in config.settings_for(tmp_path / "legacy" / "old.jsonl").enabled
    assert "S102" in config.settings_for(tmp_path / "data" / "new.jsonl").enabled
    report = check(["legacy/old.jsonl", "data/new.jsonl"])
    assert {Path(f.location.path).as_posix() for f in report.findings} == {"data/new.jsonl"}
    assert len(report.by_rule("S102")) == 60


def test_per_file_globs_are_relative_to_the_config_directory(tmp_path, monkeypatch):
    warning_file(tmp_path / "legacy" / "old.jsonl")
    (tmp_path / "ftlint.toml").write_text('[per-file."legacy/*.jsonl"]\nignore = ["S102"]\n')
    monkeypatch.chdir(tmp_path / "legacy")  # run from below the config file
    assert check("old.jsonl").findings == []


def test_per_file_glob_without_slash_matches_the_file_name(tmp_path, monkeypatch):
    warning_file(tmp_path / "a" / "b" / "scratch.jsonl")
    warning_file(tmp_path / "a" / "b" / "keep.jsonl")
    (tmp_path / "ftlint.toml").write_text('[per-file."scratch*"]\nignore = ["S1"]\n')
    monkeypatch.chdir(tmp_path)
    report = check(["a/b/scratch.jsonl", "a/b/keep.jsonl"])
    assert {Path(f.location.path).name for f in report.findings} == {"keep.jsonl"}


def test_per_file_format(tmp_path, monkeypatch):
    records = [{"prompt": f"Question number {i} about {w}?"} for i, w in enumerate(WORDS[:60])]
    write_jsonl(tmp_path / "prompts" / "p.jsonl", records)
    write_jsonl(tmp_path / "other" / "p.jsonl", records)
    (tmp_path / "ftlint.toml").write_text('[per-file."prompts/*"]\nformat = "trl-text"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.settings_for(tmp_path / "prompts" / "p.jsonl").format == ("trl-text",)
    assert config.settings_for(tmp_path / "other" / "p.jsonl").format is None
    forced, detected = check(["prompts/p.jsonl", "other/p.jsonl"]).files
    assert forced.format == "trl-text" and forced.format_reason == "set by configuration or --format"
    assert detected.format == "trl-prompt-only" and "set by configuration" not in detected.format_reason
    assert forced.findings and all(f.location.path.startswith("prompts") for f in forced.findings)
    assert detected.findings == []


def test_top_level_format_with_per_file_exception(tmp_path, monkeypatch):
    (tmp_path / "ftlint.toml").write_text(
        'format = "openai-chat"\n[per-file."*.alpaca.jsonl"]\nformat = "alpaca"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.settings_for(tmp_path / "x.jsonl").format == ("openai-chat",)
    assert config.settings_for(tmp_path / "sub" / "x.alpaca.jsonl").format == ("alpaca",)


def test_per_file_rule_options_and_severity(tmp_path, monkeypatch):
    clean_file(tmp_path / "tiny" / "t.jsonl", n=3)
    clean_file(tmp_path / "main" / "t.jsonl", n=3)
    (tmp_path / "ftlint.toml").write_text(
        '[per-file."tiny/*"]\nrules.S211.min-records = 1\nrules.S211.recommended-records = 2\n'
        '[per-file."main/*".rules.S102]\nseverity = "info"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    tiny = config.settings_for(tmp_path / "tiny" / "t.jsonl")
    main = config.settings_for(tmp_path / "main" / "t.jsonl")
    assert tiny.options["S211"]["min-records"] == 1 and main.options["S211"]["min-records"] == 10
    assert main.severities["S102"] is Severity.INFO and tiny.severities["S102"] is Severity.WARNING
    report = check(["tiny/t.jsonl", "main/t.jsonl"])
    assert [Path(f.location.path).as_posix() for f in report.by_rule("S211")] == ["main/t.jsonl"]


def test_per_file_select_replaces_and_command_line_still_wins(tmp_path, monkeypatch):
    (tmp_path / "ftlint.toml").write_text(
        'ignore = ["S203"]\n[per-file."raw/*"]\nselect = ["S0"]\nextend-select = ["S203"]\n')
    monkeypatch.chdir(tmp_path)
    raw = load_config().settings_for(tmp_path / "raw" / "x.jsonl").enabled
    assert raw == {c for c in ALL_CODES if c.startswith("S0")} | {"S203"}
    raw_cli = load_config(cli={"ignore": ["S001"]}).settings_for(tmp_path / "raw" / "x.jsonl").enabled
    assert raw_cli == raw - {"S001"}


def test_several_per_file_tables_apply_in_order(tmp_path, monkeypatch):
    (tmp_path / "ftlint.toml").write_text(
        '[per-file."data/*"]\nignore = ["S102"]\n[per-file."data/keep*"]\nextend-select = ["S102"]\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert "S102" not in config.settings_for(tmp_path / "data" / "drop.jsonl").enabled
    assert "S102" in config.settings_for(tmp_path / "data" / "keep.jsonl").enabled


# --------------------------------------------------------------------------- exclude


def test_default_exclude_and_extend_exclude(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert set(load_config().exclude) == set(DEFAULT_EXCLUDE)
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["generated"]\n')
    assert set(load_config().exclude) == set(DEFAULT_EXCLUDE) | {"generated"}
    (tmp_path / "ftlint.toml").write_text('exclude = ["generated"]\n')
    assert load_config().exclude == ["generated"]


def make_tree(root: Path) -> None:
    clean_file(root / "data" / "a.jsonl", n=1)
    clean_file(root / "data" / "generated" / "g.jsonl", n=1)
    clean_file(root / "data" / "tmp_scratch.jsonl", n=1)
    clean_file(root / "data" / ".venv" / "v.jsonl", n=1)
    (root / "data" / "dataset_info.json").write_text("{}")


def found(root: Path, config: Config, *paths: str) -> set[str]:
    return {p.resolve().relative_to(root.resolve()).as_posix() for p in discover_files(paths, config)}


def test_directory_discovery_without_config_uses_default_exclude(tmp_path, monkeypatch):
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert found(tmp_path, load_config(), "data") == {
        "data/a.jsonl", "data/generated/g.jsonl", "data/tmp_scratch.jsonl"}


def test_extend_exclude_skips_directories_and_globs(tmp_path, monkeypatch):
    make_tree(tmp_path)
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["generated", "tmp_*"]\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert found(tmp_path, config, "data") == {"data/a.jsonl"}
    assert found(tmp_path, config, ".") == {"data/a.jsonl"}
    assert found(tmp_path, config, "data/*.jsonl") == {"data/a.jsonl"}


def test_exclude_by_relative_path(tmp_path, monkeypatch):
    make_tree(tmp_path)
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["data/generated/*"]\n')
    monkeypatch.chdir(tmp_path)
    assert found(tmp_path, load_config(), "data") == {"data/a.jsonl", "data/tmp_scratch.jsonl"}


def test_exclude_replaces_the_defaults(tmp_path, monkeypatch):
    make_tree(tmp_path)
    (tmp_path / "ftlint.toml").write_text('exclude = ["generated"]\n')
    monkeypatch.chdir(tmp_path)
    assert found(tmp_path, load_config(), "data") == {
        "data/a.jsonl", "data/tmp_scratch.jsonl", "data/.venv/v.jsonl", "data/dataset_info.json"}


def test_explicit_files_are_checked_even_when_excluded(tmp_path, monkeypatch):
    make_tree(tmp_path)
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["generated"]\n')
    monkeypatch.chdir(tmp_path)
    assert found(tmp_path, load_config(), "data/generated/g.jsonl") == {"data/generated/g.jsonl"}


# --------------------------------------------------------------------------- errors


CONFIG_ERRORS = [
    pytest.param('bogus = 1\n', ["unknown key", "'bogus'"], id="unknown-top-level-key"),
    pytest.param('[rules.X999]\nseverity = "error"\n', ["rules.X999", "unknown rule code"], id="unknown-rule-code"),
    pytest.param('[rules.S211]\nmin-recs = 5\n', ["rules.S211.min-recs", "unknown option"], id="unknown-option"),
    pytest.param('[rules.S211]\nmin-records = "5"\n', ["rules.S211.min-records", "expected int", "str"],
                 id="string-for-int"),
    pytest.param('[rules.S211]\nmin-records = true\n', ["rules.S211.min-records", "expected int", "bool"],
                 id="bool-for-int"),
    pytest.param('[rules.S211]\nmin-records = 2.5\n', ["rules.S211.min-records", "expected int"], id="float-for-int"),
    pytest.param('[rules.S102]\nallow = "id"\n', ["rules.S102.allow", "expected list"], id="string-for-list"),
    pytest.param('[rules.S102]\nallow = [1]\n', ["rules.S102.allow", "list of str"], id="list-of-int-for-list-of-str"),
    pytest.param('[rules.S203]\nallow-roles = [true]\n', ["rules.S203.allow-roles", "list of str"],
                 id="list-of-bool"),
    pytest.param('[rules]\nS102 = "off"\n', ["rules.S102", "table"], id="rule-not-a-table"),
    pytest.param('rules = 1\n', ["rules", "table"], id="rules-not-a-table"),
    pytest.param('select = ["S9"]\n', ["select", "'S9'", "unknown rule selector"], id="unknown-select"),
    pytest.param('select = ["S101", "bogus"]\n', ["select", "'BOGUS'"], id="unknown-select-word"),
    pytest.param('extend-select = ["Z"]\n', ["extend-select", "'Z'"], id="unknown-extend-select"),
    pytest.param('ignore = ["Q9"]\n', ["ignore", "'Q9'"], id="unknown-ignore"),
    pytest.param('select = "S"\n', ["select", "list of strings"], id="select-not-a-list"),
    pytest.param('ignore = [101]\n', ["ignore", "list of strings"], id="ignore-not-strings"),
    pytest.param('exclude = "x"\n', ["exclude", "list of strings"], id="exclude-not-a-list"),
    pytest.param('paths = "data"\n', ["paths", "list of strings"], id="paths-not-a-list"),
    pytest.param('format = "openai"\n', ["unknown format", "'openai'"], id="unknown-format"),
    pytest.param('format = ["alpaca", 3]\n', ["unknown format"], id="format-list-with-a-non-string"),
    pytest.param('[rules.S102]\nseverity = "fatal"\n', ["rules.S102.severity", "'fatal'"], id="bad-severity"),
    pytest.param('fail-on = "fatal"\n', ["fail-on", "'fatal'"], id="bad-fail-on"),
    pytest.param('per-file = 1\n', ["per-file", "table"], id="per-file-not-a-table"),
    pytest.param('[per-file]\n"*.jsonl" = 1\n', ["per-file.'*.jsonl'", "table"], id="per-file-entry-not-a-table"),
    pytest.param('[per-file."*.jsonl"]\nexclude = ["x"]\n', ["per-file.'*.jsonl'", "unknown key", "'exclude'"],
                 id="per-file-unknown-key"),
    pytest.param('[per-file."*.jsonl"]\nignore = ["S9"]\n', ["per-file.'*.jsonl'", "ignore", "'S9'"],
                 id="per-file-unknown-selector"),
    pytest.param('[per-file."*.jsonl"]\nformat = "nope"\n', ["per-file.'*.jsonl'", "unknown format", "'nope'"],
                 id="per-file-unknown-format"),
    pytest.param('[per-file."*.jsonl".rules.S211]\nmin-records = "x"\n',
                 ["per-file.'*.jsonl'", "rules.S211.min-records"], id="per-file-wrong-option-type"),
    pytest.param('[per-file."*.jsonl".rules.S999]\nseverity = "info"\n', ["per-file.'*.jsonl'", "rules.S999"],
                 id="per-file-unknown-rule"),
    pytest.param('tool = 1\n', ["unknown key", "'tool'"], id="tool-key-in-ftlint-toml"),
    pytest.param('select = [\n', ["invalid TOML"], id="invalid-toml"),
    pytest.param('select = ["S1"]\nselect = ["S2"]\n', ["invalid TOML"], id="duplicate-toml-key"),
]


@pytest.mark.parametrize(("toml", "expected"), CONFIG_ERRORS)
def test_config_errors_name_the_offending_key(tmp_path, monkeypatch, toml, expected):
    (tmp_path / "ftlint.toml").write_text(toml)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config()
    message = str(info.value)
    assert message.startswith(str((tmp_path / "ftlint.toml").resolve()))
    for part in expected:
        assert part in message


@pytest.mark.parametrize(("toml", "expected"), [
    pytest.param('[tool.ftlint]\nbogus = 1\n', ["[tool.ftlint]", "'bogus'"], id="unknown-key"),
    pytest.param('[tool.ftlint.rules.S211]\nmin-records = "ten"\n', ["[tool.ftlint]", "rules.S211.min-records"],
                 id="wrong-type"),
    pytest.param('[tool]\nftlint = 1\n', ["tool.ftlint", "table"], id="tool-ftlint-not-a-table"),
])
def test_pyproject_errors(tmp_path, monkeypatch, toml, expected):
    (tmp_path / "pyproject.toml").write_text(toml)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config()
    for part in expected:
        assert part in str(info.value)


def test_invalid_pyproject_met_during_discovery_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.ftlint\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="pyproject.toml: invalid TOML"):
        load_config()


def test_pyproject_with_a_non_table_tool_key_is_skipped(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("tool = 1\n")
    monkeypatch.chdir(tmp_path)
    assert load_config().source == "defaults"


def test_missing_explicit_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="nope.toml: config file not found"):
        load_config("nope.toml")


def test_explicit_config_that_is_a_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir()
    with pytest.raises(ConfigError, match="conf"):
        load_config("conf")


@pytest.mark.parametrize(("cli", "expected"), [
    ({"select": ["S9"]}, ["command line", "select", "'S9'"]),
    ({"ignore": ["nope"]}, ["command line", "ignore", "'NOPE'"]),
    ({"format": "nope"}, ["command line", "unknown format"]),
    ({"fail-on": "fatal"}, ["fail-on", "'fatal'"]),
])
def test_command_line_values_are_validated_too(tmp_path, monkeypatch, cli, expected):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config(cli=cli)
    for part in expected:
        assert part in str(info.value)


def test_public_check_api_raises_config_error(tmp_path, monkeypatch):
    clean_file(tmp_path / "d.jsonl", n=1)
    (tmp_path / "ftlint.toml").write_text("[rules.S211]\nbogus = 1\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="rules.S211.bogus"):
        check("d.jsonl")


def test_every_shipped_option_is_accepted_at_its_default(tmp_path, monkeypatch):
    """The rule pack's own defaults must pass config validation (guards the type checks)."""
    lines = []
    for code, meta in RULES.items():
        lines.append(f"[rules.{code}]")
        lines.append(f'severity = "{meta.severity}"')
        lines += [f"{key} = {json.dumps(value)}" for key, value in meta.options.items()]
    (tmp_path / "ftlint.toml").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    settings = load_config().settings_for(tmp_path / "x.jsonl")
    assert settings.options == {code: meta.options for code, meta in RULES.items()}


def test_formats_are_the_known_fourteen():
    assert len(FORMATS) == 14
