"""The rule pack is the single source of rule metadata: it must agree with the code, the README
and the packaged wheel."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ftlint import docs
from ftlint.config import ConfigError, expand_selectors
from ftlint.registry import discover
from ftlint.rulepack import FAMILIES, load_rules, rules_dir

ROOT = Path(__file__).resolve().parent.parent


def test_every_rule_has_an_implementation_and_every_implementation_metadata():
    rules, implementations = set(load_rules()), set(discover())
    assert rules - implementations == set(), "rules without code"
    assert implementations - rules == set(), "code without rule metadata"


@pytest.mark.parametrize("code", list(load_rules()))
def test_rule_docs_are_complete(code):
    meta = load_rules()[code]
    assert meta.code[0] in FAMILIES and len(meta.code) == 4
    assert meta.name and meta.name == meta.name.lower() and " " not in meta.name
    for text in (meta.summary, meta.why, meta.bad, meta.good):
        assert text.strip(), f"{code}: empty doc field"
    assert meta.bad.strip() != meta.good.strip()
    for option in meta.options:
        assert option in meta.option_docs, f"{code}: option {option} is undocumented"
    explained = meta.explain()
    assert code in explained and "Bad" in explained and "Good" in explained


def test_rule_names_are_unique():
    names = [meta.name for meta in load_rules().values()]
    assert len(names) == len(set(names))


def test_readme_tables_match_the_rule_pack():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docs.render(readme) == readme, "README tables are stale: run `python -m ftlint.docs`"
    for code in load_rules():
        assert f"| {code} |" in readme


def test_selectors_expand_like_ruff():
    assert expand_selectors(["S2"], "test") == {c for c in load_rules() if c.startswith("S2")}
    assert expand_selectors(["ALL"], "test") == set(load_rules())
    with pytest.raises(ConfigError, match="S9"):
        expand_selectors(["S9"], "test")


def test_built_wheel_ships_the_rule_pack_and_finds_it(tmp_path):
    """An installed wheel (not the source tree) must find rules/ inside the package."""
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    wheel = next(out.glob("ftlint-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    assert "ftlint/rules/structure.toml" in names
    assert "ftlint/rules/schemas/openai-chat.json" in names
    probe = ("import ftlint.rulepack as r, ftlint; d = r.rules_dir(); "
             "print(d); print(len(r.load_rules())); print(ftlint.__file__)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"}, check=True)
    found_dir, count, module = result.stdout.split("\n")[:3]
    assert Path(found_dir) == tmp_path / "site" / "ftlint" / "rules"
    assert Path(module).is_relative_to(tmp_path / "site")
    assert int(count) == len(load_rules())


def test_source_tree_rules_dir_is_the_top_level_pack():
    assert rules_dir() == ROOT / "rules"
