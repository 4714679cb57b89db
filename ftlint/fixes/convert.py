"""Convert records between formats where nothing is lost; normalise ShareGPT to OpenAI chat.

`--normalize-sharegpt` is `--to openai-chat` for ShareGPT files: `conversations` of `from`/`value`
become `messages` of `role`/`content` (human -> user, gpt -> assistant, system -> system,
function_call -> an assistant message with `tool_calls`, observation -> a `tool` message answering
the call before it), a top-level `system` becomes the first message, and LLaMA-Factory's `tools`
(a JSON string of function specs) becomes OpenAI's list of `{"type": "function", ...}` tools.

Only lossless conversions are offered (`CONVERTERS`). A record that cannot be converted without
losing something (images, a KTO tag for plain chat, a system turn in the middle for ShareGPT,
Alpaca's separate `input`) is left as it is and listed, and `fix` exits 1, so nothing is dropped
or merged silently. Keys the source format does not know are carried over untouched.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..model import Finding, Sample
from .base import FixContext, fixer


class Unconvertible(ValueError):
    """This record would lose information in the target format."""


_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                   "system": "system"}
_SHAREGPT_CALL = {"function_call"}
_SHAREGPT_RESULT = {"observation", "function", "tool"}


def _parse_json(value: Any, what: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise Unconvertible(f"{what} is not valid JSON") from None


def _sharegpt_messages(data: dict, line_keys: set[str]) -> list[dict]:
    messages: list[dict] = []
    if "system" in data:
        if not isinstance(data["system"], str):
            raise Unconvertible("`system` is not a string")
        messages.append({"role": "system", "content": data["system"]})
    pending: list[str] = []
    for i, turn in enumerate(data.get("conversations") or []):
        if not isinstance(turn, dict) or set(turn) - line_keys:
            extra = ", ".join(sorted(set(turn) - line_keys)) if isinstance(turn, dict) else "not an object"
            raise Unconvertible(f"conversations[{i}] has {extra}, which OpenAI messages have no place for")
        source, value = turn.get("from"), turn.get("value")
        if not isinstance(value, str):
            raise Unconvertible(f"conversations[{i}].value is not a string")
        if source in _SHAREGPT_ROLES:
            messages.append({"role": _SHAREGPT_ROLES[source], "content": value})
        elif source in _SHAREGPT_CALL:
            calls = _parse_json(value, f"conversations[{i}].value (a function call)")
            calls = calls if isinstance(calls, list) else [calls]
            tool_calls = []
            for k, call in enumerate(calls):
                if not (isinstance(call, dict) and isinstance(call.get("name"), str) and set(call) <= {"name", "arguments"}):
                    raise Unconvertible(f"conversations[{i}].value is not a {{name, arguments}} function call")
                arguments = call.get("arguments", {})
                arguments = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
                call_id = f"call_{i}_{k}" if len(calls) > 1 else f"call_{i}"
                pending.append(call_id)
                tool_calls.append({"id": call_id, "type": "function",
                                   "function": {"name": call["name"], "arguments": arguments}})
            messages.append({"role": "assistant", "content": None, "tool_calls": tool_calls})
        elif source in _SHAREGPT_RESULT:
            if not pending:
                raise Unconvertible(f"conversations[{i}] is an observation that answers no function call")
            messages.append({"role": "tool", "content": value, "tool_call_id": pending.pop(0)})
        else:
            raise Unconvertible(f"conversations[{i}].from is {source!r}, which has no OpenAI role")
    return messages


def _openai_tools(value: Any) -> list:
    specs = _parse_json(value, "`tools`")
    if not isinstance(specs, list):
        raise Unconvertible("`tools` is not a list of function specs")
    tools = []
    for spec in specs:
        if isinstance(spec, dict) and spec.get("type") == "function" and "function" in spec:
            tools.append(spec)
        elif isinstance(spec, dict) and isinstance(spec.get("name"), str):
            tools.append({"type": "function", "function": spec})
        else:
            raise Unconvertible("a `tools` entry is not a function spec")
    return tools


def _carry(data: dict, handled: set[str], refuse: set[str], out: dict) -> dict:
    for key in sorted(refuse & set(data)):
        raise Unconvertible(f"`{key}` has no place in the target format")
    for key, value in data.items():
        if key not in handled:
            out[key] = value
    return out


def sharegpt_to_chat(data: dict) -> dict:
    out: dict[str, Any] = {"messages": _sharegpt_messages(data, {"from", "value"})}
    if "tools" in data:
        out["tools"] = _openai_tools(data["tools"])
    return _carry(data, {"conversations", "system", "tools"}, {"images", "videos", "kto_tag"}, out)


def sharegpt_to_chat_kto(data: dict) -> dict:
    if not isinstance(data.get("kto_tag"), bool):
        raise Unconvertible("no boolean `kto_tag` to become the KTO label")
    out: dict[str, Any] = {"messages": _sharegpt_messages(data, {"from", "value"}), "label": data["kto_tag"]}
    if "tools" in data:
        out["tools"] = _openai_tools(data["tools"])
    return _carry(data, {"conversations", "system", "tools", "kto_tag"}, {"images", "videos"}, out)


def chat_to_sharegpt(data: dict) -> dict:
    messages = data.get("messages") or []
    out: dict[str, Any] = {}
    conversations: list[dict] = []
    for i, message in enumerate(messages):
        role, content = message.get("role"), message.get("content")
        allowed = {"role", "content", "tool_calls"} if role == "assistant" else {"role", "content", "tool_call_id"}
        if set(message) - allowed:
            raise Unconvertible(f"messages[{i}] has {', '.join(sorted(set(message) - allowed))}, which ShareGPT has no place for")
        if role in ("system", "developer"):
            if i != 0 or not isinstance(content, str):
                raise Unconvertible(f"messages[{i}] is a {role} message that ShareGPT can only hold first, as text")
            out["system"] = content
            continue
        if role == "assistant" and message.get("tool_calls"):
            if content:
                raise Unconvertible(f"messages[{i}] has both text and tool calls")
            calls = []
            for call in message["tool_calls"]:
                function = call.get("function") or {}
                calls.append({"name": function.get("name"),
                              "arguments": _parse_json(function.get("arguments", "{}"), f"messages[{i}] arguments")})
            value = json.dumps(calls[0] if len(calls) == 1 else calls, ensure_ascii=False)
            conversations.append({"from": "function_call", "value": value})
            continue
        if not isinstance(content, str):
            raise Unconvertible(f"messages[{i}].content is not plain text")
        names = {"user": "human", "assistant": "gpt", "tool": "observation"}
        if role not in names:
            raise Unconvertible(f"messages[{i}].role is {role!r}")
        conversations.append({"from": names[role], "value": content})
    out["conversations"] = conversations
    if "tools" in data:
        specs = []
        for tool in data["tools"] or []:
            if not (isinstance(tool, dict) and tool.get("type") == "function" and set(tool) <= {"type", "function"}):
                raise Unconvertible("a `tools` entry is not a plain function tool")
            specs.append(tool["function"])
        out["tools"] = json.dumps(specs, ensure_ascii=False)
    return _carry(data, {"messages", "tools"}, {"parallel_tool_calls", "functions"}, out)


def alpaca_to_chat(data: dict) -> dict:
    if data.get("input"):
        raise Unconvertible("`input` would have to be joined to the instruction (the join is the trainer "
                            "template's choice, not a lossless conversion)")
    messages: list[dict] = []
    if "system" in data:
        messages.append({"role": "system", "content": data["system"]})
    for i, pair in enumerate(data.get("history") or []):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise Unconvertible(f"history[{i}] is not a [question, answer] pair")
        messages += [{"role": "user", "content": pair[0]}, {"role": "assistant", "content": pair[1]}]
    messages += [{"role": "user", "content": data["instruction"]}, {"role": "assistant", "content": data["output"]}]
    return _carry(data, {"instruction", "input", "output", "system", "history"}, {"kto_tag", "images", "videos"},
                  {"messages": messages})


def prompt_completion_to_chat(data: dict) -> dict:
    def part(value: Any, role: str, key: str) -> list[dict]:
        if isinstance(value, str):
            return [{"role": role, "content": value}]
        if isinstance(value, list):
            return list(value)
        raise Unconvertible(f"`{key}` is neither text nor a message list")

    messages = part(data.get("prompt"), "user", "prompt") + part(data.get("completion"), "assistant", "completion")
    return _carry(data, {"prompt", "completion"}, set(), {"messages": messages})


CONVERTERS: dict[tuple[str, str], Callable[[dict], dict]] = {
    ("sharegpt", "openai-chat"): sharegpt_to_chat,
    ("sharegpt", "chat-kto"): sharegpt_to_chat_kto,
    ("openai-chat", "sharegpt"): chat_to_sharegpt,
    ("alpaca", "openai-chat"): alpaca_to_chat,
    ("prompt-completion", "openai-chat"): prompt_completion_to_chat,
}


def _target(value: str) -> str:
    import argparse

    targets = sorted({dst for _, dst in CONVERTERS})
    if value not in targets:
        raise argparse.ArgumentTypeError(f"cannot convert to {value!r}; lossless targets: {', '.join(targets)} "
                                         f"(from: {', '.join(sorted({f'{s} -> {d}' for s, d in CONVERTERS}))})")
    return value


@fixer(name="convert", flag="--normalize-sharegpt", codes=(), safe=False, order=90,
       help="convert ShareGPT records to OpenAI chat (from/value -> role/content, human/gpt -> user/assistant)")
class Convert:
    @classmethod
    def add_arguments(cls, group: Any) -> None:
        group.add_argument("--to", type=_target, metavar="FORMAT",
                           help="convert every record to FORMAT where lossless: "
                                + ", ".join(f"{s} -> {d}" for s, d in CONVERTERS))

    @classmethod
    def enabled(cls, options: dict[str, Any]) -> bool:
        return bool(options.get("to"))

    def __init__(self, options: dict[str, Any], context: FixContext) -> None:
        self.source = context.format
        self.target = options.get("to") or "openai-chat"
        self.only_sharegpt = not options.get("to")
        self.convert = CONVERTERS.get((self.source or "", self.target))
        self.refused: list[tuple[int, str]] = []
        self.context = context
        self.unsupported = (self.source != self.target and self.convert is None
                            and not (self.only_sharegpt and self.source != "sharegpt"))

    def apply(self, data: Any, sample: Sample | None, findings: list[Finding]) -> Any:
        if self.convert is None or (self.only_sharegpt and self.source != "sharegpt"):
            return data
        if sample is None:  # not valid in its own format: nothing certain to convert from
            self.refused.append((-1, "record does not match its format's schema"))
            return data
        try:
            return self.convert(data)
        except Unconvertible as exc:
            self.refused.append((sample.record.line, str(exc)))
            return data

    def unfixed(self) -> int:
        return len(self.refused) + (1 if self.unsupported else 0)

    def notes(self) -> list[str]:
        notes = []
        if self.unsupported:
            notes.append(f"convert: no lossless conversion from {self.source or 'an unknown format'} to {self.target}")
        for line, why in self.refused[:20]:
            where = f"line {line}" if line > 0 else "a record"
            notes.append(f"convert: {where} left as it is: {why}")
        if len(self.refused) > 20:
            notes.append(f"convert: {len(self.refused) - 20} more records left as they are")
        return notes
