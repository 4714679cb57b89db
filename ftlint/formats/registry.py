"""The supported formats as data: identifying keys, optional keys, schema, and the Sample mapping.

Adding a format means adding one `FormatSpec` here and one schema file in `rules/schemas/`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model import Record, Sample, Turn
from .views import message_turns, sharegpt_turns, text_or_messages


@dataclass(frozen=True)
class FormatSpec:
    name: str
    title: str
    required: frozenset[str]
    optional: frozenset[str]
    to_sample: Callable[[Record], Sample]
    trainers: str
    # RFT passes any other top-level key to graders, so unknown keys are legitimate there.
    open_keys: bool = False
    # Breaks a tie between formats with the same keys (chat SFT vs RFT: who speaks last).
    prefers: Callable[[dict], bool] | None = None
    # Families let rules say "every conversational format" without listing names.
    tags: frozenset[str] = frozenset()
    # Dotted paths of OpenAI-style message lists in a record (a TRL column may hold a string instead).
    message_lists: tuple[str, ...] = ()
    # Roles the conversation (`Sample.turns`) may end with; None where order has no meaning.
    final_roles: frozenset[str] | None = None

    @property
    def known_keys(self) -> frozenset[str]:
        return self.required | self.optional

    @property
    def schema_file(self) -> str:
        return f"{self.name}.json"


def _last_role(data: dict, key: str = "messages") -> str | None:
    messages = data.get(key)
    if isinstance(messages, list) and messages and isinstance(messages[-1], dict):
        return messages[-1].get("role")
    return None


def _chat(record: Record) -> Sample:
    data = record.data
    return Sample(record, "openai-chat", message_turns(data.get("messages"), "messages"),
                  tools=data.get("tools"), tools_field="tools")


def _rft(record: Record) -> Sample:
    data = record.data
    return Sample(record, "openai-rft", message_turns(data.get("messages"), "messages", trained_roles=()),
                  tools=data.get("tools"), tools_field="tools")


def _chat_kto(record: Record) -> Sample:
    data = record.data
    return Sample(record, "chat-kto", message_turns(data.get("messages"), "messages"), label=data.get("label"))


def _dpo(record: Record) -> Sample:
    data = record.data
    inp = data.get("input") or {}
    return Sample(
        record, "openai-dpo", message_turns(inp.get("messages"), "input.messages"),
        chosen=message_turns(data.get("preferred_output"), "preferred_output"),
        rejected=message_turns(data.get("non_preferred_output"), "non_preferred_output"),
        tools=inp.get("tools"), tools_field="input.tools",
    )


def _prompt_completion(record: Record) -> Sample:
    data = record.data
    turns = text_or_messages(data.get("prompt"), "prompt", "user")
    turns += text_or_messages(data.get("completion"), "completion", "assistant")
    return Sample(record, "prompt-completion", turns)


def _alpaca_prompt(data: dict) -> list[Turn]:
    turns: list[Turn] = []
    if isinstance(data.get("system"), str):
        turns.append(Turn("system", data["system"], "system"))
    for i, pair in enumerate(data.get("history") or []):
        if isinstance(pair, list) and len(pair) == 2:
            turns.append(Turn("user", str(pair[0]), f"history[{i}][0]"))
            turns.append(Turn("assistant", str(pair[1]), f"history[{i}][1]", trained=True))
    turns.append(Turn("user", str(data.get("instruction", "")), "instruction"))
    if data.get("input"):
        turns.append(Turn("user", str(data["input"]), "input"))
    return turns


def _alpaca(record: Record) -> Sample:
    data = record.data
    turns = _alpaca_prompt(data)
    turns.append(Turn("assistant", str(data.get("output", "")), "output", trained=True))
    return Sample(record, "alpaca", turns, label=data.get("kto_tag"))


def _alpaca_preference(record: Record) -> Sample:
    data = record.data
    return Sample(record, "alpaca-preference", _alpaca_prompt(data),
                  chosen=[Turn("assistant", str(data.get("chosen", "")), "chosen", True)],
                  rejected=[Turn("assistant", str(data.get("rejected", "")), "rejected", True)])


def _sharegpt(record: Record) -> Sample:
    data = record.data
    turns = []
    if isinstance(data.get("system"), str):
        turns.append(Turn("system", data["system"], "system"))
    turns += sharegpt_turns(data.get("conversations"), "conversations")
    return Sample(record, "sharegpt", turns, tools=data.get("tools"), tools_field="tools")


def _sharegpt_preference(record: Record) -> Sample:
    sample = _sharegpt(record)
    data = record.data
    sample.format = "sharegpt-preference"
    sample.chosen = sharegpt_turns([data.get("chosen")], "chosen")
    sample.rejected = sharegpt_turns([data.get("rejected")], "rejected")
    # sharegpt_turns indexes list items; a single message object has no index in its path.
    sample.chosen = [Turn(t.role, t.text, "chosen.value", t.trained) for t in sample.chosen]
    sample.rejected = [Turn(t.role, t.text, "rejected.value", t.trained) for t in sample.rejected]
    return sample


def _text(record: Record) -> Sample:
    return Sample(record, "trl-text", [Turn("text", str(record.data.get("text", "")), "text", trained=True)])


def _prompt_only(record: Record) -> Sample:
    return Sample(record, "trl-prompt-only", text_or_messages(record.data.get("prompt"), "prompt", "user"))


def _preference(record: Record) -> Sample:
    data = record.data
    prompt = text_or_messages(data["prompt"], "prompt", "user") if "prompt" in data else []
    return Sample(record, "trl-preference", prompt,
                  chosen=text_or_messages(data.get("chosen"), "chosen", "assistant"),
                  rejected=text_or_messages(data.get("rejected"), "rejected", "assistant"))


def _unpaired(record: Record) -> Sample:
    data = record.data
    turns = text_or_messages(data.get("prompt"), "prompt", "user")
    turns += text_or_messages(data.get("completion"), "completion", "assistant")
    return Sample(record, "trl-unpaired-preference", turns, label=data.get("label"))


def _stepwise(record: Record) -> Sample:
    data = record.data
    turns = text_or_messages(data.get("prompt"), "prompt", "user")
    for i, step in enumerate(data.get("completions") or []):
        turns.append(Turn("assistant", str(step), f"completions[{i}]", trained=True))
    return Sample(record, "trl-stepwise", turns, label=data.get("labels"))


def _spec(name: str, title: str, required: set[str], optional: set[str], to_sample, trainers: str,
          final_roles: set[str] | None = None, **kw: Any) -> FormatSpec:
    final = frozenset(final_roles) if final_roles is not None else None
    return FormatSpec(name, title, frozenset(required), frozenset(optional), to_sample, trainers,
                      final_roles=final, **kw)


ASSISTANT = {"assistant"}
PROMPT_END = {"user", "tool"}


FORMATS: dict[str, FormatSpec] = {spec.name: spec for spec in [
    _spec("openai-chat", "OpenAI chat SFT (also TRL conversational language modeling)",
          {"messages"}, {"tools", "parallel_tool_calls", "functions"}, _chat,
          "OpenAI/Azure/Together/Fireworks SFT, TRL SFTTrainer, axolotl chat_template",
          prefers=lambda d: _last_role(d) == "assistant", tags=frozenset({"chat", "messages"}),
          message_lists=("messages",), final_roles=ASSISTANT),
    _spec("openai-rft", "OpenAI reinforcement fine-tuning (messages end with the prompt; other keys feed graders)",
          {"messages"}, {"tools"}, _rft, "OpenAI RFT (method: reinforcement)", open_keys=True,
          prefers=lambda d: _last_role(d) in ("user", "developer"), tags=frozenset({"chat", "messages"}),
          message_lists=("messages",), final_roles={"user", "developer"}),
    _spec("openai-dpo", "OpenAI DPO preference pairs", {"input", "preferred_output", "non_preferred_output"}, set(),
          _dpo, "OpenAI DPO (method: dpo)", tags=frozenset({"chat", "messages", "preference"}),
          message_lists=("input.messages", "preferred_output", "non_preferred_output"), final_roles=PROMPT_END),
    _spec("chat-kto", "messages + boolean label (LLaMA-Factory KTO)", {"messages", "label"}, {"tools"}, _chat_kto,
          "LLaMA-Factory KTO (kto_tag column mapped to label)", tags=frozenset({"chat", "messages", "unpaired"}),
          message_lists=("messages",), final_roles=ASSISTANT),
    _spec("prompt-completion", "prompt/completion (OpenAI legacy completions, TRL prompt-completion)",
          {"prompt", "completion"}, set(), _prompt_completion,
          "OpenAI babbage-002/davinci-002, TRL SFTTrainer", tags=frozenset({"trl"}),
          message_lists=("prompt", "completion"), final_roles=ASSISTANT),
    _spec("alpaca", "Alpaca instruction/input/output", {"instruction", "output"},
          {"input", "system", "history", "kto_tag", "images", "videos"}, _alpaca,
          "LLaMA-Factory (formatting: alpaca), axolotl alpaca", tags=frozenset({"alpaca"})),
    _spec("alpaca-preference", "Alpaca preference (instruction/input + chosen/rejected)",
          {"instruction", "chosen", "rejected"}, {"input", "system", "history"}, _alpaca_preference,
          "LLaMA-Factory (formatting: alpaca, ranking: true)", tags=frozenset({"alpaca", "preference"})),
    _spec("sharegpt", "ShareGPT conversations with from/value", {"conversations"},
          {"system", "tools", "images", "videos", "kto_tag"}, _sharegpt,
          "LLaMA-Factory (formatting: sharegpt), FastChat", tags=frozenset({"sharegpt"}), final_roles=ASSISTANT),
    _spec("sharegpt-preference", "ShareGPT preference (conversations + chosen/rejected message objects)",
          {"conversations", "chosen", "rejected"}, {"system", "tools", "images"}, _sharegpt_preference,
          "LLaMA-Factory (formatting: sharegpt, ranking: true)", tags=frozenset({"sharegpt", "preference"}),
          final_roles=PROMPT_END),
    _spec("trl-text", "TRL language modeling, standard form (text)", {"text"}, set(), _text,
          "TRL SFTTrainer, axolotl completion", tags=frozenset({"trl"})),
    _spec("trl-prompt-only", "TRL prompt-only", {"prompt"}, set(), _prompt_only,
          "TRL GRPO/RLOO/Online-DPO/PPO", tags=frozenset({"trl"}),
          message_lists=("prompt",), final_roles=PROMPT_END),
    _spec("trl-preference", "TRL preference (explicit or implicit prompt)", {"chosen", "rejected"}, {"prompt"},
          _preference, "TRL DPO/ORPO/CPO/Reward", tags=frozenset({"trl", "preference"}),
          message_lists=("prompt", "chosen", "rejected"), final_roles=PROMPT_END),
    _spec("trl-unpaired-preference", "TRL unpaired preference (prompt/completion/label)",
          {"prompt", "completion", "label"}, set(), _unpaired, "TRL KTO", tags=frozenset({"trl", "unpaired"}),
          message_lists=("prompt", "completion"), final_roles=ASSISTANT),
    _spec("trl-stepwise", "TRL stepwise supervision (prompt/completions/labels)",
          {"prompt", "completions", "labels"}, set(), _stepwise, "TRL PRM", tags=frozenset({"trl"})),
]}


def message_lists(sample: Sample) -> list[tuple[str, list]]:
    """The record's OpenAI-style message lists with their JSON paths (string columns skipped)."""
    cached = sample.cache.get("message_lists")
    if cached is not None:
        return cached
    spec, data = FORMATS[sample.format], sample.data
    found = []
    for dotted in spec.message_lists:
        value: Any = data
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, list):
            found.append((dotted, value))
    sample.cache["message_lists"] = found
    return found


def get_format(name: str) -> FormatSpec:
    try:
        return FORMATS[name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise KeyError(f"unknown format {name!r} (known: {known})") from None
