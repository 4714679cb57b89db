"""Helpers that turn the message shapes shared by many formats into `Turn`s."""
from __future__ import annotations

from typing import Any

from ..model import Turn

SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "system": "system",
    "function_call": "assistant",
    "observation": "tool",
    "function": "tool",
    "tool": "tool",
}


def content_text(content: Any) -> str:
    """Text of a message content: a string, or the text parts of a multimodal part list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif isinstance(part, str):
                texts.append(part)
        return "\n".join(texts)
    return ""


def _dicts(messages: Any) -> list[tuple[int, dict]]:
    """(index, message) for the objects of a message list; anything else has no turns."""
    if not isinstance(messages, list):
        return []
    return [(i, m) for i, m in enumerate(messages) if isinstance(m, dict)]


def message_turns(messages: Any, base: str, trained_roles: tuple[str, ...] = ("assistant",)) -> list[Turn]:
    """OpenAI-style `{role, content}` messages; `weight: 0` excludes an assistant turn from loss.

    Runs for every record of every chat file, so the common shape (string content, no tool
    calls) takes the shortest path."""
    if not isinstance(messages, list):
        return []
    turns: list[Turn] = []
    append = turns.append
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        get = message.get
        role = get("role", "")
        if not isinstance(role, str):
            role = str(role)
        trained = role in trained_roles and get("weight", 1) != 0
        content = get("content")
        if isinstance(content, str):
            text = content
            payload = bool(get("tool_calls") or get("function_call"))
        else:
            text = content_text(content)
            payload = bool(get("tool_calls") or get("function_call")) or (
                isinstance(content, list) and any(isinstance(p, dict) and p.get("type") != "text" for p in content))
        append(Turn(role, text, f"{base}[{i}].content", trained, payload))
    return turns


def sharegpt_turns(messages: Any, base: str) -> list[Turn]:
    turns: list[Turn] = []
    for i, message in _dicts(messages):
        role = SHAREGPT_ROLES.get(str(message.get("from", "")), str(message.get("from", "")))
        turns.append(Turn(role, content_text(message.get("value")), f"{base}[{i}].value", role == "assistant"))
    return turns


def text_or_messages(value: Any, base: str, role: str) -> list[Turn]:
    """TRL columns hold a plain string (standard form) or a message list (conversational form)."""
    if isinstance(value, str):
        return [Turn(role, value, base, role == "assistant")]
    return message_turns(value, base)
