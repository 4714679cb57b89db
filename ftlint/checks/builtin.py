"""Rules reported by the reader and the engine themselves rather than by a check function.

They are listed here so the rule pack and the registry agree on every code.
"""
from ..registry import builtin_rules

builtin_rules(
    "S000",  # unreadable file
    "S001", "S002", "S003", "S004", "S005", "S006", "S007", "S008", "S009",  # reader
    "S010", "S011", "S012",  # format detection
    "S101",  # JSON Schema of the detected format
)
