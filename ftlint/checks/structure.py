"""Structure rules a JSON Schema cannot express: role order, tool-call pairing, weights, pairs."""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import jsonschema

from ..formats.registry import FORMATS, message_lists
from ..model import Hit, Sample, Severity
from ..registry import dataset_rule, record_rule

OPENAI_MESSAGE_KEYS = {"role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call",
                       "refusal", "thinking", "reasoning_content", "audio"}
SHAREGPT_USER_TAGS = {"human", "observation", "user", "tool"}
SHAREGPT_ASSISTANT_TAGS = {"gpt", "function_call", "assistant"}
FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


# One OpenAI-style message list with what several rules ask of every record, computed in one
# pass: (JSON path, messages, their roles, every key any message uses). Most records have no tool
# calls, no weights and no unusual keys; these facts let those rules skip them without walking
# the messages again. A plain tuple: a NamedTuple costs five times as much to build.
MessageList = tuple[str, list, list, frozenset]


def _message_facts(sample: Sample) -> list[MessageList]:
    cached = sample.cache.get("message_facts")
    if cached is None:
        cached = [(base, messages, [m.get("role") for m in messages], frozenset().union(*messages))
                  for base, messages in message_lists(sample)]
        sample.cache["message_facts"] = cached
    return cached


_TOOL_KEYS = frozenset({"tool_calls", "function_call", "tool_call_id"})
_CALL_KEYS = frozenset({"tool_calls", "function_call"})
_INSTRUCTION_ROLES = ("system", "developer")


@record_rule("S102")
def unknown_keys(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    spec = FORMATS[sample.format]
    allowed = set(options["allow"])
    if not spec.open_keys:
        for key in sample.data:
            if key not in spec.known_keys and key not in allowed:
                yield Hit(f"unknown key {key!r} for {spec.name} (known: {', '.join(sorted(spec.known_keys))})", key)
    for base, messages, _, keys in _message_facts(sample):
        if keys <= OPENAI_MESSAGE_KEYS:
            continue
        for i, message in enumerate(messages):
            for key in message:
                if key not in OPENAI_MESSAGE_KEYS and key not in allowed:
                    yield Hit(f"unknown message key {key!r}", f"{base}[{i}].{key}")


@record_rule("S201")
def missing_user_turn(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    if FORMATS[sample.format].final_roles is None or not sample.turns:
        return
    if not any(turn.role == "user" for turn in sample.turns):
        # ShareGPT keeps its system prompt in a separate `system` key: point at the conversation.
        first = next((t for t in sample.turns if t.field != "system"), sample.turns[0])
        yield Hit("conversation has no user turn", first.field.split("[")[0])


@record_rule("S202")
def wrong_final_turn(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    expected = FORMATS[sample.format].final_roles
    if expected is None or not sample.turns:
        return
    last = sample.turns[-1]
    if last.role not in expected:
        wanted = " or ".join(sorted(expected))
        purpose = "the response the model learns" if "assistant" in expected else "the prompt the model answers"
        role = last.role or "role-less"
        article = "an" if role[0] in "aeio" else "a"  # "an assistant", "a user"
        yield Hit(f"conversation ends with {article} {role} turn, expected {wanted} ({purpose})",
                  last.field.rsplit(".", 1)[0])


@record_rule("S203", formats={"messages", "trl"})
def consecutive_same_role(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    allowed = options["allow-roles"]
    for base, _, roles, _ in _message_facts(sample):
        for i in range(1, len(roles)):
            role = roles[i]
            if role == roles[i - 1] and role not in allowed:
                yield Hit(f"two consecutive {role} turns ({base}[{i - 1}] and {base}[{i}]); "
                          "many chat templates require roles to alternate", f"{base}[{i}].role")


@record_rule("S204", formats={"sharegpt"})
def sharegpt_alternation(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    conversation = sample.data.get("conversations") or []
    start = 1 if conversation and conversation[0].get("from") == "system" else 0
    for i, message in enumerate(conversation[start:], start=start):
        tag = message.get("from")
        position = i - start + 1  # LLaMA-Factory counts from 1 after an optional leading system turn
        wanted = SHAREGPT_USER_TAGS if position % 2 else SHAREGPT_ASSISTANT_TAGS
        if tag not in wanted:
            side = "human/observation" if position % 2 else "gpt/function_call"
            yield Hit(f"turn {position} is {tag!r} but {'odd' if position % 2 else 'even'} turns must be {side}; "
                      "LLaMA-Factory drops such examples", f"conversations[{i}].from")
            return  # one misplaced turn shifts every later one; report the first


@record_rule("S205", formats={"messages", "trl"})
def unanswered_tool_call(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    """Calls must be answered by the tool messages that directly follow them. A final assistant turn
    that only calls a tool is fine: it is how OpenAI's tool-calling fine-tuning examples end (the
    model learns to emit the call), and it is all a DPO output can hold."""
    for base, messages, roles, keys in _message_facts(sample):
        if keys.isdisjoint(_TOOL_KEYS) and "tool" not in roles:
            continue
        called: set[str] = set()
        waiting: dict[str, str] = {}  # calls of the last assistant turn not answered yet -> their path
        caller = -1
        for i, message in enumerate(messages):
            if message.get("role") == "tool":
                call_id = message.get("tool_call_id")
                if call_id is None:
                    continue
                if call_id not in called:
                    yield Hit(f"tool message answers {call_id!r}, which no earlier assistant turn called",
                              f"{base}[{i}].tool_call_id")
                waiting.pop(call_id, None)
                continue
            for call_id, where in waiting.items():  # the conversation goes on: earlier calls stay unanswered
                yield Hit(f"tool call {call_id!r} has no tool message with that tool_call_id", where)
            waiting = {}
            for j, call in enumerate(message.get("tool_calls") or []):
                if isinstance(call, dict) and isinstance(call.get("id"), str):
                    called.add(call["id"])
                    waiting[call["id"]] = f"{base}[{i}].tool_calls[{j}].id"
                    caller = i
        if caller != len(messages) - 1:  # tool messages followed the calls but left some unanswered
            for call_id, where in waiting.items():
                yield Hit(f"tool call {call_id!r} has no tool message with that tool_call_id", where)


def _tool_specs(sample: Sample) -> tuple[list[Any] | None, str | None]:
    tools = sample.tools
    if isinstance(tools, str):
        try:
            tools = json.loads(tools)
        except ValueError as exc:
            return None, f"tools is a string but not valid JSON: {exc}"
    if tools is None:
        return [], None
    if not isinstance(tools, list):
        return None, f"tools must be a list of function specs, got {type(tools).__name__}"
    return tools, None


@record_rule("S206")
def invalid_tool_spec(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    tools, problem = _tool_specs(sample)
    base = sample.tools_field or "tools"
    if problem:
        yield Hit(problem, base)
        return
    seen: set[str] = set()
    for i, tool in enumerate(tools or []):
        where = f"{base}[{i}]"
        if not isinstance(tool, dict):
            yield Hit("tool spec is not an object", where)
            continue
        function = tool.get("function") if "function" in tool else tool
        if "function" in tool:
            if tool.get("type", "function") != "function":
                yield Hit(f"tool type {tool.get('type')!r} is not 'function'", f"{where}.type")
            where += ".function"
        if not isinstance(function, dict):
            yield Hit("function spec is not an object", where)
            continue
        name = function.get("name")
        if not isinstance(name, str) or not FUNCTION_NAME.match(name):
            yield Hit(f"function name {name!r} must be 1-64 letters, digits, _ or -", f"{where}.name")
        elif name in seen:
            yield Hit(f"function {name!r} is declared twice", f"{where}.name")
        else:
            seen.add(name)
        params = function.get("parameters")
        if params is None:
            continue
        if not isinstance(params, dict) or params.get("type", "object") != "object":
            yield Hit("function parameters must be a JSON Schema of type object", f"{where}.parameters")
            continue
        try:
            jsonschema.Draft202012Validator.check_schema(params)
        except jsonschema.SchemaError as exc:
            yield Hit(f"function parameters are not a valid JSON Schema: {exc.message}", f"{where}.parameters")


@record_rule("S207", formats={"messages", "trl"})
def weight_on_non_assistant(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    for base, messages, _, keys in _message_facts(sample):
        if "weight" not in keys:
            continue
        for i, message in enumerate(messages):
            if "weight" in message and message.get("role") != "assistant":
                yield Hit(f"weight is only allowed on assistant turns, found on a {message.get('role')} turn",
                          f"{base}[{i}].weight")


@record_rule("S208", formats={"openai-chat", "chat-kto", "sharegpt"})
def no_trained_turn(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    assistants = [t for t in sample.turns if t.role == "assistant"]
    if assistants and not any(t.trained for t in assistants):
        which = "the only assistant turn has" if len(assistants) == 1 else f"all {len(assistants)} assistant turns have"
        yield Hit(f"{which} weight 0: the example trains nothing",
                  assistants[-1].field.rsplit(".", 1)[0] + ".weight")


def _pair_text(turns: list) -> str:
    return "\n".join(" ".join(t.text.split()) for t in turns or [])


def _normalised(value: Any) -> Any:
    """A JSON value with the whitespace of every string collapsed, for comparing responses."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    return value


@record_rule("S209", formats={"preference"})
def identical_pair(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    if not (sample.chosen and sample.rejected):
        return
    # Compare the whole responses, not only their text: two tool calls with null content differ
    # in their calls. The keys come from the turns' paths ("preferred_output[0].content").
    chosen_key = sample.chosen[0].field.split("[")[0].split(".")[0]
    rejected_key = sample.rejected[0].field.split("[")[0].split(".")[0]
    if _normalised(sample.data.get(chosen_key)) == _normalised(sample.data.get(rejected_key)):
        yield Hit("chosen and rejected responses are identical: the pair teaches no preference", rejected_key)


@record_rule("S210", formats={"trl-stepwise"})
def stepwise_length_mismatch(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    completions, labels = sample.data.get("completions", []), sample.data.get("labels", [])
    if len(completions) != len(labels):
        yield Hit(f"{len(completions)} completions but {len(labels)} labels: each step needs one label", "labels")


@dataset_rule("S211")
class TooFewRecords:
    """Counts valid records; the smallest state a dataset rule can have."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.count = 0

    def add(self, sample: Sample) -> None:
        self.count += 1

    def merge(self, other: "TooFewRecords") -> None:
        self.count += other.count

    def finish(self, path: str) -> Iterator[Hit]:
        minimum, recommended = self.options["min-records"], self.options["recommended-records"]
        if self.count < minimum:
            yield Hit(f"only {self.count} valid records; fine-tuning needs at least {minimum}", severity=Severity.ERROR)
        elif self.count < recommended:
            yield Hit(f"only {self.count} valid records; at least {recommended} are recommended",
                      severity=Severity.WARNING)


@record_rule("S212", formats={"messages", "trl"})
def misplaced_system_turn(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    for base, _, roles, _ in _message_facts(sample):
        for i in range(1, len(roles)):
            if roles[i] in _INSTRUCTION_ROLES and roles[i - 1] not in _INSTRUCTION_ROLES:
                yield Hit(f"{roles[i]} turn at position {i}; instructions belong at the start", f"{base}[{i}].role")


@record_rule("S213")
def tool_call_arguments_not_json(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    spec = FORMATS[sample.format]
    for base, messages, _, keys in _message_facts(sample):
        if keys.isdisjoint(_CALL_KEYS):
            continue
        for i, message in enumerate(messages):
            calls = [(f"tool_calls[{j}].function", call.get("function") if isinstance(call, dict) else None)
                     for j, call in enumerate(message.get("tool_calls") or [])]
            calls.append(("function_call", message.get("function_call")))  # the deprecated single call
            for where, function in calls:
                arguments = function.get("arguments") if isinstance(function, dict) else None
                if isinstance(arguments, str):
                    problem = _json_problem(arguments)
                    if problem:
                        yield Hit(f"tool call arguments are {problem}", f"{base}[{i}].{where}.arguments")
    if "sharegpt" in spec.tags:
        for i, message in enumerate(sample.data.get("conversations") or []):
            if message.get("from") == "function_call":
                # LLaMA-Factory accepts one {"name", "arguments"} object or a list of them (parallel calls).
                problem = _json_problem(message.get("value", ""), allow_list=True)
                if problem:
                    yield Hit(f"function_call value is {problem}", f"conversations[{i}].value")


def _json_problem(text: str, allow_list: bool = False) -> str | None:
    try:
        value = json.loads(text)
    except ValueError as exc:
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    if allow_list and isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return None
        return "a JSON array, but not a list of call objects"
    if not isinstance(value, dict):
        return f"a JSON {_json_type(value)}, not an object"
    return None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", type(None): "null"}.get(type(value), type(value).__name__)


@record_rule("S214", formats={"trl-preference"})
def implicit_prompt_without_prefix(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    if "prompt" in sample.data or not sample.chosen or not sample.rejected:
        return
    chosen, rejected = sample.data["chosen"], sample.data["rejected"]
    if isinstance(chosen, list) and isinstance(rejected, list):
        shared = bool(chosen and rejected and chosen[0] == rejected[0])
    else:
        shared = bool(os.path.commonprefix([_pair_text(sample.chosen), _pair_text(sample.rejected)]).strip())
    if not shared:
        yield Hit("preference without a prompt, and chosen/rejected share no common start: "
                  "the trainer cannot find the implicit prompt (add an explicit prompt)", "chosen")
