"""ftlint: a linter for LLM fine-tuning datasets."""
__version__ = "0.1.0"

_LAZY = {"check": "engine", "Report": "engine", "Finding": "model", "Location": "model", "Record": "model",
         "Sample": "model", "Severity": "model"}


def __getattr__(name: str):  # imported on first use: `ftlint --version` and replayed runs need none
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["check", "Report", "Finding", "Location", "Record", "Sample", "Severity", "__version__"]
