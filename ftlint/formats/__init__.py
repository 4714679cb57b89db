"""Dataset formats: which keys identify them and how their records map onto a `Sample`."""
from .registry import FORMATS, FormatSpec, get_format
from .detect import Detection, detect_file_format, detect_record_format

__all__ = ["FORMATS", "FormatSpec", "get_format", "Detection", "detect_file_format", "detect_record_format"]
