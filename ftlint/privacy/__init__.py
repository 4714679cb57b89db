"""PII and secrets detection for the P rules and `ftlint fix --redact`.

Layers, each in its own module: `entities` (what exists, which rule reports it), `prefilter`
(which texts can skip presidio), `secrets` (our own recognizers), `analyzer` (presidio, offline
and quiet, cached per process), `overlap` (one entity per span), `allow` (placeholder values),
`mask` (what outputs show instead of a value), `scan` (the record-level glue) and `redact`
(presidio-anonymizer). Nothing here imports presidio or spaCy until a text needs analysing.
"""
from __future__ import annotations

from .mask import mask
from .scan import Detection, Settings, detect, detect_text

__all__ = ["Detection", "Settings", "detect", "detect_text", "mask"]
