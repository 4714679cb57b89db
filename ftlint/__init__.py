"""ftlint: a linter for LLM fine-tuning datasets."""
__version__ = "0.1.0"

from .engine import Report, check  # noqa: E402
from .model import Finding, Location, Record, Sample, Severity  # noqa: E402

__all__ = ["check", "Report", "Finding", "Location", "Record", "Sample", "Severity", "__version__"]
