"""Turns the paths a user typed (files, directories, globs) into the dataset files to check."""
from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from .config import Config, ConfigError
from .readers import is_dataset_file

_GLOB_CHARS = set("*?[")


def discover_files(paths: Iterable[str], config: Config) -> list[Path]:
    """Explicit files are always checked (pre-commit passes them one by one); directories are
    searched for dataset suffixes minus `exclude`; globs must match something."""
    found: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                if candidate.is_file() and is_dataset_file(candidate) and not config.is_excluded(candidate):
                    found.setdefault(candidate, None)
        elif path.exists() or not (_GLOB_CHARS & set(raw)):
            found.setdefault(path, None)  # a missing file becomes a located "file not found" finding
        else:
            matches = sorted(Path(m) for m in glob.glob(raw, recursive=True))
            files = [m for m in matches if m.is_file() and not config.is_excluded(m)]
            if not files:
                raise ConfigError(f"{raw}: no file matches this pattern")
            for match in files:
                found.setdefault(match, None)
    return list(found)
