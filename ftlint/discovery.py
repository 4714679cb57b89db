"""Turns the paths a user typed (files, directories, globs) into the dataset files to check."""
from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from .config import Config, ConfigError
from .readers import is_dataset_file

_GLOB_CHARS = set("*?[")


def discover_files(paths: Iterable[str], config: Config, force_exclude: bool = False,
                   ignore_unmatched: bool = False) -> list[Path]:
    """Explicit files are always checked (pre-commit passes them one by one); directories are
    searched for dataset suffixes minus `exclude`; globs must match something."""
    found: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in _search(path, config):
                found.setdefault(candidate, None)
        elif path.exists() or not (_GLOB_CHARS & set(raw)):
            if force_exclude and config.is_excluded(path):
                continue  # pre-commit names files one by one; --force-exclude still honours `exclude`
            found.setdefault(path, None)  # a missing file becomes a located "file not found" finding
        else:
            matches = sorted(Path(m) for m in glob.glob(raw, recursive=True))
            files: list[Path] = []
            for match in matches:
                if config.is_excluded(match):
                    continue
                if match.is_dir():  # as if the shell had expanded the glob: directories are searched
                    files.extend(_search(match, config))
                elif match.is_file():
                    files.append(match)
            if not files and not ignore_unmatched:
                raise ConfigError(f"{raw}: no file matches this pattern")
            for match in files:
                found.setdefault(match, None)
    return list(found)


def _search(directory: Path, config: Config) -> list[Path]:
    return [candidate for candidate in sorted(directory.rglob("*"))
            if candidate.is_file() and is_dataset_file(candidate) and not config.is_excluded(candidate)]
