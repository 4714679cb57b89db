"""Small helpers shared by the machine-readable reporters."""
from __future__ import annotations

import os
from pathlib import Path

from ..model import Finding, Severity


def relative_uri(path: str) -> str:
    """Repository-relative POSIX path: what code-scanning UIs and CI annotations resolve."""
    try:
        rel = os.path.relpath(Path(path).resolve(), Path.cwd())
    except ValueError:
        return Path(path).as_posix()
    outside = Path(rel).parts[:1] == (os.pardir,)  # "../x", but not a folder named "..data"
    return Path(path).as_posix() if outside else Path(rel).as_posix()


def headline(finding: Finding) -> str:
    """The message with its field, as one line."""
    field = f" ({finding.location.field})" if finding.location.field else ""
    return f"{finding.message}{field}"


SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
