"""What the `tokenizer` and `chat-template` settings name, resolved without importing anything heavy.

Resolution runs when the configuration loads, so a missing tokenizer file or a hub model that is
not in the local Hugging Face cache is a configuration error (exit 2) before any file is read,
not a crash in the middle of a run. ftlint never downloads: the error says what to fetch.
"""
from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import ConfigError

OPENAI_ENCODINGS = ("o200k_base", "cl100k_base")
# OpenAI model names accepted as tokenizer values, mapped to their encoding (as tiktoken does).
OPENAI_MODELS = {
    "gpt-4o": "o200k_base", "gpt-4o-mini": "o200k_base", "gpt-4.1": "o200k_base", "gpt-4.1-mini": "o200k_base",
    "gpt-4.1-nano": "o200k_base", "o1": "o200k_base", "o3": "o200k_base", "o4-mini": "o200k_base",
    "gpt-4": "cl100k_base", "gpt-3.5-turbo": "cl100k_base", "gpt-35-turbo": "cl100k_base",
}
ESTIMATE = "estimate"
NO_TEMPLATE = "none"
_HUB_NAME = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+(@[\w.\-/]+)?$")
# Options whose values the configuration resolves (paths relative to the config file).
TOKEN_SETTINGS = ("tokenizer", "chat-template")


@dataclass(frozen=True)
class TokenizerSpec:
    """A resolved tokenizer: hashable, picklable, and the key of the per-process tokenizer cache."""

    kind: str  # "openai", "hf" or "estimate"
    name: str  # encoding name, or the tokenizer.json path
    label: str  # what messages call it: "o200k_base", "Qwen/Qwen2.5-7B", "tokenizer.json", "estimated"
    template: str | None = None  # path of the chat template source (tokenizer_config.json / .jinja), if any
    stamp: str = ""  # size and mtime of the files, so a result cache notices a replaced tokenizer

    @property
    def estimated(self) -> bool:
        return self.kind == ESTIMATE


def bpe_openai_available() -> bool:
    return importlib.util.find_spec("bpe_openai") is not None


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, as huggingface_hub finds it (HF_HUB_CACHE, HF_HOME, XDG)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return Path(os.environ["HUGGINGFACE_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "huggingface" / "hub"


def _stamp(*paths: Path | None) -> str:
    parts = []
    for path in paths:
        if path is not None and path.is_file():
            stat = path.stat()
            parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(parts)


def _template_beside(directory: Path) -> Path | None:
    """Where a model directory keeps its chat template: chat_template.jinja (newer transformers)
    or the `chat_template` key of tokenizer_config.json."""
    for name in ("chat_template.jinja", "tokenizer_config.json", "chat_template.json"):
        if (directory / name).is_file():
            return directory / name
    return None


def _from_directory(directory: Path, label: str, what: str) -> TokenizerSpec:
    tokenizer = directory / "tokenizer.json"
    if not tokenizer.is_file():
        found = sorted(p.name for p in directory.iterdir() if p.name.startswith("tokenizer") or p.suffix == ".model")
        hint = (f" (it has {', '.join(found)}; a SentencePiece-only model needs converting: "
                f"`AutoTokenizer.from_pretrained(dir).save_pretrained(dir)` with transformers writes tokenizer.json)"
                if found else "")
        raise ConfigError(f"{what}: {directory} has no tokenizer.json{hint}")
    template = _template_beside(directory)
    return TokenizerSpec("hf", str(tokenizer.resolve()), label, str(template.resolve()) if template else None,
                         _stamp(tokenizer, template))


def _snapshot(name: str, what: str) -> Path:
    repo, _, revision = name.partition("@")
    cache = hub_cache_dir()
    model_dir = cache / ("models--" + repo.replace("/", "--"))
    revision = revision or "main"
    snapshot = None
    if model_dir.is_dir():
        ref = model_dir / "refs" / revision
        commit = ref.read_text(encoding="utf-8").strip() if ref.is_file() else revision
        if (model_dir / "snapshots" / commit).is_dir():
            snapshot = model_dir / "snapshots" / commit
        elif revision == "main":  # no refs/main: take the newest snapshot that has a tokenizer
            candidates = sorted((p for p in (model_dir / "snapshots").glob("*") if (p / "tokenizer.json").exists()),
                                key=lambda p: p.stat().st_mtime, reverse=True)
            snapshot = candidates[0] if candidates else None
    if snapshot is None or not (snapshot / "tokenizer.json").exists():
        where = f"revision {revision!r} of " if revision != "main" else ""
        raise ConfigError(
            f"{what}: {where}{repo!r} is not in the local Hugging Face cache ({cache}) and ftlint never downloads. "
            f"Fetch its tokenizer files once with `hf download {repo} tokenizer.json tokenizer_config.json` "
            f"(or `huggingface-cli download ...`), or set tokenizer to a local tokenizer.json or model directory")
    return snapshot


def resolve_tokenizer(value: Any, root: Path, what: str = "tokenizer") -> TokenizerSpec:
    """`""` (auto): o200k_base when bpe-openai is installed, else the estimate; an OpenAI encoding
    or model name; "estimate"; a tokenizer.json file; a model directory; a hub model name from the
    local Hugging Face cache. Relative paths are relative to the configuration file."""
    text = str(value or "").strip()
    if text in ("", "auto"):
        if bpe_openai_available():
            return TokenizerSpec("openai", "o200k_base", "o200k_base")
        return TokenizerSpec(ESTIMATE, ESTIMATE, "estimated")
    if text == ESTIMATE:
        return TokenizerSpec(ESTIMATE, ESTIMATE, "estimated")
    encoding = text if text in OPENAI_ENCODINGS else OPENAI_MODELS.get(text)
    if encoding:
        if not bpe_openai_available():
            raise ConfigError(f"{what}: {text!r} needs the bpe-openai package: pip install 'ftlint[openai]' "
                              f"(or set tokenizer = \"estimate\" for a labelled estimate)")
        return TokenizerSpec("openai", encoding, encoding)
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = root / path
    if path.is_file():
        if path.suffix == ".json" and path.name != "tokenizer_config.json":
            template = _template_beside(path.parent)
            return TokenizerSpec("hf", str(path.resolve()), text, str(template.resolve()) if template else None,
                                 _stamp(path, template))
        raise ConfigError(f"{what}: {text} is not a tokenizer.json file (give the tokenizer.json, its model "
                          f"directory, an OpenAI encoding such as o200k_base, or \"estimate\")")
    if path.is_dir():
        return _from_directory(path, text, what)
    looks_like_path = text.startswith((".", "/", "~")) or text.endswith(".json") or os.sep in text.replace("/", "")
    if not looks_like_path and _HUB_NAME.match(text):
        try:
            return _from_directory(_snapshot(text, what), text, what)
        except ConfigError as exc:  # "models/tiny" may have been meant as a directory
            raise ConfigError(f"{exc}; as a path, {path} does not exist") from None
    raise ConfigError(f"{what}: {text} not found (relative paths are relative to the configuration file, {root}); "
                      f"give a tokenizer.json file, a model directory, a model name from the local Hugging Face "
                      f"cache, an OpenAI encoding (o200k_base, cl100k_base) or \"estimate\"")


def resolve_template(value: Any, spec: TokenizerSpec, root: Path, what: str = "chat-template") -> str | None:
    """`""`: the template shipped beside the tokenizer (if any); "none": count without one; else a
    path to a .jinja file, a tokenizer_config.json or a chat_template.json."""
    text = str(value or "").strip()
    if text == "":
        return spec.template
    if text == NO_TEMPLATE:
        return None
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = root / path
    if path.is_dir():
        found = _template_beside(path)
        if found is None:
            raise ConfigError(f"{what}: {text} holds no chat_template.jinja or tokenizer_config.json")
        path = found
    if not path.is_file():
        raise ConfigError(f"{what}: {text} not found (relative paths are relative to the configuration file, {root})")
    return str(path.resolve())


def resolve_token_options(options: dict[str, dict[str, Any]], root: Path, where: str) -> None:
    """Resolve configured token settings once, when the configuration loads.

    The resolved `TokenizerSpec` rides in the options under `_tokenizer` (picklable, hashable), so
    rules never resolve again, relative paths stay relative to the configuration file, and the
    result cache key changes when the tokenizer file does. Default settings are left as they are."""
    resolved: dict[tuple[str, str], TokenizerSpec] = {}
    for opts in options.values():
        if "tokenizer" not in opts:
            continue
        key = (str(opts.get("tokenizer", "")), str(opts.get("chat-template", "")))
        if key == ("", ""):
            continue  # the default (o200k_base or the estimate) needs no path: resolved on first use
        if key not in resolved:
            spec = resolve_tokenizer(key[0], root, f"{where}: tokenizer")
            if key[1].strip() not in ("", NO_TEMPLATE) and spec.kind != "hf":
                raise ConfigError(f"{where}: chat-template {key[1]!r} needs a Hugging Face tokenizer (tokenizer.json "
                                  f"or a model directory) whose special tokens the template uses; the tokenizer is "
                                  f"{spec.label}")
            template = resolve_template(key[1], spec, root, f"{where}: chat-template")
            stamp = spec.stamp if template == spec.template else ";".join(
                filter(None, [spec.stamp, _stamp(Path(template)) if template else ""]))
            resolved[key] = TokenizerSpec(spec.kind, spec.name, spec.label, template, stamp)
        opts["_tokenizer"] = resolved[key]
