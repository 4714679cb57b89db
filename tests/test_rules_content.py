"""Per-record content rules Q401 (refusals, AI disclaimers), Q402 (restated prompt), Q403
(truncated response) and Q404 (time-bound statements): trigger and near-miss cases through the
public API, located findings, options, and precision / recall on labelled generated responses
(tests/_content.py), with thresholds set to what the defaults measurably achieve."""
from __future__ import annotations

from typing import Any

import pytest

from ftlint import Severity

from _content import (precision_recall, refusal_examples, restated_examples, time_bound_examples,
                      truncation_examples)
from _records import one, where


def chat(prompt: str, *responses: str, system: str | None = None) -> dict:
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    for n, response in enumerate(responses):
        messages += [{"role": "user", "content": prompt if n == 0 else "And then?"},
                     {"role": "assistant", "content": response}]
    return {"messages": messages}


def labelled_lint(run, code: str, examples: list[tuple[str, bool]], **overrides: Any) -> tuple[float, float]:
    records = [chat("Tell me about it.", text) for text, _ in examples]
    report = run("openai-chat", records, select=[code], **overrides)
    predicted = {f.location.line for f in report.by_rule(code)}
    truth = {n + 1 for n, (_, label) in enumerate(examples) if label}
    return precision_recall(predicted, truth)


# --------------------------------------------------------------------------- Q401


def test_q401_refusal_located_with_quote(run):
    report = run("openai-chat", [chat("Write a poem about rain.", "Rain taps the glass."),
                                 chat("Summarise this contract.", "I'm sorry, but I can't help with that request.")],
                 select=["Q401"])
    finding = one(report, "Q401")
    assert (finding.location.line, finding.location.field) == (2, "messages[1].content")
    assert finding.message == "refusal in assistant response: \"I'm sorry, but I can't\""
    assert finding.severity == Severity.WARNING


@pytest.mark.parametrize("text", [
    "As an AI language model, I don't have personal opinions, but many critics praise the film.",
    "Great question! As an AI developed by OpenAI, I cannot browse the web.",
    "I’m just an AI, I don’t have feelings, but thank you for asking.",  # typographic apostrophes
])
def test_q401_ai_disclaimer_anywhere(run, text):
    report = run("openai-chat", [chat("What do you think of the film?", text)], select=["Q401"])
    assert one(report, "Q401").message.startswith("AI disclaimer in assistant response")


def test_q401_refusal_only_near_the_start_and_not_in_code_or_quotes(run):
    late = "Step one is to mix the flour and water. " * 10 + "I cannot help with the oven settings of your model."
    records = [chat("Explain sourdough.", late),
               chat("How do I print a refusal?",
                    "Use:\n```python\nprint(\"I'm sorry, but I can't help with that\")\n```"),
               chat("What does the error mean?", "When the server says \"I cannot help with that\", the key is wrong."),
               chat("Any tips?", "I can't help but recommend the second book: it is shorter.")]
    assert run("openai-chat", records, select=["Q401"]).by_rule("Q401") == []


def test_q401_rejected_answers_are_not_judged_but_chosen_are(run):
    record = {"prompt": [{"role": "user", "content": "Name a prime."}],
              "chosen": [{"role": "assistant", "content": "7 is prime."}],
              "rejected": [{"role": "assistant", "content": "I'm sorry, but I cannot help with that."}]}
    swapped = {**record, "chosen": record["rejected"], "rejected": record["chosen"]}
    report = run("trl-preference", [record, swapped], select=["Q401"])
    assert where(report, "Q401") == [(2, "chosen[0].content")]


def test_q401_patterns_are_configurable(run):
    records = [chat("Hi", "Computer says no."), chat("Hi", "I'm sorry, but I can't help with that.")]
    report = run("openai-chat", records, select=["Q401"],
                 rules={"Q401": {"refusal-patterns": ["computer says no"], "disclaimer-patterns": []}})
    assert where(report, "Q401") == [(1, "messages[1].content")]


def test_q401_precision_recall_on_labelled_responses(run):
    precision, recall = labelled_lint(run, "Q401", refusal_examples())
    # Measured: precision 1.0, recall 0.92 (the misses are the deliberately uncovered phrasings).
    assert precision >= 0.98
    assert recall >= 0.9


# --------------------------------------------------------------------------- Q402


def test_q402_statement_form_of_the_question(run):
    report = run("openai-chat", [chat("What is the boiling point of water at sea level?",
                                      "The boiling point of water at sea level.")], select=["Q402"])
    finding = one(report, "Q402")
    assert finding.location.field == "messages[1].content"
    assert "ROUGE-L 0.89 with messages[0].content" in finding.message


def test_q402_alpaca_input_material_is_not_the_prompt(run):
    records = [{"instruction": "Organize the sentences chronologically.",
                "input": "He moved to Lyon when he was four. He went to college. He got a job.",
                "output": "He moved to Lyon when he was four. He went to college. He got a job."},
               {"instruction": "What is the name of the tallest mountain in Africa?", "input": "",
                "output": "The name of the tallest mountain in Africa."}]
    report = run("alpaca", records, select=["Q402"])
    assert where(report, "Q402") == [(2, "output")]


def test_q402_precision_recall_on_labelled_pairs(run):
    examples = restated_examples()
    records = [chat(prompt, response) for prompt, response, _ in examples]
    report = run("openai-chat", records, select=["Q402"])
    predicted = {f.location.line for f in report.by_rule("Q402")}
    truth = {n + 1 for n, (_, _, label) in enumerate(examples) if label}
    precision, recall = precision_recall(predicted, truth)
    # Measured: precision 1.0, recall 0.75; the misses being "You asked ..." (two new words).
    assert precision == 1.0
    assert recall >= 0.75
    # Allowing two new words catches "You asked ..." but also a one-word answer after a restated
    # question ("Is the capital city of Australia? Canberra."): measured 0.97 / 0.97.
    report = run("openai-chat", records, select=["Q402"], rules={"Q402": {"max-new-words": 2}})
    precision, recall = precision_recall({f.location.line for f in report.by_rule("Q402")}, truth)
    assert precision >= 0.95
    assert recall >= 0.95


# --------------------------------------------------------------------------- Q403


@pytest.mark.parametrize("text, why", [
    ("Here is the function:\n\n```python\ndef f(x):\n    return", "ends inside an unclosed ``` code block"),
    ("Recursion is when a function calls itself to solve a smaller instance of the", "ends mid-sentence after 'the'"),
    ("The main steps are:", "ends with ':'"),
    ("First mix the flour, then add water,", "ends with ','"),
    ("The stages are well known. The", "ends after the first word of a new sentence ('The')"),
])
def test_q403_certain_signs_are_warnings(run, text, why):
    finding = one(run("openai-chat", [chat("Explain.", text)], select=["Q403"]), "Q403")
    assert finding.message.startswith(f"assistant response looks truncated: {why} (")
    assert finding.severity == Severity.WARNING


def test_q403_missing_full_stop_on_a_long_answer_is_info(run):
    text = ("Photosynthesis turns light into chemical energy in two stages that depend on each other. " * 3
            + "The light reactions happen in the thylakoid membranes and make the energy carriers")
    finding = one(run("openai-chat", [chat("Explain.", text)], select=["Q403"]), "Q403")
    assert finding.severity == Severity.INFO
    assert finding.message.startswith("assistant response may be truncated: ends mid-sentence (no closing")


@pytest.mark.parametrize("text", [
    "Paris", "The answer is B", "42", "1. Apples\n2. Pears", "Here it is:\n\n```\ncode\n```",
    "See https://example.org/docs", "| a | b |\n|---|---|\n| 1 | 2 |", "Answer: A",
    "Use four backticks to show a fence:\n\n````\n```\n````",
])
def test_q403_complete_answers(run, text):
    assert run("openai-chat", [chat("Question?", text)], select=["Q403"]).by_rule("Q403") == []


def test_q403_every_assistant_turn_is_checked(run):
    record = chat("Start.", "The first part is complete.", "The second part ends with the")
    assert where(run("openai-chat", [record], select=["Q403"]), "Q403") == [(1, "messages[3].content")]


def test_q403_precision_recall_on_labelled_responses(run):
    precision, recall = labelled_lint(run, "Q403", truncation_examples())
    # Measured: precision 1.0, recall 0.996.
    assert precision >= 0.98
    assert recall >= 0.95


def test_q403_warning_level_alone_is_precise(run):
    examples = truncation_examples(seed=6)
    records = [chat("Tell me about it.", text) for text, _ in examples]
    report = run("openai-chat", records, select=["Q403"])
    warned = {f.location.line for f in report.by_rule("Q403") if f.severity == Severity.WARNING}
    truth = {n + 1 for n, (_, label) in enumerate(examples) if label}
    precision, recall = precision_recall(warned, truth)
    assert precision == 1.0
    assert recall >= 0.5  # the rest are info-level (a cut that leaves no dangling word)


# --------------------------------------------------------------------------- Q404


def test_q404_time_bound_statements_listed(run):
    text = "As of 2023, the latest version of Python is 3.12. Today is Monday, March 4."
    finding = one(run("openai-chat", [chat("Which Python?", text)], select=["Q404"]), "Q404")
    assert finding.severity == Severity.INFO
    assert finding.message == ("time-bound statement in assistant response: \"As of 2023\"; "
                               "\"latest version of Python is\"; \"Today is Monday, March 4\"")


@pytest.mark.parametrize("text", [
    "Your total calorie intake for today is 1,200 calories.",
    "In 2019 the company moved to Lisbon.",
    "As of version 2.0, the API accepts JSON.",
    "Run:\n```\necho 'as of 2023'\n```",
])
def test_q404_near_misses(run, text):
    assert run("openai-chat", [chat("Hi", text)], select=["Q404"]).by_rule("Q404") == []


def test_q404_precision_recall_on_labelled_responses(run):
    precision, recall = labelled_lint(run, "Q404", time_bound_examples())
    # Measured: precision 1.0, recall 0.89 (the misses are the deliberately uncovered phrasings).
    assert precision >= 0.98
    assert recall >= 0.85


def test_content_rules_on_a_clean_chat_set(run):
    from _records import chat_record

    report = run("openai-chat", [chat_record(i) for i in range(60)], select=["Q401", "Q402", "Q403", "Q404"])
    assert report.findings == []


# --------------------------------------------------------------------------- literal screens


def test_literal_prefixes_of_phrase_patterns():
    from ftlint.content.screen import literal_prefixes

    assert literal_prefixes(r"\bas of (?:my|the) (?:last )?update") == {"as of my ", "as of the "}
    assert literal_prefixes(r"(?<!for )\btoday is") == {"today is"}
    assert literal_prefixes(r"\bI(?:'m| am) sorry") == {"i'm sorry", "i am sorry"}
    assert literal_prefixes(r"[A-Z]+ says no") is None  # no literal start: no screen
    assert literal_prefixes(r"(?:a|bc)d") == {"ad", "bcd"}
    assert literal_prefixes(r"(?:a|[bc])d") is None  # an alternative without a literal start


@pytest.mark.parametrize("code, key", [("Q401", "refusal-patterns"), ("Q401", "disclaimer-patterns"),
                                       ("Q404", "patterns")])
def test_screened_patterns_match_exactly_what_the_patterns_match(code, key):
    import re

    from ftlint.content.screen import PhraseSet
    from ftlint.rulepack import load_rules

    patterns = tuple(load_rules()[code].options[key])
    screened = PhraseSet(patterns)
    assert screened.screens  # the shipped lists are screened
    plain = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    texts = [t for t, _ in refusal_examples() + time_bound_examples() + truncation_examples()]
    matched = 0
    for text in texts + [t.upper() for t in texts]:
        expected = [m.group(0) for m in plain.finditer(text)]
        assert [m.group(0) for m in screened.finditer(text)] == expected
        matched += bool(expected)
    assert matched > 50


def test_a_pattern_without_a_literal_start_turns_the_screen_off(run):
    records = [chat("Hi", "ZZZ refuses."), chat("Hi", "Fine.")]
    report = run("openai-chat", records, select=["Q401"],
                 rules={"Q401": {"refusal-patterns": ["[A-Z]{3} refuses", "I'm sorry"], "disclaimer-patterns": []}})
    assert where(report, "Q401") == [(1, "messages[1].content")]


def test_quoted_record_text_is_masked(run):
    """Messages quote responses (Q402, Q403): personal data in them is masked like everywhere else."""
    text = "For details call 555-123-4567 or write to jane.doe@corp.com and ask for the"
    report = run("openai-chat", [chat("How do I reach support?", text)], select=["Q403"])
    message = one(report, "Q403").message
    assert "ends mid-sentence after 'the'" in message
    assert "555-123-4567" not in message and "jane.doe@corp.com" not in message
    assert "@c***.com" in message
