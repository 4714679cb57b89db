"""`ftlint fix`: real CLI runs on generated datasets with planted problems.

Every test asserts what a user would check: which records are gone, that every other line is
byte for byte what it was, that the input is untouched (or backed up with --in-place), that a
second fix changes nothing, and that the output passes `check` for the fixed rules.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import ftlint

from _fix_data import long_record, longer, messy_lines, run_cli, write_lines
from _records import chat_record


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no repository config leaks into a run


def findings_of(path: Path, codes: list[str], **overrides):
    report = ftlint.check(path, extend_select=codes, **overrides)
    return [(f.code, f.location.line) for f in report.findings if f.code in codes]


def kept_lines(original: list[str], dropped: set[int]) -> list[str]:
    return [line for n, line in enumerate(original, 1) if n not in dropped]


# --------------------------------------------------------------------------- drop-invalid and dedup


def test_fix_drops_invalid_records_and_duplicates_and_keeps_every_other_byte(tmp_path, capsys):
    lines, planted = messy_lines()
    source = write_lines(tmp_path / "train.jsonl", lines)
    before = source.read_bytes()
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix")
    assert code == 0, out
    assert source.read_bytes() == before  # input untouched
    fixed = tmp_path / "train.fixed.jsonl"
    dropped = {n for lines_ in planted.values() for n in lines_}
    assert fixed.read_bytes().decode() == "".join(line + "\n" for line in kept_lines(lines, dropped))
    assert "dedup: dropped 2 (line 11, 21)" in out
    assert "drop-invalid: dropped 5 (line 26, 31, 36, 41, 46)" in out
    assert "66 records in, 60 out (6 dropped, 0 changed, 1 blank line removed)" in out
    assert ("dropped per rule: D101 duplicate-record 2, S001 invalid-json 1, S005 blank-line 1, "
            "S006 not-an-object 1, S101 schema-violation 1, S202 wrong-final-turn 1") in out
    assert findings_of(fixed, ["S", "D101"]) == []


def test_each_flag_applies_only_its_own_fix(tmp_path, capsys):
    lines, planted = messy_lines()
    write_lines(tmp_path / "train.jsonl", lines)
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--dedup", "-o", "dedup.jsonl")
    assert code == 1  # the broken records remain, and no enabled fix can fix them
    assert (tmp_path / "dedup.jsonl").read_text().splitlines() == kept_lines(lines, set(planted["duplicate"]))
    assert "Remaining:" in out and "S001 invalid-json x1" in out
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--drop-invalid", "-o", "valid.jsonl")
    invalid = {n for kind, ns in planted.items() if kind != "duplicate" for n in ns}
    assert (tmp_path / "valid.jsonl").read_text().splitlines() == kept_lines(lines, invalid)
    assert code == 1 and "D101 duplicate-record" in out


def test_fixable_and_unfixable_pick_fixes_by_rule_code(tmp_path, capsys):
    lines, planted = messy_lines()
    write_lines(tmp_path / "train.jsonl", lines)
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fixable", "D", "-o", "d.jsonl")
    assert "dedup: dropped 2" in out and "drop-invalid" not in out
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix", "--unfixable", "D101", "-o", "s.jsonl")
    assert "drop-invalid: dropped 5" in out and "dedup" not in out
    code, _, err = run_cli(capsys, "fix", "train.jsonl", "--fixable", "Z9")
    assert code == 2 and "Z9" in err


def test_fixable_and_unfixable_from_the_configuration(tmp_path, capsys):
    lines, _ = messy_lines()
    write_lines(tmp_path / "train.jsonl", lines)
    config = tmp_path / "ftlint.toml"
    config.write_text('fixable = ["D101"]\n', encoding="utf-8")
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "-o", "d.jsonl")  # no flag: the config says what
    assert "dedup: dropped 2" in out and "drop-invalid" not in out
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fixable", "S", "-o", "s.jsonl")  # the CLI replaces it
    assert "drop-invalid: dropped 5" in out and "dedup" not in out
    config.write_text('unfixable = ["D101"]\n', encoding="utf-8")
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix", "-o", "u.jsonl")
    assert "drop-invalid: dropped 5" in out and "dedup" not in out
    config.write_text('fixable = ["Z9"]\n', encoding="utf-8")
    code, _, err = run_cli(capsys, "fix", "train.jsonl", "-o", "z.jsonl")
    assert code == 2 and "fixable" in err and "Z9" in err


def test_rules_turned_off_in_the_configuration_are_not_fixed(tmp_path, capsys):
    """Intended duplicates (augmentation) stay when the configuration ignores D101; a per-file
    ignore of a record rule keeps those records too."""
    (tmp_path / "ftlint.toml").write_text('ignore = ["D101"]\n[per-file."train.jsonl"]\nignore = ["S202"]\n')
    lines, planted = messy_lines()
    write_lines(tmp_path / "train.jsonl", lines)
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix")
    assert code == 0, out
    kept = {*planted["duplicate"], *planted["final-turn"]}
    dropped = {n for ns in planted.values() for n in ns} - kept
    assert (tmp_path / "train.fixed.jsonl").read_text().splitlines() == kept_lines(lines, dropped)
    assert "dedup: D101 turned off for this file by the configuration, so not fixed" in out


def test_warnings_do_not_drop_a_record(tmp_path, capsys):
    records = [chat_record(i) for i in range(60)]
    records[7] = chat_record(7, id=7)  # unknown key: S102 warning
    write_lines(tmp_path / "train.jsonl", [json.dumps(r) for r in records])
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--drop-invalid")
    assert code == 0
    assert (tmp_path / "train.fixed.jsonl").read_bytes() == (tmp_path / "train.jsonl").read_bytes()
    assert "(0 dropped, 0 changed)" in out and "S102 unknown-key x1" in out


def test_duplicates_below_the_tolerated_rate_are_dropped_too(tmp_path, capsys):
    """D101's max-rate hides a small share from `check`; `fix --dedup` removes every copy."""
    (tmp_path / "ftlint.toml").write_text("[rules.D101]\nmax-rate = 0.5\n")
    records = [chat_record(i) for i in range(60)] + [chat_record(1)]
    write_lines(tmp_path / "train.jsonl", [json.dumps(r) for r in records])
    assert findings_of(tmp_path / "train.jsonl", ["D101"]) == []
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--dedup")
    assert code == 0
    assert len((tmp_path / "train.fixed.jsonl").read_text().splitlines()) == 60
    assert "dropped 1 (line 61)" in out


# --------------------------------------------------------------------------- near duplicates


def test_near_dedup_keeps_the_most_complete_member(tmp_path, capsys):
    base = [long_record(i) for i in range(60)]
    richer = longer(base[4])  # later in the file, but with the longer answer
    three_turns = {"messages": [{"role": "system", "content": "Be brief."}, *base[9]["messages"]]}
    records = base + [richer, three_turns]
    write_lines(tmp_path / "train.jsonl", [json.dumps(r) for r in records])
    found = findings_of(tmp_path / "train.jsonl", ["D201"], rules={"D201": {"max-rate": 0.0}})
    assert {line for _, line in found if line} == {61, 62}
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--near-dedup")
    assert code == 0, out
    kept = [json.loads(line) for line in (tmp_path / "train.fixed.jsonl").read_text().splitlines()]
    assert len(kept) == 60
    assert richer in kept and base[4] not in kept  # the longer response wins over the earlier line
    assert three_turns in kept and base[9] not in kept  # more turns win
    assert "near-dedup: dropped 2 (line 5, 10)" in out
    assert findings_of(tmp_path / "train.fixed.jsonl", ["D201"], rules={"D201": {"max-rate": 0.0}}) == []


def test_near_dedup_keeps_a_member_in_a_file_it_does_not_fix(tmp_path, capsys):
    """A cluster member in another file of the split cannot be dropped here, so it is the one
    that stays, even when the member in the fixed file is more complete."""
    (tmp_path / "ftlint.toml").write_text('[splits]\ntrain = ["a.jsonl", "b.jsonl"]\n')
    write_lines(tmp_path / "a.jsonl", [json.dumps(long_record(i)) for i in range(40)])
    b = [long_record(100 + i) for i in range(40)] + [longer(long_record(7))]
    write_lines(tmp_path / "b.jsonl", [json.dumps(r) for r in b])
    code, out, _ = run_cli(capsys, "fix", "b.jsonl", "--near-dedup")
    assert code == 0, out
    assert (tmp_path / "b.fixed.jsonl").read_text().splitlines() == [json.dumps(r) for r in b[:40]]
    assert "near-dedup: dropped 1 (line 41)" in out
    # fixing both files together keeps the most complete one, wherever it is
    code, out, _ = run_cli(capsys, "fix", "a.jsonl", "b.jsonl", "--near-dedup")
    assert code == 0, out
    assert len((tmp_path / "a.fixed.jsonl").read_text().splitlines()) == 39
    assert (tmp_path / "b.fixed.jsonl").read_text().splitlines() == [json.dumps(r) for r in b]


def test_near_dedup_is_not_part_of_fix(tmp_path, capsys):
    records = [long_record(i) for i in range(60)] + [longer(long_record(2))]
    write_lines(tmp_path / "train.jsonl", [json.dumps(r) for r in records])
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix")
    assert len((tmp_path / "train.fixed.jsonl").read_text().splitlines()) == 61
    assert "near-dedup" not in out


# --------------------------------------------------------------------------- idempotence, every fixer


def _sharegpt(i: int) -> dict:
    chat = chat_record(i)["messages"]
    return {"conversations": [{"from": "human", "value": chat[0]["content"]},
                              {"from": "gpt", "value": chat[1]["content"]}]}


def _only(*kinds: str) -> list[str]:
    lines, planted = messy_lines()
    other = {n for kind, ns in planted.items() if kind not in kinds for n in ns}
    return [line for n, line in enumerate(lines, 1) if n not in other]


FIXER_CASES = {
    "--drop-invalid": ("train.jsonl", lambda: _only("invalid-json", "not-object", "schema", "final-turn", "blank"), ["S"]),
    "--dedup": ("train.jsonl", lambda: _only("duplicate"), ["D101"]),
    "--near-dedup": ("train.jsonl", lambda: [json.dumps(r) for r in
                                             [long_record(i) for i in range(60)] + [longer(long_record(3))]], ["D201"]),
    "--normalize-sharegpt": ("train.jsonl", lambda: [json.dumps(_sharegpt(i)) for i in range(60)], ["S"]),
    "--fix": ("train.jsonl", lambda: messy_lines()[0], ["S", "D101"]),
}


@pytest.mark.parametrize("flag", sorted(FIXER_CASES))
def test_fix_twice_equals_fix_once_and_check_passes(flag, tmp_path, capsys):
    name, make, codes = FIXER_CASES[flag]
    write_lines(tmp_path / name, make())
    code, out, _ = run_cli(capsys, "fix", name, flag, "-o", "once.jsonl")
    assert code == 0, out
    once = (tmp_path / "once.jsonl").read_bytes()
    assert once != (tmp_path / name).read_bytes()  # there was something to fix
    code, out, _ = run_cli(capsys, "fix", "once.jsonl", flag, "-o", "twice.jsonl")
    assert code == 0, out
    assert (tmp_path / "twice.jsonl").read_bytes() == once
    assert "(0 dropped, 0 changed)" in out
    rules = {"D201": {"max-rate": 0.0}, "D101": {"max-rate": 0.0}}
    assert findings_of(tmp_path / "once.jsonl", codes, rules=rules) == []


def test_every_registered_fixer_has_an_idempotence_case():
    from ftlint.fixes.base import discover_fixers

    mine = {"invalid", "duplicates", "leakage", "convert"}  # the redaction fixer is tested with the privacy rules
    flags = {info.flag for info in discover_fixers().values() if info.cls.__module__.rsplit(".", 1)[-1] in mine}
    covered = (set(FIXER_CASES) - {"--fix"}) | {"--drop-leaked"}  # leakage: test_fix_leakage.py
    assert flags == covered, flags ^ covered


# --------------------------------------------------------------------------- output modes


def test_in_place_replaces_atomically_and_keeps_a_backup(tmp_path, capsys):
    lines, planted = messy_lines()
    source = write_lines(tmp_path / "train.jsonl", lines)
    before = source.read_bytes()
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix", "--in-place")
    assert code == 0, out
    assert (tmp_path / "train.jsonl.bak").read_bytes() == before
    assert len(source.read_text().splitlines()) == 60
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.jsonl", "train.jsonl.bak"]  # no temp file left
    assert (source.stat().st_mode & 0o777) == (tmp_path / "train.jsonl.bak").stat().st_mode & 0o777
    assert "in place, backup" in out


def test_in_place_with_nothing_to_fix_touches_nothing(tmp_path, capsys):
    source = write_lines(tmp_path / "train.jsonl", [json.dumps(chat_record(i)) for i in range(60)])
    stat = source.stat()
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix", "--in-place")
    assert code == 0
    assert source.stat().st_mtime_ns == stat.st_mtime_ns
    assert not (tmp_path / "train.jsonl.bak").exists()
    assert "nothing to fix" in out


def test_diff_lists_changes_and_writes_nothing(tmp_path, capsys):
    lines, planted = messy_lines()
    write_lines(tmp_path / "train.jsonl", lines)
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix", "--diff")
    assert code == 1  # something would change
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.jsonl"]
    assert "line 11: dropped by dedup [D101 duplicate-record]" in out
    assert "line 26: dropped by drop-invalid [S001 invalid-json]" in out
    assert "line 36: dropped by drop-invalid [S101 schema-violation]" in out
    assert "cut off" not in out  # record text is never printed (it may hold personal data)
    write_lines(tmp_path / "clean.jsonl", [json.dumps(chat_record(i)) for i in range(60)])
    code, out, _ = run_cli(capsys, "fix", "clean.jsonl", "--fix", "--diff")
    assert code == 0 and "nothing to change" in out


def test_json_array_keeps_its_layout(tmp_path, capsys):
    records = [chat_record(i) for i in range(60)]
    records.insert(5, chat_record(2))
    records.insert(9, {"messages": [{"role": "user", "content": "unanswered"}]})
    text = "[\n" + ",\n".join("  " + json.dumps(r, indent=2).replace("\n", "\n  ") for r in records) + "\n]\n"
    source = tmp_path / "train.json"
    source.write_text(text)
    code, out, _ = run_cli(capsys, "fix", "train.json", "--fix")
    assert code == 0, out
    fixed = (tmp_path / "train.fixed.json").read_text()
    del records[9], records[5]
    assert fixed == "[\n" + ",\n".join("  " + json.dumps(r, indent=2).replace("\n", "\n  ") for r in records) + "\n]\n"
    run_cli(capsys, "fix", "train.fixed.json", "--fix", "-o", "again.json")
    assert (tmp_path / "again.json").read_text() == fixed


def test_one_line_json_array_is_refused_not_guessed(tmp_path, capsys):
    records = [chat_record(0), chat_record(0), chat_record(1)]
    (tmp_path / "train.json").write_text(json.dumps(records))
    code, _, err = run_cli(capsys, "fix", "train.json", "--dedup")
    assert code == 2 and "one record per line" in err
    assert not (tmp_path / "train.fixed.json").exists()


def test_gzip_in_gzip_out(tmp_path, capsys):
    lines, planted = messy_lines()
    with gzip.open(tmp_path / "train.jsonl.gz", "wb") as fh:
        fh.write("".join(line + "\n" for line in lines).encode())
    code, out, _ = run_cli(capsys, "fix", "train.jsonl.gz", "--fix")
    assert code == 0, out
    with gzip.open(tmp_path / "train.fixed.jsonl.gz", "rb") as fh:
        assert len(fh.read().decode().splitlines()) == 60


def test_gzip_output_is_reproducible(tmp_path, capsys):
    lines, _ = messy_lines()
    with gzip.open(tmp_path / "train.jsonl.gz", "wb") as fh:
        fh.write("".join(line + "\n" for line in lines).encode())
    run_cli(capsys, "fix", "train.jsonl.gz", "--fix", "-o", "a.jsonl.gz")
    run_cli(capsys, "fix", "train.jsonl.gz", "--fix", "-o", "b.jsonl.gz")
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()


def test_corrupt_gzip_is_an_input_error(tmp_path, capsys):
    (tmp_path / "train.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    code, _, err = run_cli(capsys, "fix", "train.jsonl.gz", "--fix")
    assert code == 2 and "train.jsonl.gz" in err
    assert not (tmp_path / "train.fixed.jsonl.gz").exists()


def test_line_endings_bom_and_last_line_are_preserved(tmp_path, capsys):
    """CRLF lines stay CRLF, the BOM stays at the start of the file when line 1 is dropped, and a
    last line without a newline stays without one."""
    records = [json.dumps(chat_record(i)) for i in range(60)]
    crlf = [(r + "\r\n").encode() for r in records]
    raw = "\ufeff".encode() + b'{"messages": [\r\n' + crlf[0] + crlf[1] + crlf[0] + b"".join(crlf[2:59])
    (tmp_path / "train.jsonl").write_bytes(raw + records[59].encode())
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix")
    assert "drop-invalid: dropped 1 (line 1)" in out and "dedup: dropped 1 (line 4)" in out
    expected = "\ufeff".encode() + crlf[0] + crlf[1] + b"".join(crlf[2:59]) + records[59].encode()
    assert (tmp_path / "train.fixed.jsonl").read_bytes() == expected


def test_parquet_rows_are_dropped_with_schema_and_compression_kept(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [chat_record(i) for i in range(60)]
    rows.insert(7, chat_record(1))  # duplicate
    rows.insert(20, {"messages": [{"role": "user", "content": "no answer"}]})  # wrong final turn
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "train.parquet", compression="zstd")
    before = (tmp_path / "train.parquet").read_bytes()
    code, out, _ = run_cli(capsys, "fix", "train.parquet", "--fix")
    assert code == 0, out
    assert (tmp_path / "train.parquet").read_bytes() == before
    fixed = pq.ParquetFile(tmp_path / "train.fixed.parquet")
    assert fixed.schema_arrow == pq.ParquetFile(tmp_path / "train.parquet").schema_arrow
    assert fixed.metadata.row_group(0).column(0).compression == "ZSTD"
    assert fixed.read().to_pylist() == [chat_record(i) for i in range(60)]
    assert "dedup: dropped 1 (line 8)" in out and "drop-invalid: dropped 1 (line 21)" in out
    code, out, _ = run_cli(capsys, "fix", "train.fixed.parquet", "--fix", "-o", "again.parquet")
    assert code == 0 and "(0 dropped, 0 changed)" in out


def test_parquet_cannot_change_format(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [{"conversations": [{"from": "human", "value": f"q{i} " + chat_record(i)["messages"][0]["content"]},
                               {"from": "gpt", "value": chat_record(i)["messages"][1]["content"]}]} for i in range(60)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "sg.parquet")
    code, _, err = run_cli(capsys, "fix", "sg.parquet", "--normalize-sharegpt")
    assert code == 2 and "keeps its schema" in err
    assert not (tmp_path / "sg.fixed.parquet").exists()


def test_changed_record_keeps_the_line_style(tmp_path, capsys):
    """Compact lines stay compact, non-ASCII stays raw UTF-8: only the converted lines differ."""
    compact = json.dumps({"conversations": [{"from": "human", "value": "Grüße?"}, {"from": "gpt", "value": "Hallo."}]},
                         ensure_ascii=False, separators=(",", ":"))
    lines = [compact] + [json.dumps(_sharegpt(i)) for i in range(60)]
    write_lines(tmp_path / "train.jsonl", lines)
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--normalize-sharegpt")
    assert code == 0, out
    first = (tmp_path / "train.fixed.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert first == '{"messages":[{"role":"user","content":"Grüße?"},{"role":"assistant","content":"Hallo."}]}'


# --------------------------------------------------------------------------- usage and input errors


def test_usage_errors_exit_2(tmp_path, capsys):
    write_lines(tmp_path / "a.jsonl", [json.dumps(chat_record(i)) for i in range(3)])
    write_lines(tmp_path / "b.jsonl", [json.dumps(chat_record(i)) for i in range(3)])
    code, _, err = run_cli(capsys, "fix", "a.jsonl")
    assert code == 2 and "nothing to do" in err
    code, _, err = run_cli(capsys, "fix", "a.jsonl", "b.jsonl", "--fix", "-o", "out.jsonl")
    assert code == 2 and "one input file" in err
    code, _, err = run_cli(capsys, "fix", "a.jsonl", "--fix", "-o", "a.jsonl")
    assert code == 2 and "--in-place" in err
    code, _, err = run_cli(capsys, "fix", "missing.jsonl", "--fix")
    assert code == 2 and "missing.jsonl" in err
    code, _, err = run_cli(capsys, "fix", "a.jsonl", "--fix", "-o", "out.json")
    assert code == 2 and "layout" in err
    code, _, err = run_cli(capsys, "fix", "a.jsonl", "--fix", "-o", "no/such/dir/out.jsonl")
    assert code == 2 and "cannot write" in err


def test_several_files_get_one_output_each(tmp_path, capsys):
    lines, _ = messy_lines()
    write_lines(tmp_path / "a.jsonl", lines)
    write_lines(tmp_path / "b.jsonl", [json.dumps(chat_record(i)) for i in range(100, 160)])
    code, out, _ = run_cli(capsys, "fix", "a.jsonl", "b.jsonl", "--fix")
    assert code == 0, out
    assert len((tmp_path / "a.fixed.jsonl").read_text().splitlines()) == 60
    assert (tmp_path / "b.fixed.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


# --------------------------------------------------------------------------- fixes that reveal others


def test_redaction_then_dedup_in_one_run(tmp_path, capsys):
    """Two records that differ only in an e-mail address are duplicates once redacted: the fix
    loop drops the second in the same run, so a second `fix` has nothing left to do."""
    lines, planted = messy_lines()
    reset = '{{"messages": [{{"role": "user", "content": "My email is {}, reset my password."}}, ' \
            '{{"role": "assistant", "content": "Sent a reset link."}}]}}'
    lines += [reset.format("bob.stone@gmail.com"), reset.format("carl.weiss@web.de")]
    source = write_lines(tmp_path / "train.jsonl", lines)
    before = source.read_bytes()
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix", "--redact")
    assert code == 0, out
    assert source.read_bytes() == before
    fixed = (tmp_path / "train.fixed.jsonl").read_text().splitlines()
    assert fixed[-1] == reset.format("<EMAIL_ADDRESS>")
    assert len(fixed) == 61
    assert "dedup: dropped 3 (line 11, 21, 69)" in out
    assert "(7 dropped, 1 changed, 1 blank line removed)" in out
    assert "gmail" not in out and "weiss" not in out
    code, out, _ = run_cli(capsys, "fix", "train.fixed.jsonl", "--fix", "--redact", "--diff")
    assert code == 0 and "nothing to change" in out

