"""Configuration: `[tool.ftlint]` in pyproject.toml or `ftlint.toml`, validated strictly.

Every unknown key, rule code, option or format is a `ConfigError` naming the offending key,
because a typo in a linter's config silently turns checks off.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .formats import FORMATS
from .model import Severity
from .rulepack import RuleMeta, load_rules, tomllib

TOP_LEVEL_KEYS = {"select", "extend-select", "ignore", "fail-on", "format", "exclude", "extend-exclude",
                  "rules", "per-file", "paths", "baseline", "cache-dir", "splits", "jobs", "labels", "tokens",
                  "privacy", "fixable", "unfixable"}
SPLIT_SETTINGS = {"locked-test"}  # keys of [splits] that are settings, not split names
PER_FILE_KEYS = {"select", "extend-select", "ignore", "format", "rules", "labels", "tokens", "privacy"}
# Family tables: one setting for every rule of the family that declares the option (a tokenizer,
# an allowlist), instead of repeating it per rule; a rule's own [rules.CODE] table still wins.
FAMILY_TABLES = {"tokens": ("T", "token setting", "tokenizer, max-tokens..."),
                 "privacy": ("P", "privacy setting", "allow-domains, roles, skip-fields...")}
DEFAULT_EXCLUDE = (".git", ".venv", "venv", "node_modules", "__pycache__", ".ftlint_cache", ".pytest_cache",
                   "dataset_info.json", "package.json", "package-lock.json", "tsconfig.json")


class ConfigError(Exception):
    """A configuration or usage mistake; the CLI exits with code 2."""


@dataclass(frozen=True)
class FileSettings:
    """The resolved settings for one file: which rules run, how severe, with which options."""

    enabled: frozenset[str]
    severities: dict[str, Severity]
    options: dict[str, dict[str, Any]]
    # One format name forces it; several restrict detection to them (pre-commit presets).
    format: tuple[str, ...] | None = None
    # Codes whose severity the user set: it then wins over a rule's own two-level severities.
    configured_severity: frozenset[str] = frozenset()
    # Where class labels live (`[labels]` layered with per-file tables; see ftlint.labels).
    labels: dict[str, Any] = field(default_factory=dict)


@dataclass
class Config:
    root: Path = field(default_factory=Path.cwd)
    source: str = "defaults"
    table: dict[str, Any] = field(default_factory=dict)
    cli: dict[str, Any] = field(default_factory=dict)
    _cache: dict[tuple, FileSettings] = field(default_factory=dict, repr=False)

    @property
    def fail_on(self) -> Severity:
        return _severity(self.cli.get("fail-on") or self.table.get("fail-on", "error"), f"{self.source}: fail-on")

    @property
    def paths(self) -> list[str]:
        return list(self.table.get("paths", []))

    @property
    def splits(self) -> dict[str, list[str]]:
        """Split name -> globs (train, validation, test, benchmarks, or any name the user picks)."""
        table = self.table.get("splits", {})
        return {name: list(globs) for name, globs in table.items() if name not in SPLIT_SETTINGS}

    @property
    def split_settings(self) -> dict[str, Any]:
        return {key: value for key, value in self.table.get("splits", {}).items() if key in SPLIT_SETTINGS}

    def split_of(self, path: str | Path) -> str | None:
        """The first split whose globs match the file; a file in no split is None."""
        rel = _relative(Path(path), self.root)
        for name, globs in self.splits.items():
            if any(_glob_match(rel, glob) for glob in globs):
                return name
        return None

    @property
    def baseline(self) -> Path | None:
        """Baseline file from the command line, or from the config (relative to the config file)."""
        if self.cli.get("baseline"):
            return Path(self.cli["baseline"])
        if self.table.get("baseline"):
            return self.root / self.table["baseline"]
        return None

    @property
    def cache_dir(self) -> Path:
        if self.cli.get("cache-dir"):
            return Path(self.cli["cache-dir"])
        return self.root / self.table.get("cache-dir", ".ftlint_cache")

    @property
    def exclude(self) -> list[str]:
        excludes = list(self.table.get("exclude", DEFAULT_EXCLUDE))
        return excludes + list(self.table.get("extend-exclude", [])) + list(self.cli.get("extend-exclude", []))

    def is_excluded(self, path: Path) -> bool:
        rel = _relative(path, self.root)
        parts = PurePosixPath(rel).parts
        for pattern in self.exclude:
            if fnmatch.fnmatch(rel, pattern) or any(fnmatch.fnmatch(part, pattern) for part in parts):
                return True
        return False

    def settings_for(self, path: str | Path) -> FileSettings:
        rel = _relative(Path(path), self.root)
        overrides = tuple(glob for glob in self.table.get("per-file", {}) if _glob_match(rel, glob))
        if overrides not in self._cache:
            self._cache[overrides] = self._resolve(overrides)
        return self._cache[overrides]

    def _resolve(self, overrides: tuple[str, ...]) -> FileSettings:
        rules = load_rules()
        layers: list[tuple[str, dict[str, Any]]] = [(self.source, self.table)]
        layers += [(f"{self.source}: per-file.{glob!r}", self.table["per-file"][glob]) for glob in overrides]
        layers.append(("command line", self.cli))
        enabled = {code for code, meta in rules.items() if meta.default_enabled}
        severities = {code: meta.severity for code, meta in rules.items()}
        configured: set[str] = set()
        options = {code: dict(meta.options) for code, meta in rules.items()}
        label_layers: list[dict[str, Any]] = []
        fmt: str | None = None
        for where, layer in layers:
            if "select" in layer:
                enabled = expand_selectors(layer["select"], f"{where}: select")
            enabled |= expand_selectors(layer.get("extend-select", []), f"{where}: extend-select")
            enabled -= expand_selectors(layer.get("ignore", []), f"{where}: ignore")
            if "format" in layer:
                fmt = parse_formats(layer["format"], where)
            if "labels" in layer:
                label_layers.append(layer["labels"])
            for table, (family, _, _) in FAMILY_TABLES.items():
                for key, value in layer.get(table, {}).items():
                    for code in options:
                        if code[0] == family and key in rules[code].options:
                            options[code][key] = value
            for code, table in layer.get("rules", {}).items():
                for key, value in table.items():
                    if key == "severity":
                        severities[code] = _severity(value, f"{where}: rules.{code}.severity")
                        configured.add(code)
                    else:
                        options[code][key] = value
        from .labels import layered
        from .tokens.settings import resolve_token_options

        resolve_token_options({code: opts for code, opts in options.items() if code[0] == "T"}, self.root, self.source)
        return FileSettings(frozenset(enabled), severities, options, fmt, frozenset(configured), layered(label_layers))


def parse_formats(value: Any, where: str) -> tuple[str, ...]:
    """A format name, a comma-separated string or a list of names."""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not names:
        raise ConfigError(f"{where}: format must be a format name or a list of them")
    result = []
    for name in names:
        if not isinstance(name, str) or name.strip() not in FORMATS:
            raise ConfigError(f"{where}: unknown format {name!r} (known: {', '.join(FORMATS)})")
        result.append(name.strip())
    return tuple(dict.fromkeys(result))


def expand_selectors(selectors: Any, where: str) -> set[str]:
    """`ALL`, a family prefix (`S`, `S2`) or a full code, as in ruff."""
    if isinstance(selectors, str):
        selectors = [selectors]
    rules = load_rules()
    codes: set[str] = set()
    for selector in selectors:
        selector = str(selector).strip().upper()
        if selector == "ALL":
            codes |= set(rules)
            continue
        matched = {code for code in rules if code.startswith(selector)} if selector else set()
        if not matched:
            raise ConfigError(f"{where}: unknown rule selector {selector!r} (see `ftlint rules`)")
        codes |= matched
    return codes


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity.parse(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # different drive on Windows
        return path.as_posix()


def _glob_match(rel: str, pattern: str) -> bool:
    if fnmatch.fnmatch(rel, pattern):
        return True
    return "/" not in pattern and fnmatch.fnmatch(PurePosixPath(rel).name, pattern)


# --------------------------------------------------------------------------- loading


def find_config_file(start: Path) -> Path | None:
    """Nearest `ftlint.toml`, or `pyproject.toml` with a `[tool.ftlint]` table, walking up."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / "ftlint.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            tool = _read_toml(pyproject).get("tool")
            if isinstance(tool, dict) and "ftlint" in tool:
                return pyproject
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def load_config(explicit: str | Path | None = None, start: Path | None = None,
                cli: dict[str, Any] | None = None) -> Config:
    path = Path(explicit) if explicit else find_config_file(start or Path.cwd())
    if path is None:
        config = Config(root=(start or Path.cwd()).resolve(), cli=cli or {})
    else:
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        data = _read_toml(path)
        tool = data.get("tool")
        if path.name == "pyproject.toml" or (isinstance(tool, dict) and "ftlint" in tool):
            table = tool.get("ftlint", {}) if isinstance(tool, dict) else {}
            source = f"{path} [tool.ftlint]"
            if not isinstance(table, dict):
                raise ConfigError(f"{source}: tool.ftlint must be a table")
        else:
            table, source = data, str(path)
        config = Config(root=path.parent.resolve(), source=source, table=table, cli=cli or {})
    validate_table(config.table, config.source, TOP_LEVEL_KEYS)
    validate_table(config.cli, "command line", TOP_LEVEL_KEYS)
    for glob, table in config.table.get("per-file", {}).items():
        if not isinstance(table, dict):
            raise ConfigError(f"{config.source}: per-file.{glob!r} must be a table")
        validate_table(table, f"{config.source}: per-file.{glob!r}", PER_FILE_KEYS)
    config.fail_on  # validate eagerly
    config.settings_for(config.root / "__ftlint_probe__")  # resolve selectors once to surface errors
    for glob in config.table.get("per-file", {}):
        config._resolve((glob,))
    return config


def validate_table(table: dict[str, Any], where: str, allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(allowed))})")
    for key in ("select", "extend-select", "ignore", "exclude", "extend-exclude", "paths", "fixable", "unfixable"):
        if key in table and not (isinstance(table[key], list) and all(isinstance(v, str) for v in table[key])):
            raise ConfigError(f"{where}: {key} must be a list of strings")
    for key in ("fixable", "unfixable"):  # rule codes whose fixes `ftlint fix` applies (or never applies)
        if key in table:
            expand_selectors(table[key], f"{where}: {key}")
    if "splits" in table:
        _validate_splits(table["splits"], where)
    if "labels" in table:
        from .labels import validate_label_table

        validate_label_table(table["labels"], where, top_level="per-file" in allowed)
    for name in FAMILY_TABLES:
        if name in table:
            _validate_family_table(name, table[name], where)
    for key in ("baseline", "cache-dir"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{where}: {key} must be a path (a string)")
    if "jobs" in table and (not isinstance(table["jobs"], int) or isinstance(table["jobs"], bool) or table["jobs"] < 1):
        raise ConfigError(f"{where}: jobs must be a positive number of worker processes (1 = none)")
    if "format" in table:
        parse_formats(table["format"], where)
    if "per-file" in table and not isinstance(table["per-file"], dict):
        raise ConfigError(f"{where}: per-file must be a table of glob = {{...}}")
    if "rules" in table and not isinstance(table["rules"], dict):
        raise ConfigError(f"{where}: rules must be a table of CODE = {{option = value}}")
    rules = load_rules()
    for code, options in table.get("rules", {}).items():
        if code not in rules:
            raise ConfigError(f"{where}: rules.{code}: unknown rule code (see `ftlint rules`)")
        if not isinstance(options, dict):
            raise ConfigError(f"{where}: rules.{code} must be a table of options")
        for key, value in options.items():
            _validate_option(rules[code], key, value, f"{where}: rules.{code}.{key}")


def _validate_family_table(name: str, table: Any, where: str) -> None:
    """`[tokens]` / `[privacy]` set an option of every rule of the family that declares it."""
    family, noun, examples = FAMILY_TABLES[name]
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: {name} must be a table of {noun}s ({examples})")
    rules = load_rules()
    for key, value in table.items():
        owners = [meta for code, meta in rules.items() if code[0] == family and key in meta.options]
        if not owners:
            known = sorted({k for code, meta in rules.items() if code[0] == family for k in meta.options})
            raise ConfigError(f"{where}: {name}.{key}: unknown {noun} (known: {', '.join(known)})")
        _validate_option(owners[0], key, value, f"{where}: {name}.{key}")


def _validate_splits(splits: Any, where: str) -> None:
    if not isinstance(splits, dict):
        raise ConfigError(f"{where}: splits must be a table of name = [globs]")
    for name, value in splits.items():
        if name == "locked-test":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: splits.locked-test must be true or false")
        elif not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            raise ConfigError(f"{where}: splits.{name} must be a non-empty list of globs")


def _validate_option(meta: RuleMeta, key: str, value: Any, where: str) -> None:
    if key == "severity":
        _severity(value, where)
        return
    if key not in meta.options:
        known = ", ".join(["severity", *meta.options])
        raise ConfigError(f"{where}: unknown option for {meta.code} ({meta.name}); known: {known}")
    default = meta.options[key]
    expected: tuple[type, ...] = (type(default),)
    if isinstance(default, float):
        expected = (int, float)
    if isinstance(value, bool) and not isinstance(default, bool) or not isinstance(value, expected):
        raise ConfigError(f"{where}: expected {type(default).__name__}, got {type(value).__name__} {value!r}")
    if isinstance(default, list):
        item_type = type(default[0]) if default else str  # list options without a default hold strings
        if not all(isinstance(v, item_type) and not (isinstance(v, bool) and item_type is not bool) for v in value):
            raise ConfigError(f"{where}: expected a list of {item_type.__name__}")
    kind = meta.option_types.get(key)
    if kind in ("regex", "regex-list"):
        for pattern in value if isinstance(value, list) else [value]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"{where}: invalid regular expression {pattern!r}: {exc}") from None
