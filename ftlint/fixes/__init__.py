"""Mechanical fixes (`ftlint fix`): one module per fixer, each registering itself with `base.fixer`.

`base` holds the registry and the protocol (read its docstring to write a fixer), `engine` the
fix loop (check, observe, apply, re-check until nothing changes), `files` the byte-preserving
readers and atomic writers, `command` the CLI, `split` the leakage-free train/test split.
"""
