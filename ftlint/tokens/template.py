"""Chat templates rendered the way transformers' `apply_chat_template` renders them, sandboxed.

A template comes from a tokenizer_config.json (`chat_template`, a string or a list of named
templates), a chat_template.json, or a .jinja file. It runs in jinja2's immutable sandbox with the
globals transformers provides (`raise_exception`, `strftime_now`, a `tojson` that keeps
non-ASCII text, the `{% generation %}` tag), so a template that refuses a conversation raises
here exactly as it would in the trainer, and counts match what the trainer tokenizes.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..config import ConfigError

_LOADED: dict[str, "ChatTemplate"] = {}
PROBE = "ftlint-probe-3b7f"
PROBE_ROLES = ("system", "developer", "user", "assistant", "tool")


class TemplateRefused(Exception):
    """The template raised (raise_exception, or a Jinja error) for a conversation."""


def _special(value: Any) -> str | None:
    """tokenizer_config.json stores special tokens as strings or AddedToken dicts."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return value["content"]
    return None


def _read_source(path: Path) -> tuple[str, dict[str, str]]:
    """(template text, special tokens such as bos_token) from one of the files a model ships."""
    if path.suffix == ".jinja":
        specials: dict[str, str] = {}
        config = path.parent / "tokenizer_config.json"
        if config.is_file():
            _, specials = _read_source(config)
        return path.read_text(encoding="utf-8"), specials
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"chat-template: cannot read {path}: {exc}") from None
    specials = {key: text for key in ("bos_token", "eos_token", "unk_token", "pad_token", "sep_token",
                                     "cls_token", "mask_token") if (text := _special(data.get(key)))}
    template = data.get("chat_template")
    if isinstance(template, list):  # [{"name": "default", "template": ...}, {"name": "tool_use", ...}]
        named = {t.get("name"): t.get("template") for t in template if isinstance(t, dict)}
        template = named.get("default") or next(iter(named.values()), None)
    if not isinstance(template, str) or not template.strip():
        sibling = path.parent / "chat_template.jinja"
        if sibling.is_file():
            return sibling.read_text(encoding="utf-8"), specials
        raise ConfigError(f"chat-template: {path} has no chat_template; set chat-template = \"none\" to count "
                          f"without one, or point it at the model's chat_template.jinja")
    return template, specials


class ChatTemplate:
    def __init__(self, path: str) -> None:
        import jinja2
        from jinja2 import nodes
        from jinja2.ext import Extension, loopcontrols
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        class Generation(Extension):
            """`{% generation %}...{% endgeneration %}` marks assistant text for masks; render as is."""

            tags = {"generation"}

            def parse(self, parser: Any) -> Any:
                lineno = next(parser.stream).lineno
                body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
                return nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

            def _render(self, caller: Any) -> str:
                return caller()

        def raise_exception(message: str) -> None:
            raise jinja2.exceptions.TemplateError(message)

        def tojson(value: Any, ensure_ascii: bool = False, indent: Any = None, separators: Any = None,
                   sort_keys: bool = False) -> str:
            return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                              sort_keys=sort_keys)

        def strftime_now(fmt: str) -> str:
            # Fixed date: counts must not change with the day the linter runs.
            import datetime

            return datetime.datetime(2025, 1, 1).strftime(fmt)

        self.path = path
        source, self.specials = _read_source(Path(path))
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                            extensions=[Generation, loopcontrols])
        env.filters["tojson"] = tojson
        env.globals["raise_exception"] = raise_exception
        env.globals["strftime_now"] = strftime_now
        try:
            self._template = env.from_string(source)
        except jinja2.exceptions.TemplateSyntaxError as exc:
            raise ConfigError(f"chat-template: {path}: template syntax error on line {exc.lineno}: {exc.message}") from None
        self._errors = (jinja2.exceptions.TemplateError, TypeError, ValueError, KeyError, IndexError,
                        AttributeError, ZeroDivisionError)
        self._probes: dict[str, str | None] = {}

    def render(self, messages: list[dict[str, Any]], tools: Any = None) -> str:
        try:
            return self._template.render(messages=messages, tools=tools, documents=None,
                                         add_generation_prompt=False, **self.specials)
        except self._errors as exc:
            raise TemplateRefused(str(exc) or type(exc).__name__) from None

    def role_problem(self, role: str) -> str | None:
        """Why the template cannot take a turn of `role` (None when it can): it raises, or it
        renders the conversation without the turn's text (silently dropped)."""
        if role not in self._probes:
            self._probes[role] = self._probe(role)
        return self._probes[role]

    def _probe(self, role: str) -> str | None:
        before = {"system": [], "developer": [], "user": [], "assistant": [{"role": "user", "content": "Hi"}],
                  "tool": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Calling."}]}
        after = {"system": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
                 "developer": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
                 "user": [{"role": "assistant", "content": "Hello"}], "assistant": [],
                 "tool": [{"role": "assistant", "content": "Done."}]}
        baseline = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
        try:
            self.render(baseline)
        except TemplateRefused:
            return None  # the template refuses even a plain exchange: judge whole records instead
        turn = {"role": role, "content": PROBE}
        if role == "tool":
            turn["tool_call_id"] = "call_0"
            turn["name"] = "probe"
        try:
            text = self.render(before.get(role, []) + [turn] + after.get(role, []))
        except TemplateRefused as exc:
            return f"raises {str(exc)!r}"
        if PROBE not in text:
            return "drops its text (the turn never reaches the model)"
        return None


def template_for(path: str) -> ChatTemplate:
    template = _LOADED.get(path)
    if template is None:
        template = _LOADED[path] = ChatTemplate(path)
    return template
