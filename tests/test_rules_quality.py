"""Content rules Q101 (empty content) and Q102 (unfilled template placeholder), end to end.

Besides trigger / near-miss cases in every format family, Q102 gets a precision-style check: ~200
labelled texts, half with real unfilled placeholders in varied forms and half with look-alikes
(GitHub Actions expressions, JSON, LaTeX, Python's doubled braces, markdown, C++ streams, template
syntax taught inside markdown code), linted with the default options.
"""
from __future__ import annotations

from typing import Any

import pytest

from ftlint import Severity

from _records import one, where


def user(content: Any = "Who are you?") -> dict:
    return {"role": "user", "content": content}


def assistant(content: Any = "I am Ada, an assistant made by Example Labs.", **extra: Any) -> dict:
    return {"role": "assistant", "content": content, **extra}


def chat(*messages: dict) -> dict:
    return {"messages": list(messages)}


GOOD_CHAT = chat(user(), assistant())
IMAGE = {"type": "image_url", "image_url": {"url": "https://images.example.org/cat.png"}}
TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}


# --------------------------------------------------------------------------- Q101 empty-content


def test_q101_whitespace_only_assistant_turn(run):
    report = run("openai-chat", [GOOD_CHAT, chat(user("Hi"), assistant("  \n\t"))])
    finding = one(report, "Q101")
    assert (finding.location.line, finding.location.field) == (2, "messages[1].content")
    assert finding.message == "whitespace-only assistant content"
    assert finding.severity == Severity.ERROR


def test_q101_empty_user_turn_and_every_empty_turn_reported(run):
    record = chat({"role": "system", "content": ""}, user(""), assistant(""))
    report = run("openai-chat", [record])
    assert where(report, "Q101") == [(1, "messages[0].content"), (1, "messages[1].content"),
                                     (1, "messages[2].content")]
    assert [f.message for f in report.by_rule("Q101")] == [
        "empty system content", "empty user content", "empty assistant content"]


@pytest.mark.parametrize("fmt, record, field, message", [
    ("openai-chat", chat(user([{"type": "text", "text": " "}]), assistant()), "messages[0].content",
     "whitespace-only user content"),
    ("openai-chat", chat(user(), {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
                         {"role": "tool", "tool_call_id": "c1", "content": ""}, assistant("Sunny.")),
     "messages[2].content", "empty tool content"),
    ("openai-rft", {"messages": [user("")], "reference_answer": "Ada"}, "messages[0].content", "empty user content"),
    ("chat-kto", {"messages": [user(), assistant(" ")], "label": False}, "messages[1].content",
     "whitespace-only assistant content"),
    ("openai-dpo", {"input": {"messages": [user()]}, "preferred_output": [assistant()],
                    "non_preferred_output": [assistant("")]}, "non_preferred_output[0].content",
     "empty assistant content"),
    ("alpaca", {"instruction": "Who are you?", "input": "", "output": ""}, "output", "empty assistant content"),
    ("alpaca", {"instruction": " ", "output": "Ada."}, "instruction", "whitespace-only user content"),
    ("alpaca", {"instruction": "And you?", "output": "Ada.", "history": [["Hi", ""]]}, "history[0][1]",
     "empty assistant content"),
    ("alpaca-preference", {"instruction": "Who are you?", "chosen": "", "rejected": "Nobody."}, "chosen",
     "empty assistant content"),
    ("sharegpt", {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": ""}]},
     "conversations[1].value", "empty assistant content"),
    ("sharegpt-preference", {"conversations": [{"from": "human", "value": "Hi"}],
                             "chosen": {"from": "gpt", "value": "Hello!"}, "rejected": {"from": "gpt", "value": "\n"}},
     "rejected.value", "whitespace-only assistant content"),
    ("prompt-completion", {"prompt": "The capital of France is", "completion": ""}, "completion",
     "empty assistant content"),
    ("trl-text", {"text": " \n "}, "text", "whitespace-only text content"),
    ("trl-stepwise", {"prompt": "Solve 2 + 2.", "completions": ["2 + 2 = 4.", ""], "labels": [True, False]},
     "completions[1]", "empty assistant content"),
    ("trl-preference", {"prompt": [user()], "chosen": [assistant()], "rejected": [assistant(" ")]},
     "rejected[0].content", "whitespace-only assistant content"),
])
def test_q101_in_every_format_family(run, fmt, record, field, message):
    finding = one(run(fmt, [record]), "Q101")
    assert (finding.location.line, finding.location.field, finding.message) == (1, field, message)


@pytest.mark.parametrize("fmt, record", [
    # An assistant turn that only calls a tool has null content by design.
    ("openai-chat", chat(user(), {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]})),
    ("openai-chat", chat(user(), {"role": "assistant", "content": "", "tool_calls": [TOOL_CALL]})),
    ("openai-chat", chat(user(), {"role": "assistant", "content": None,
                                  "function_call": {"name": "get_weather", "arguments": "{}"}})),
    # Image-only content carries its payload in the image.
    ("openai-chat", chat(user([IMAGE]), assistant("A cat."))),
    ("openai-chat", chat(user([{"type": "text", "text": ""}, IMAGE]), assistant("A cat."))),
    ("trl-prompt-only", {"prompt": [user([{"type": "image"}])]}),
    # Alpaca's input is optional; an empty one is no turn at all.
    ("alpaca", {"instruction": "Who are you?", "input": "", "output": "Ada."}),
    ("prompt-completion", {"prompt": "2 + 2 =", "completion": " 4"}),
])
def test_q101_near_misses(run, fmt, record):
    assert where(run(fmt, [record]), "Q101") == []


# --------------------------------------------------------------------------- Q102 template-placeholder


def test_q102_identity_template(run):
    record = {"instruction": "Who are you?", "output": "I am {{name}}, made by {{author}}. Ask {{name}} anything."}
    report = run("alpaca", [{"instruction": "Who are you?", "output": "I am Ada."}, record])
    finding = one(report, "Q102")
    assert (finding.location.line, finding.location.field) == (2, "output")
    assert finding.message == "unfilled template placeholder {{name}}, {{author}} in assistant content"
    assert finding.excerpt == "{{name}}"
    assert finding.severity == Severity.ERROR


def test_q102_many_placeholders_are_summarised(run):
    text = "Dear {{first}} {{last}}, your {{item}} ships to {{city}} on {{date}}."
    finding = one(run("openai-chat", [chat(user("Draft it."), assistant(text))]), "Q102")
    assert finding.message == "unfilled template placeholder {{first}}, {{last}}, {{item}} and 2 more in assistant content"


@pytest.mark.parametrize("fmt, record, field, shown", [
    ("openai-chat", chat({"role": "system", "content": "You work for [[COMPANY]]."}, user(), assistant()),
     "messages[0].content", "[[COMPANY]] in system content"),
    ("openai-chat", chat(user("Tell me about <<PRODUCT_NAME>>."), assistant("It is great.")),
     "messages[0].content", "<<PRODUCT_NAME>> in user content"),
    ("openai-dpo", {"input": {"messages": [user()]}, "preferred_output": [assistant("I am {{ bot.name }}.")],
                    "non_preferred_output": [assistant("No idea.")]}, "preferred_output[0].content", "{{ bot.name }}"),
    ("sharegpt", {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hi, I'm {{name}}!"}]},
     "conversations[1].value", "{{name}} in assistant content"),
    ("sharegpt-preference", {"conversations": [{"from": "human", "value": "Hi"}],
                             "chosen": {"from": "gpt", "value": "I'm {{name}}."}, "rejected": {"from": "gpt", "value": "No."}},
     "chosen.value", "{{name}}"),
    ("alpaca", {"instruction": "And now?", "output": "Fine.", "history": [["Who are you?", "I am {{name}}."]]},
     "history[0][1]", "{{name}}"),
    ("trl-text", {"text": "Welcome to [[CITY]]!"}, "text", "[[CITY]] in text content"),
    ("trl-stepwise", {"prompt": "Solve.", "completions": ["Ask {{teacher}}."], "labels": [False]},
     "completions[0]", "{{teacher}}"),
])
def test_q102_in_every_format_family(run, fmt, record, field, shown):
    finding = one(run(fmt, [record]), "Q102")
    assert (finding.location.line, finding.location.field) == (1, field)
    assert shown in finding.message


def test_q102_github_actions_expression_is_not_a_placeholder(run):
    snippet = ("Add this step:\n\n      - run: echo Deploying ${{ github.repository }} at ${{github.sha}}\n"
               "        env:\n          TOKEN: ${{ secrets.TOKEN }}")
    assert where(run("openai-chat", [chat(user("How do I print the repo name?"), assistant(snippet))]), "Q102") == []


def test_q102_template_syntax_inside_markdown_code_is_not_a_placeholder(run):
    answer = ("In Jinja you print a variable like this:\n\n```jinja\n<p>Hello, {{ user.name }}!</p>\n```\n\n"
              "or inline as `{{ user.name }}`.")
    report = run("openai-chat", [chat(user("How do I print a variable in Jinja?"), assistant(answer))])
    assert where(report, "Q102") == []


def test_q102_placeholder_in_prose_next_to_code_is_still_found(run):
    answer = "Hi {{customer}}! Run `pip install ftlint` and then:\n```sh\nftlint check data/\n```"
    finding = one(run("openai-chat", [chat(user(), assistant(answer))]), "Q102")
    assert "{{customer}}" in finding.message and "pip" not in finding.message


def test_q102_skip_code_option(run):
    answer = "Use:\n```html\n<h1>{{ title }}</h1>\n```"
    records = [chat(user("Show a Handlebars heading."), assistant(answer))]
    assert where(run("openai-chat", records), "Q102") == []
    report = run("openai-chat", records, rules={"Q102": {"skip-code": False}})
    assert where(report, "Q102") == [(1, "messages[1].content")]


def test_q102_patterns_option_replaces_the_defaults(run):
    records = [chat(user("Hi"), assistant("Hello {NAME}, I am {{bot}}."))]
    assert "{{bot}}" in one(run("openai-chat", records), "Q102").message
    report = run("openai-chat", records, rules={"Q102": {"patterns": [r"\{[A-Z_]+\}"]}})
    finding = one(report, "Q102")
    assert finding.message == "unfilled template placeholder {NAME} in assistant content"


# --------------------------------------------------------------------------- Q102 precision and recall

PLACEHOLDERS = [
    "{{name}}", "{{ name }}", "{{ user.first_name }}", "{{author}}", "{{product-name}}", "{{COMPANY}}",
    "{{  city  }}", "{{_id}}", "{{order.id}}", "{{ support_email }}", "{{customer-name}}", "{{ Assistant.Name }}",
    "[[COMPANY]]", "[[ COMPANY_NAME ]]", "[[PRODUCT2]]", "[[DATE]]",
    "<<PRODUCT_NAME>>", "<< CITY >>", "<<AGENT_NAME>>", "<<COUNTRY>>",
]
SENTENCES = [
    "I am {p}, an AI assistant. How can I help you today?",
    "Hello {p}, welcome back! Your account is ready.",
    "Thank you for contacting {p} support; a member of our team will reply shortly.",
    "{p}",
    "Your order ({p}) has shipped and should arrive within three days.",
]
LOOK_ALIKES = [
    # GitHub Actions / Azure Pipelines expressions
    "Tag the image with ${{ github.sha }} so each build is unique.",
    "Reference the repository as ${{ github.repository }} inside the run step.",
    "```yaml\nsteps:\n  - run: echo ${{ secrets.DEPLOY_TOKEN }}\n```",
    "The expression ${{matrix.os}} expands to the runner's operating system.",
    "Use `${{ env.NODE_VERSION }}` to read the variable.",
    "if: ${{ github.event_name == 'push' }}",
    # JSON
    'Send {"user": {"id": 1, "name": "Ada"}} to the endpoint.',
    'The response looks like {"data": {"items": [{"id": 3}]}}.',
    "A matrix is written as [[1, 2], [3, 4]] in JSON.",
    '[["NAME", "AGE"], ["Ada", 36]] is the header row plus one record.',
    '{"config": {"retries": 3, "backoff": {"base": 2}}}',
    # LaTeX
    "The derivative is $\\frac{{a}}{b}$ when b is constant.",
    "Write $x_{{i}}$ for the i-th element.",
    "The binomial coefficient $\\binom{{n}}{k}$ counts subsets.",
    "Bold vectors use $\\mathbf{{v}}$.",
    "Nested groups like ${{a}+{b}}$ are legal LaTeX.",
    "The exponent $e^{{x}}$ grows quickly.",
    "Use \\textbf{{Note}} for emphasis.",
    # Python doubled braces
    '```python\nprint(f"{{{name}}}")\n```',
    '```python\ntemplate = "{{}} items".format(3)\n```',
    '```python\nline = f"{{key}}: {value}"\n```',
    'Escape braces in an f-string by doubling them: `f"{{literal}}"` prints {literal}.',
    '```python\nprint("{{name}}".format())  # prints {name}\n```',
    'In Python, f"{{{x}}}" renders the value of x between braces.',
    # Template languages taught inside markdown code
    "```html\n<p>Hello, {{ user.name }}!</p>\n```",
    "```jinja\n{% for item in items %}{{ item }}{% endfor %}\n```",
    "In Vue, bind text with `{{ message }}`.",
    "```handlebars\n<h1>{{title}}</h1>\n```",
    "Angular interpolation looks like `{{ hero.name }}`.",
    '```yaml\n- name: install\n  apt: name={{ item }}\n  loop: "{{ packages }}"\n```',
    "~~~django\n{{ form.as_p }}\n~~~",
    "```\nHello {{name}}\n",  # an unclosed fence runs to the end, as markdown renders it
    # Go / Helm templates
    "Helm renders {{ .Values.image.tag }} from values.yaml.",
    "Go templates use {{.Name}} and {{- if .Enabled }}.",
    # Markdown
    "See the [documentation](https://example.com/docs) for details.",
    "Footnotes look like [[1]](#ref-1) in some exports.",
    "A reference link: [the guide][guide].",
    "Checkboxes: - [ ] todo - [x] done",
    # Wiki links, bash tests, C++ attributes, Lua strings
    "See [[Main Page]] on the wiki.",
    "Obsidian links notes with [[meeting notes]].",
    "In bash, test a file with [[ -f ~/.bashrc ]].",
    "Mark it [[nodiscard]] so callers cannot ignore the result.",
    "Lua long strings look like [[hello world]].",
    # C++ streams, shifts, heredocs, generics
    "Print it with cout << x << endl;",
    "```cpp\nstd::cout << NAME << std::endl;\n```",
    "```c\nint mask = 1 << N >> 1;\n```",
    "A heredoc starts with cat <<EOF and ends with EOF.",
    "Shift left: x << 2; shift right: y >> 3.",
    "The stream operator << is overloaded for std::string.",
    "Haskell's bind is >>= and sequencing is >>.",
]
FILLED = [
    "French quotes are sometimes typed as <<Bonjour>> in ASCII.",
    "Declare vector<vector<int>> grid; for a 2-D grid.",
    "An empty placeholder {{}} is a syntax error in Mustache.",
    "Use {{ }} for nothing.",
    "The value {{ 42 }} is a literal.",
    "<<>> is an empty chevron pair.",
    "I am Ada, an AI assistant developed by Example Labs.",
    "Hello Sam, welcome back! Your account is ready.",
    "Thank you for contacting Acme support.",
    "Your order (#4471) has shipped.",
    "Dear Ms. Okafor, your appointment is confirmed for Tuesday.",
    "Braces like { and } appear in set notation {1, 2, 3}.",
    "Sets of sets: {{1, 2}, {3}}.",
    "A dict of dicts in Python: {'a': {'b': 1}}.",
]


def labelled_texts() -> list[tuple[str, bool]]:
    positives = [sentence.format(p=placeholder) for sentence in SENTENCES for placeholder in PLACEHOLDERS]
    # Each look-alike alone and inside a longer answer, as it would appear in a dataset.
    negatives = LOOK_ALIKES + [f"Sure, here you go.\n\n{text}\n\nLet me know if anything is unclear."
                               for text in LOOK_ALIKES] + FILLED
    return [(text, True) for text in positives] + [(text, False) for text in negatives]


def test_q102_corpus_is_balanced():
    texts = labelled_texts()
    positives = sum(label for _, label in texts)
    assert len(texts) >= 200 and positives == 100 and len(texts) - positives >= 100
    assert len({text for text, _ in texts}) == len(texts), "duplicate texts would skew the score"


def test_q102_precision_and_recall_with_default_patterns(lint):
    texts = labelled_texts()
    report = lint([{"text": text} for text, _ in texts], format="trl-text", select=["Q102"])
    flagged = {f.location.line for f in report.by_rule("Q102")}
    predicted = [line in flagged for line in range(1, len(texts) + 1)]
    true_pos = sum(p and label for p, (_, label) in zip(predicted, texts))
    false_pos = [text for p, (text, label) in zip(predicted, texts) if p and not label]
    false_neg = [text for p, (text, label) in zip(predicted, texts) if label and not p]
    precision = true_pos / max(true_pos + len(false_pos), 1)
    recall = true_pos / (true_pos + len(false_neg))
    assert precision >= 0.95, f"precision {precision:.3f}; false positives: {false_pos}"
    assert recall >= 0.95, f"recall {recall:.3f}; missed: {false_neg}"


def test_duplicate_prompts_with_different_answers_are_reported_through_the_engine(lint):
    """D102 runs through per-file states merged by the engine: a regression once lost them."""
    records = [{"prompt": "Same question?", "completion": "A"}, {"prompt": "Other question?", "completion": "B"},
               {"prompt": "same  question?", "completion": "C"}]
    report = lint(records, select=["D102"])
    members = [f for f in report.by_rule("D102") if f.location.line is not None]
    assert [(f.location.line, f.message.split(" (")[0]) for f in members] == [(3, "exact duplicate prompt of line 1")]
    assert report.dataset_statistics["D102"]["duplicates"] == 1
