"""Structure rules S102 and S201-S214, end to end through `ftlint.check`, plus the format fixtures.

Every rule gets records that must trigger it (code, 1-based line, field path and a message
fragment a user would read) and close near-misses that must not. The bad record is usually the
second line of its file, behind a clean one, so that line numbers are really checked. Files here
are small, so S211 (too few records) is ignored except where it is the subject.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ftlint import Severity
from ftlint.formats import FORMATS

from _records import one, where

# --------------------------------------------------------------------------- record builders


def user(content: Any = "What's the weather in Paris?", **extra: Any) -> dict:
    return {"role": "user", "content": content, **extra}


def assistant(content: Any = "It is sunny in Paris.", **extra: Any) -> dict:
    return {"role": "assistant", "content": content, **extra}


def system(content: str = "You are a weather assistant.", **extra: Any) -> dict:
    return {"role": "system", "content": content, **extra}


def tool(call_id: str, content: str = '{"sky": "sunny"}') -> dict:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def call(call_id: str | None, arguments: Any = '{"city": "Paris"}', name: str = "get_weather") -> dict:
    made = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if call_id is not None:
        made["id"] = call_id
    return made


def calls(*tool_calls: dict) -> dict:
    return {"role": "assistant", "content": None, "tool_calls": list(tool_calls)}


def chat(*messages: dict, **extra: Any) -> dict:
    return {"messages": list(messages), **extra}


GOOD_CHAT = chat(user(), assistant())
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


def human(value: str = "What's the weather in Paris?") -> dict:
    return {"from": "human", "value": value}


def gpt(value: str = "It is sunny in Paris.") -> dict:
    return {"from": "gpt", "value": value}


def dpo(messages: list[dict], preferred: list[dict] | None = None, rejected: list[dict] | None = None) -> dict:
    return {"input": {"messages": messages},
            "preferred_output": preferred or [assistant("Sunny, 24 °C.")],
            "non_preferred_output": rejected or [assistant("I don't know.")]}


GOOD_DPO = dpo([user()])

# --------------------------------------------------------------------------- helpers


def assert_finding(report, code: str, line: int, field: str | None, *fragments: str) -> None:
    finding = one(report, code)
    assert (finding.location.line, finding.location.field) == (line, field)
    for fragment in fragments:
        assert fragment in finding.message


# --------------------------------------------------------------------------- S102 unknown-key


def test_s102_unknown_top_level_key(run):
    report = run("openai-chat", [GOOD_CHAT, chat(user(), assistant(), id="ex-17")])
    assert_finding(report, "S102", 2, "id", "unknown key 'id' for openai-chat", "known: functions, messages")
    assert one(report, "S102").severity == Severity.WARNING


def test_s102_unknown_message_key_is_a_typo(run):
    report = run("openai-chat", [GOOD_CHAT, chat(user(), assistant(weights=0))])
    assert_finding(report, "S102", 2, "messages[1].weights", "unknown message key 'weights'")


@pytest.mark.parametrize("fmt, record, field", [
    ("alpaca", {"instruction": "Hi", "output": "Hello", "source": "web"}, "source"),
    ("sharegpt", {"conversations": [human(), gpt()], "lang": "en"}, "lang"),
    ("openai-dpo", {**GOOD_DPO, "score": 0.7}, "score"),
    ("trl-preference", {"prompt": [user()], "chosen": [assistant(mood="happy")],
                        "rejected": [assistant("Rain.")]}, "chosen[0].mood"),
    ("openai-rft", {"messages": [user(contents="typo")], "reference_answer": "sunny"}, "messages[0].contents"),
])
def test_s102_in_other_formats(run, fmt, record, field):
    assert where(run(fmt, [record]), "S102") == [(1, field)]


def test_s102_rft_extra_top_level_keys_are_grader_data(run):
    record = chat(system(), user(), reference_answer="sunny", grader_notes={"must_mention": ["Paris"]}, difficulty=2)
    assert where(run("openai-rft", [record]), "S102") == []


def test_s102_near_miss_known_optional_and_message_keys(run):
    record = chat(system(name="ops"), user(name="ada"),
                  assistant("Sunny.", weight=1, refusal=None, thinking="Paris is sunny today."),
                  tools=[WEATHER_TOOL], parallel_tool_calls=False)
    assert where(run("openai-chat", [record]), "S102") == []


def test_s102_allow_option(run):
    records = [chat(user(), assistant(), id="a1", source="web")]
    assert where(run("openai-chat", records, rules={"S102": {"allow": ["id"]}}), "S102") == [(1, "source")]
    assert where(run("openai-chat", records, rules={"S102": {"allow": ["id", "source"]}}), "S102") == []


def test_s102_allow_option_covers_message_keys(run):
    records = [chat(user(), assistant(source="kb"))]
    assert where(run("openai-chat", records), "S102") == [(1, "messages[1].source")]
    assert where(run("openai-chat", records, rules={"S102": {"allow": ["source"]}}), "S102") == []


# --------------------------------------------------------------------------- S201 missing-user-turn


def test_s201_chat_without_user_turn(run):
    report = run("openai-chat", [GOOD_CHAT, chat(system("Be nice."), assistant("You're great!"))])
    assert_finding(report, "S201", 2, "messages", "no user turn")


@pytest.mark.parametrize("fmt, record, field", [
    ("chat-kto", {"messages": [system(), assistant()], "label": True}, "messages"),
    ("openai-dpo", dpo([{"role": "developer", "content": "Answer briefly."}]), "input.messages"),
    ("trl-prompt-only", {"prompt": [system()]}, "prompt"),
    ("prompt-completion", {"prompt": [system()], "completion": [assistant()]}, "prompt"),
])
def test_s201_in_other_formats(run, fmt, record, field):
    assert where(run(fmt, [record]), "S201") == [(1, field)]


def test_s201_sharegpt_points_at_the_conversation_not_the_system_key(run):
    report = run("sharegpt", [{"system": "Be nice.", "conversations": [gpt("Hello!"), human("Hi")]}],
                 ignore=["S211", "S204", "S202"])
    assert where(report, "S201") == []  # the human turn counts, wherever it is
    report = run("sharegpt", [{"system": "Be nice.", "conversations": [gpt("Hello!")]}])
    assert_finding(report, "S201", 1, "conversations", "no user turn")


def test_s201_near_misses(run):
    multimodal_user = user([{"type": "image_url", "image_url": {"url": "https://example.org/a.png"}}])
    assert where(run("openai-chat", [chat(multimodal_user, assistant("A cat."))]), "S201") == []
    # Plain-text language modeling has no roles at all: no user turn is expected.
    assert where(run("trl-text", [{"text": "Once upon a time."}]), "S201") == []
    # Implicit-prompt preference pairs keep the user turn inside chosen/rejected.
    pair = {"chosen": [user(), assistant()], "rejected": [user(), assistant("Rain.")]}
    assert where(run("trl-preference", [pair]), "S201") == []


# --------------------------------------------------------------------------- S202 wrong-final-turn


def test_s202_sft_conversation_ending_with_user(run):
    report = run("openai-chat", [GOOD_CHAT, chat(user("Hi"), assistant("Hello"), user("Bye"))])
    assert_finding(report, "S202", 2, "messages[2]", "ends with a user turn", "expected assistant")


@pytest.mark.parametrize("fmt, record, field, fragment", [
    ("openai-rft", chat(user(), assistant(), reference_answer="sunny"), "messages[1]",
     "ends with an assistant turn, expected developer or user"),
    ("sharegpt", {"conversations": [human(), gpt(), human("Thanks!")]}, "conversations[2]",
     "ends with a user turn, expected assistant"),
    ("chat-kto", {"messages": [user(), assistant(), user("And tomorrow?")], "label": True}, "messages[2]",
     "ends with a user turn, expected assistant"),
    ("openai-dpo", dpo([user(), assistant("Which city?")]), "input.messages[1]",
     "ends with an assistant turn, expected tool or user"),
    ("sharegpt-preference", {"conversations": [human(), gpt()], "chosen": gpt("Sunny."), "rejected": gpt("Rain.")},
     "conversations[1]", "ends with an assistant turn, expected tool or user"),
    ("trl-prompt-only", {"prompt": [user(), assistant()]}, "prompt[1]", "ends with an assistant turn"),
    ("chat-kto", {"messages": [user(), assistant(), tool("c1")], "label": False}, "messages[2]",
     "ends with a tool turn"),
])
def test_s202_in_every_conversational_format(run, fmt, record, field, fragment):
    report = run(fmt, [record], ignore=["S211", "S205"])
    assert_finding(report, "S202", 1, field, fragment)


def test_s202_messages_say_what_the_final_turn_is_for(run):
    sft = one(run("openai-chat", [chat(user(), assistant(), user("Bye"))]), "S202")
    assert "the response the model learns" in sft.message
    rft = one(run("openai-rft", [chat(user(), assistant())]), "S202")
    assert "the prompt the model answers" in rft.message


@pytest.mark.parametrize("fmt, record", [
    ("openai-chat", chat(user(), calls(call("c1")))),  # the example teaches the tool call itself
    ("openai-rft", chat(user(), {"role": "developer", "content": "Answer in one word."})),
    ("openai-dpo", dpo([user(), calls(call("c1")), tool("c1")])),
    ("sharegpt", {"conversations": [human(), {"from": "function_call", "value": '{"name": "w", "arguments": {}}'}]}),
    ("sharegpt-preference", {"conversations": [{"from": "system", "value": "Be brief."}, human()],
                             "chosen": gpt("Sunny."), "rejected": gpt("Rain.")}),
    ("trl-prompt-only", {"prompt": "Write a haiku about rain."}),
    ("trl-stepwise", {"prompt": "Solve 2 + 2.", "completions": ["2 + 2 = 4."], "labels": [True]}),
])
def test_s202_near_misses(run, fmt, record):
    assert where(run(fmt, [record]), "S202") == []


# --------------------------------------------------------------------------- S203 consecutive-same-role


def test_s203_two_user_turns(run):
    report = run("openai-chat", [GOOD_CHAT, chat(user("Hi"), user("Anyone?"), assistant("Hello"))])
    assert_finding(report, "S203", 2, "messages[1].role", "two consecutive user turns",
                   "(messages[0] and messages[1])", "roles to alternate")
    assert one(report, "S203").severity == Severity.WARNING


@pytest.mark.parametrize("fmt, record, field", [
    ("openai-dpo", dpo([user("Hi"), user("Weather?")]), "input.messages[1].role"),
    ("prompt-completion", {"prompt": [system(), system("Be brief.")], "completion": [assistant()]}, "prompt[1].role"),
    ("chat-kto", {"messages": [user(), assistant("Sunny."), assistant("24 °C.")], "label": True}, "messages[2].role"),
    ("trl-preference", {"prompt": [user()], "chosen": [assistant("Sunny."), assistant("Warm.")],
                        "rejected": [assistant("Rain.")]}, "chosen[1].role"),
])
def test_s203_in_message_list_formats(run, fmt, record, field):
    assert where(run(fmt, [record]), "S203") == [(1, field)]


PARALLEL_CALLS = chat(user("Weather in Paris and Rome?"), calls(call("c1"), call("c2", '{"city": "Rome"}')),
                      tool("c1"), tool("c2"), assistant("Sunny in both."))


def test_s203_consecutive_tool_messages_are_allowed_by_default(run):
    assert where(run("openai-chat", [PARALLEL_CALLS]), "S203") == []


def test_s203_allow_roles_option(run):
    record = chat(user("Hi"), user("Anyone?"), assistant("Hello"))
    assert where(run("openai-chat", [record], rules={"S203": {"allow-roles": ["tool", "user"]}}), "S203") == []
    strict = run("openai-chat", [PARALLEL_CALLS], rules={"S203": {"allow-roles": []}})
    assert where(strict, "S203") == [(1, "messages[3].role")]


def test_s203_does_not_apply_to_sharegpt(run):
    report = run("sharegpt", [{"conversations": [human(), human("Hello?"), gpt()]}])
    assert where(report, "S203") == []
    assert where(report, "S204") == [(1, "conversations[1].from")]  # its own alternation rule instead


# --------------------------------------------------------------------------- S204 sharegpt-alternation


def test_s204_two_human_turns(run):
    good = {"conversations": [human(), gpt()]}
    report = run("sharegpt", [good, {"conversations": [human("Hi"), human("Hello?"), gpt("Hi!")]}])
    assert_finding(report, "S204", 2, "conversations[1].from", "turn 2 is 'human'",
                   "even turns must be gpt/function_call", "LLaMA-Factory drops")


def test_s204_reports_only_the_first_misplaced_turn(run):
    report = run("sharegpt", [{"conversations": [gpt("Hi!"), human("Hi"), gpt("Hello"), human("Bye")]}],
                 ignore=["S211", "S202"])
    assert_finding(report, "S204", 1, "conversations[0].from", "turn 1 is 'gpt'", "odd turns must be human/observation")


def test_s204_leading_system_turn_is_skipped(run):
    record = {"conversations": [{"from": "system", "value": "Be brief."}, human(), gpt(), human("More?"), gpt("No.")]}
    assert where(run("sharegpt", [record]), "S204") == []


def test_s204_system_turn_later_breaks_alternation(run):
    record = {"conversations": [human(), {"from": "system", "value": "Be brief."}, gpt()]}
    report = run("sharegpt", [record])
    assert_finding(report, "S204", 1, "conversations[1].from", "turn 2 is 'system'")


def test_s204_tool_turns_alternate_as_human_and_gpt(run):
    record = {"conversations": [human(), {"from": "function_call", "value": '{"name": "w", "arguments": {}}'},
                                {"from": "observation", "value": "sunny"}, gpt()]}
    assert where(run("sharegpt", [record]), "S204") == []


def test_s204_sharegpt_preference(run):
    bad = {"conversations": [human(), gpt(), gpt("Also windy.")], "chosen": gpt("A"), "rejected": gpt("B")}
    report = run("sharegpt-preference", [bad], ignore=["S211", "S202"])
    assert_finding(report, "S204", 1, "conversations[2].from", "turn 3 is 'gpt'")
    good = {"conversations": [{"from": "system", "value": "Be brief."}, human(), gpt(), human("More?")],
            "chosen": gpt("A"), "rejected": gpt("B")}
    assert where(run("sharegpt-preference", [good]), "S204") == []


# --------------------------------------------------------------------------- S205 unanswered-tool-call


def test_s205_call_followed_by_a_reply_instead_of_a_tool_message(run):
    record = chat(user(), calls(call("c1")), assistant("Sunny."))
    report = run("openai-chat", [GOOD_CHAT, record], ignore=["S211", "S203"])
    assert_finding(report, "S205", 2, "messages[1].tool_calls[0].id",
                   "tool call 'c1' has no tool message with that tool_call_id")


def test_s205_tool_message_answering_no_call(run):
    record = chat(user(), calls(call("c1")), tool("c1"), tool("c9"), assistant("Sunny."))
    report = run("openai-chat", [record])
    assert_finding(report, "S205", 1, "messages[3].tool_call_id", "answers 'c9', which no earlier assistant turn called")


def test_s205_one_of_two_parallel_calls_unanswered(run):
    record = chat(user(), calls(call("c1"), call("c2", '{"city": "Rome"}')), tool("c1"), assistant("Sunny."))
    assert where(run("openai-chat", [record]), "S205") == [(1, "messages[1].tool_calls[1].id")]


def test_s205_answer_arriving_after_the_conversation_went_on(run):
    record = chat(user(), calls(call("c1")), user("Hello?"), tool("c1"), assistant("Sunny."))
    assert where(run("openai-chat", [record]), "S205") == [(1, "messages[1].tool_calls[0].id")]


def test_s205_unanswered_calls_at_the_end_of_a_tool_block(run):
    record = {"messages": [user(), calls(call("c1"), call("c2")), tool("c1")], "label": True}
    report = run("chat-kto", [record], ignore=["S211", "S202"])
    assert where(report, "S205") == [(1, "messages[1].tool_calls[1].id")]


@pytest.mark.parametrize("record", [
    PARALLEL_CALLS,
    # OpenAI's own tool-calling fine-tuning example ends with the call: the model learns to make it.
    chat(user(), calls(call("c1")), tools=[WEATHER_TOOL]),
    # Hugging Face chat templates do not need ids; nothing can be paired then.
    chat(user(), calls(call(None)), {"role": "tool", "content": "sunny"}, assistant()),
    # Two rounds of calls, each answered before the conversation goes on.
    chat(user(), calls(call("c1")), tool("c1"), assistant("Sunny. Anything else?"), user("Rome?"),
         calls(call("c2", '{"city": "Rome"}')), tool("c2"), assistant("Rainy in Rome.")),
], ids=["parallel", "final-call", "no-ids", "two-rounds"])
def test_s205_near_misses(run, record):
    assert where(run("openai-chat", [record]), "S205") == []


def test_s205_dpo(run):
    answered = dpo([user(), calls(call("c1")), tool("c1")])
    output_call = dpo([user()], preferred=[calls(call("c1"))], rejected=[assistant("No idea.")])
    assert where(run("openai-dpo", [answered, output_call]), "S205") == []
    unanswered = dpo([user(), calls(call("c1")), user("Well?")])
    assert where(run("openai-dpo", [unanswered]), "S205") == [(1, "input.messages[1].tool_calls[0].id")]


# --------------------------------------------------------------------------- S206 invalid-tool-spec


def spec(name: Any = "get_weather", parameters: Any = None, **function: Any) -> dict:
    made = {"name": name, **function}
    if parameters is not None:
        made["parameters"] = parameters
    return {"type": "function", "function": made}


@pytest.mark.parametrize("tools, field, fragment", [
    ([spec("get weather")], "tools[0].function.name", "function name 'get weather' must be 1-64 letters"),
    ([spec("x" * 65)], "tools[0].function.name", "must be 1-64"),
    ([{"type": "function", "function": {"description": "no name"}}], "tools[0].function.name", "None"),
    ([spec(parameters={"type": "string"})], "tools[0].function.parameters", "JSON Schema of type object"),
    ([spec(parameters={"type": "object", "properties": {"city": {"type": "strng"}}})],
     "tools[0].function.parameters", "not a valid JSON Schema"),
    ([WEATHER_TOOL, spec()], "tools[1].function.name", "function 'get_weather' is declared twice"),
    ([{"type": "retrieval", "function": {"name": "search"}}], "tools[0].type", "tool type 'retrieval' is not 'function'"),
    ([{"type": "function", "function": "get_weather"}], "tools[0].function", "function spec is not an object"),
])
def test_s206_openai_tools(run, tools, field, fragment):
    report = run("openai-chat", [GOOD_CHAT, chat(user(), assistant(), tools=tools)])
    assert_finding(report, "S206", 2, field, fragment)


def test_s206_sharegpt_tools_as_json_text(run):
    convo = [human(), gpt()]
    bad = {"conversations": convo, "tools": '[{"name": "get_weather",'}
    report = run("sharegpt", [bad])
    assert_finding(report, "S206", 1, "tools", "tools is a string but not valid JSON")
    bare = {"conversations": convo, "tools": json.dumps([{"name": "get weather"}])}
    assert where(run("sharegpt", [bare]), "S206") == [(1, "tools[0].name")]
    names_only = {"conversations": convo, "tools": ["get_weather"]}  # the schema leaves list items to this rule
    assert_finding(run("sharegpt", [names_only]), "S206", 1, "tools[0]", "tool spec is not an object")
    not_a_list = {"conversations": convo, "tools": '{"name": "get_weather"}'}
    assert_finding(run("sharegpt", [not_a_list]), "S206", 1, "tools", "must be a list of function specs, got dict")
    fine = [{"conversations": convo, "tools": "[]"},
            {"conversations": convo, "tools": json.dumps([WEATHER_TOOL["function"]])},
            {"conversations": convo, "tools": [WEATHER_TOOL["function"]]}]
    assert where(run("sharegpt", fine), "S206") == []


def test_s206_dpo_and_rft_tools(run):
    record = {**GOOD_DPO, "input": {"messages": [user()], "tools": [spec("get-weather!")]}}
    assert where(run("openai-dpo", [record]), "S206") == [(1, "input.tools[0].function.name")]
    rft = chat(user(), tools=[spec(parameters={"type": "array"})], reference_answer="sunny")
    assert where(run("openai-rft", [rft]), "S206") == [(1, "tools[0].function.parameters")]


def test_s206_near_misses(run):
    tools = [WEATHER_TOOL, spec("get-tide_times2"), spec("ping", description="No parameters at all."),
             spec("noop", parameters={"type": "object", "properties": {}})]
    assert where(run("openai-chat", [chat(user(), assistant(), tools=tools)]), "S206") == []


# --------------------------------------------------------------------------- S207 weight-on-non-assistant


def test_s207_weight_on_user_turn(run):
    report = run("openai-chat", [GOOD_CHAT, chat(user("Hi", weight=0), assistant("Hello"))])
    assert_finding(report, "S207", 2, "messages[0].weight", "only allowed on assistant turns", "found on a user turn")


def test_s207_other_roles_and_formats(run):
    record = chat(system(weight=1), user(), assistant())
    assert where(run("openai-chat", [record]), "S207") == [(1, "messages[0].weight")]
    prompt = {"prompt": [user(weight=1)], "completion": [assistant()]}
    assert where(run("prompt-completion", [prompt]), "S207") == [(1, "prompt[0].weight")]


def test_s207_near_miss_weight_on_assistant(run):
    record = chat(user(), assistant("Hello", weight=0), user("Again?"), assistant("Hello again", weight=1))
    assert where(run("openai-chat", [record]), "S207") == []


# --------------------------------------------------------------------------- S208 no-trained-turn


def test_s208_every_assistant_turn_weight_zero(run):
    record = chat(user(), assistant("Hello", weight=0), user("Again?"), assistant("Hello again", weight=0))
    report = run("openai-chat", [GOOD_CHAT, record])
    assert_finding(report, "S208", 2, "messages[3].weight", "all 2 assistant turns have weight 0", "trains nothing")


def test_s208_single_assistant_turn_and_kto(run):
    record = {"messages": [user(), assistant("Hello", weight=0)], "label": True}
    report = run("chat-kto", [record])
    assert_finding(report, "S208", 1, "messages[1].weight", "the only assistant turn has weight 0")


def test_s208_near_misses(run):
    partly = chat(user(), assistant("Hello", weight=0), user("Again?"), assistant("Hello again"))
    tool_call_trained = chat(user(), {**calls(call("c1")), "weight": 1})
    assert where(run("openai-chat", [partly, tool_call_trained]), "S208") == []
    # RFT trains no turn by design: the rule does not apply there.
    assert where(run("openai-rft", [chat(user(), assistant("x", weight=0), user("y"))]), "S208") == []


# --------------------------------------------------------------------------- S209 identical-preference-pair


@pytest.mark.parametrize("fmt, record, field", [
    ("openai-dpo", dpo([user()], [assistant("Sunny.")], [assistant("Sunny.")]), "non_preferred_output"),
    ("openai-dpo", dpo([user()], [calls(call("c1"))], [calls(call("c1", '{"city":  "Paris"}'))]),
     "non_preferred_output"),
    ("sharegpt-preference", {"conversations": [human()], "chosen": gpt("Sunny."), "rejected": gpt("Sunny.")}, "rejected"),
    ("trl-preference", {"prompt": "2+2?", "chosen": "4", "rejected": "4"}, "rejected"),
    ("trl-preference", {"prompt": "2+2?", "chosen": " 4\n", "rejected": "4"}, "rejected"),
    ("trl-preference", {"prompt": [user()], "chosen": [assistant("Sunny.")], "rejected": [assistant("Sunny.")]},
     "rejected"),
    ("trl-preference", {"chosen": [user(), assistant("Sunny.")], "rejected": [user(), assistant("Sunny.")]}, "rejected"),
    ("alpaca-preference", {"instruction": "2+2?", "chosen": "4", "rejected": "4"}, "rejected"),
])
def test_s209_identical_pairs(run, fmt, record, field):
    report = run(fmt, [record])
    assert_finding(report, "S209", 1, field, "chosen and rejected responses are identical", "teaches no preference")


@pytest.mark.parametrize("fmt, record", [
    ("openai-dpo", dpo([user()], [assistant("Sunny.")], [assistant("sunny.")])),
    # Both outputs are tool calls with null content; they call with different arguments.
    ("openai-dpo", dpo([user()], [calls(call("c1"))], [calls(call("c1", '{"city": "London"}'))])),
    ("sharegpt-preference", {"conversations": [human()], "chosen": gpt("Sunny."), "rejected": gpt("Sunny!")}),
    ("trl-preference", {"prompt": "2+2?", "chosen": "4", "rejected": "5"}),
    ("trl-preference", {"chosen": [user(), assistant("Sunny.")], "rejected": [user(), assistant("Rain.")]}),
    ("alpaca-preference", {"instruction": "2+2?", "chosen": "4", "rejected": "four"}),
])
def test_s209_near_misses(run, fmt, record):
    assert where(run(fmt, [record]), "S209") == []


# --------------------------------------------------------------------------- S210 stepwise-length-mismatch


def test_s210_more_completions_than_labels(run):
    good = {"prompt": "Solve", "completions": ["step 1", "step 2"], "labels": [True, False]}
    bad = {"prompt": "Solve", "completions": ["step 1", "step 2"], "labels": [True]}
    report = run("trl-stepwise", [good, bad])
    assert_finding(report, "S210", 2, "labels", "2 completions but 1 labels", "each step needs one label")


def test_s210_more_labels_than_completions(run):
    bad = {"prompt": "Solve", "completions": ["step 1"], "labels": [True, True, False]}
    assert_finding(run("trl-stepwise", [bad]), "S210", 1, "labels", "1 completions but 3 labels")


# --------------------------------------------------------------------------- S211 too-few-records


def s211(run, records: list, **overrides: Any):
    return run("openai-chat", records, select=["S211"], **overrides).by_rule("S211")


@pytest.mark.parametrize("count, severity, fragment", [
    (1, Severity.ERROR, "only 1 valid records; fine-tuning needs at least 10"),
    (9, Severity.ERROR, "only 9 valid records; fine-tuning needs at least 10"),
    (10, Severity.WARNING, "only 10 valid records; at least 50 are recommended"),
    (49, Severity.WARNING, "only 49 valid records; at least 50 are recommended"),
])
def test_s211_thresholds(run, count, severity, fragment):
    [finding] = s211(run, [GOOD_CHAT] * count)
    assert finding.severity == severity
    assert fragment in finding.message
    assert finding.location.line is None and finding.location.path.endswith("train.jsonl")


def test_s211_none_at_fifty(run):
    assert s211(run, [GOOD_CHAT] * 50) == []


def test_s211_counts_only_valid_records(lint):
    records = [GOOD_CHAT] * 10 + [chat(user(), {"role": "bot", "content": "Hi"})]
    report = lint(records, format="openai-chat", select=["S211", "S101"])
    assert len(report.by_rule("S101")) == 1
    [finding] = report.by_rule("S211")
    assert finding.severity == Severity.WARNING and "only 10 valid records" in finding.message
    report = lint([GOOD_CHAT] * 9 + ['{"messages": [}'], format="openai-chat", select=["S211"])
    [finding] = report.by_rule("S211")
    assert finding.severity == Severity.ERROR and "only 9 valid records" in finding.message


def test_s211_min_records_option(run):
    options = {"rules": {"S211": {"min-records": 3}}}
    [below] = s211(run, [GOOD_CHAT] * 2, **options)
    assert below.severity == Severity.ERROR and "needs at least 3" in below.message
    [at] = s211(run, [GOOD_CHAT] * 3, **options)
    assert at.severity == Severity.WARNING and "at least 50 are recommended" in at.message


def test_s211_recommended_records_option(run):
    options = {"rules": {"S211": {"min-records": 2, "recommended-records": 5}}}
    assert s211(run, [GOOD_CHAT] * 5, **options) == []
    [finding] = s211(run, [GOOD_CHAT] * 4, **options)
    assert finding.severity == Severity.WARNING and "at least 5 are recommended" in finding.message


def test_s211_configured_severity_wins_over_both_levels(run):
    [finding] = s211(run, [GOOD_CHAT] * 3, rules={"S211": {"severity": "warning"}})
    assert finding.severity == Severity.WARNING and "needs at least 10" in finding.message


def test_s211_other_format(run):
    [finding] = run("trl-text", [{"text": "a"}] * 12, select=["S211"]).by_rule("S211")
    assert finding.severity == Severity.WARNING and "only 12 valid records" in finding.message


# --------------------------------------------------------------------------- S212 misplaced-system-turn


def test_s212_system_turn_after_the_start(run):
    report = run("openai-chat", [GOOD_CHAT, chat(user("Hi"), system("Be brief."), assistant("Hello"))])
    assert_finding(report, "S212", 2, "messages[1].role", "system turn at position 1", "belong at the start")
    assert one(report, "S212").severity == Severity.WARNING


def test_s212_developer_turn_mid_conversation_and_other_formats(run):
    record = chat(user("Hi"), assistant("Hello"), {"role": "developer", "content": "Now be brief."},
                  user("Weather?"), assistant("Sunny."))
    assert_finding(run("openai-chat", [record]), "S212", 1, "messages[2].role", "developer turn at position 2")
    assert where(run("openai-dpo", [dpo([user(), system()])]), "S212") == [(1, "input.messages[1].role")]
    assert where(run("trl-prompt-only", [{"prompt": [user(), system()]}]), "S212") == [(1, "prompt[1].role")]


def test_s212_near_miss_instructions_stacked_at_the_start(run):
    developer = {"role": "developer", "content": "Be brief."}
    records = [chat(system(), developer, user(), assistant()), chat(developer, system(), user(), assistant())]
    assert where(run("openai-chat", records), "S212") == []


# --------------------------------------------------------------------------- S213 tool-call-arguments-not-json


def test_s213_arguments_not_json(run):
    report = run("openai-chat", [GOOD_CHAT, chat(user(), calls(call("c1", "{city: Paris}")))])
    assert_finding(report, "S213", 2, "messages[1].tool_calls[0].function.arguments",
                   "tool call arguments are not valid JSON", "column 2")


@pytest.mark.parametrize("arguments, fragment", [
    ('["Paris"]', "a JSON array, not an object"),
    ('"Paris"', "a JSON string, not an object"),
    ("42", "a JSON number, not an object"),
    ("null", "a JSON null, not an object"),
    ("", "not valid JSON"),
])
def test_s213_arguments_must_be_an_object(run, arguments, fragment):
    report = run("openai-chat", [chat(user(), calls(call("c1", arguments)))])
    assert_finding(report, "S213", 1, "messages[1].tool_calls[0].function.arguments", fragment)


def test_s213_second_call_and_other_formats(run):
    record = chat(user(), calls(call("c1"), call("c2", "{'city': 'Rome'}")), tool("c1"), tool("c2"), assistant())
    assert where(run("openai-chat", [record]), "S213") == [(1, "messages[1].tool_calls[1].function.arguments")]
    output = dpo([user()], [calls(call("c1", "{"))], [assistant("No.")])
    assert where(run("openai-dpo", [output]), "S213") == [(1, "preferred_output[0].tool_calls[0].function.arguments")]
    kto = {"messages": [user(), calls(call("c1", "city=Paris"))], "label": False}
    assert where(run("chat-kto", [kto]), "S213") == [(1, "messages[1].tool_calls[0].function.arguments")]


def test_s213_deprecated_function_call(run):
    legacy = {"role": "assistant", "content": None, "function_call": {"name": "get_weather", "arguments": "{city}"}}
    report = run("openai-chat", [chat(user(), legacy)])
    assert_finding(report, "S213", 1, "messages[1].function_call.arguments", "not valid JSON")
    fine = {**legacy, "function_call": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    assert where(run("openai-chat", [chat(user(), fine)]), "S213") == []


def test_s213_near_misses(run):
    records = [chat(user(), calls(call("c1", {"city": "Paris"}))),  # an object, as HF chat templates take it
               chat(user(), calls(call("c1", '{"city": "Paris", "days": [1, 2]}'))),
               chat(user(), calls(call("c1", "{}")))]
    assert where(run("openai-chat", records), "S213") == []


def sharegpt_call(value: str) -> dict:
    return {"conversations": [human(), {"from": "function_call", "value": value},
                              {"from": "observation", "value": "sunny"}, gpt()]}


def test_s213_sharegpt_function_call_value(run):
    report = run("sharegpt", [sharegpt_call('{"name": "get_weather", "arguments": {"city": "Paris"}}'),
                              sharegpt_call("get_weather(city='Paris')")])
    assert_finding(report, "S213", 2, "conversations[1].value", "function_call value is not valid JSON")
    assert where(run("sharegpt", [sharegpt_call('"get_weather"')]), "S213") == [(1, "conversations[1].value")]
    assert where(run("sharegpt", [sharegpt_call("[1, 2]")]), "S213") == [(1, "conversations[1].value")]
    assert where(run("sharegpt", [sharegpt_call("[]")]), "S213") == [(1, "conversations[1].value")]


def test_s213_sharegpt_parallel_calls_are_a_list(run):
    parallel = json.dumps([{"name": "get_weather", "arguments": {"city": "Paris"}},
                           {"name": "get_weather", "arguments": {"city": "Rome"}}])
    assert where(run("sharegpt", [sharegpt_call(parallel)]), "S213") == []


# --------------------------------------------------------------------------- S214 implicit-prompt-without-prefix


def test_s214_no_prompt_and_no_shared_start(run):
    good = {"prompt": "What colour is the sky?", "chosen": "Blue.", "rejected": "Green."}
    report = run("trl-preference", [good, {"chosen": "Blue.", "rejected": "Green."}])
    assert_finding(report, "S214", 2, "chosen", "share no common start", "add an explicit prompt")
    assert one(report, "S214").severity == Severity.WARNING


def test_s214_conversational_pair_with_different_first_message(run):
    record = {"chosen": [user("Sky colour?"), assistant("Blue.")], "rejected": [user("Grass colour?"), assistant("Green.")]}
    assert_finding(run("trl-preference", [record]), "S214", 1, "chosen", "implicit prompt")


@pytest.mark.parametrize("record", [
    {"chosen": "Q: Sky colour? A: Blue.", "rejected": "Q: Sky colour? A: Green."},
    {"chosen": [user("Sky colour?"), assistant("Blue.")], "rejected": [user("Sky colour?"), assistant("Green.")]},
    {"prompt": "", "chosen": "Blue.", "rejected": "Green."},  # an explicit prompt, even empty, is not implicit
], ids=["string-prefix", "shared-user-turn", "explicit-prompt"])
def test_s214_near_misses(run, record):
    assert where(run("trl-preference", [record], ignore=["S211", "Q101"]), "S214") == []


# --------------------------------------------------------------------------- the format fixtures


FORMATS_DIR = Path(__file__).parent / "data" / "formats"
VALID_FIXTURES = sorted(FORMATS_DIR.glob("*/valid.json*"))
INVALID_FIXTURES = sorted(FORMATS_DIR.glob("*/invalid.jsonl"))
OWN_FAMILIES = ("S1", "S2", "Q1")


def test_every_format_has_valid_and_invalid_fixtures():
    assert {p.parent.name for p in VALID_FIXTURES} == set(FORMATS)
    assert {p.parent.name for p in INVALID_FIXTURES} == set(FORMATS)
    assert FORMATS_DIR / "alpaca" / "valid.json" in VALID_FIXTURES


@pytest.mark.parametrize("path", VALID_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_fixture_is_detected_and_has_no_false_positives(check, path: Path):
    report = check(path)
    assert report.files[0].format == path.parent.name, report.files[0].format_reason
    assert report.records >= 3
    noise = [(f.code, f.location.line, f.location.field, f.message) for f in report.findings
             if f.code != "S211" and (f.severity >= Severity.ERROR or f.code.startswith(OWN_FAMILIES))]
    assert noise == []


@pytest.mark.parametrize("path", INVALID_FIXTURES, ids=lambda p: p.parent.name)
def test_every_invalid_fixture_record_fails_the_schema_on_its_own_line(check, path: Path):
    lines = [n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.strip()]
    report = check(path, format=path.parent.name)
    assert report.records == len(lines)
    assert {f.location.line for f in report.by_rule("S101")} == set(lines)
