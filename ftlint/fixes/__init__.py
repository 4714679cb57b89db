"""Mechanical fixes (`ftlint fix`): one module per fixer, each registering itself with `base.fixer`."""
