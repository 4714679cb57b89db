"""The fast paths of the content rules (family Q) agree with the plain computations they replace,
on generated data: the word screen and the placeholder screen never skip a text the patterns
match, and openings, verb-object pairs, truncation signs and counter pruning equal the simple
versions (kept here as references) on texts built to hit their edge cases."""
from __future__ import annotations

import random
import re

import pytest

from ftlint.checks.quality import _compile as placeholder_screen
from ftlint.checks.quality import _may_match, _prose
from ftlint.content import phrases
from ftlint.content.phrases import opening, verb_object
from ftlint.content.responses import truncation
from ftlint.content.screen import PhraseSet, first_words, text_words
from ftlint.content.sketches import FrequentCounter
from ftlint.rulepack import load_rules

from _content import refusal_examples, time_bound_examples, truncation_examples

PIECES = ("I", "i", "I'm", "it", "It's", "that", "This", "as", "As", "an", "AI", "today", "Today's", "currently",
          "violates", "violate", "against", "my", "the", "at", "by", "we", "latest", "version", "is", "of", "2023",
          "sorry", "can't", "cannot", "help", "model", "language", "knowledge", "cut-off", "right", "now", "(", ")",
          ",", ".", "!", "?", "'", "\"", "*", "_", "-", "\n", "  ", "\t", "é", "İ", "ſ", "K", "’", "{{", "}}",
          "name",
          "[[", "]]", "NAME", "<<", ">>", "`", "```", "~~~", "x_y", "I_am", "Iam", "am", "not", "able", "to", "do")


def generated_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    labelled = [t for t, _ in refusal_examples() + time_bound_examples() + truncation_examples()]
    out = []
    for _ in range(n):
        if rng.random() < 0.4:
            words = rng.choice(labelled).split(" ")
            for _ in range(rng.randint(0, 4)):  # splice random pieces in, sometimes without a space
                at = rng.randrange(len(words) + 1)
                words.insert(at, rng.choice(PIECES))
            joiner = rng.choice((" ", " ", " ", ""))
            text = joiner.join(words)
        else:
            text = "".join(rng.choice(PIECES) + rng.choice(("", " ", " ", " ", "\n"))
                           for _ in range(rng.randint(0, 40)))
        out.append(text.upper() if rng.random() < 0.1 else text)
    return out


# --------------------------------------------------------------------------- word screen


@pytest.mark.parametrize("code, key", [("Q401", "refusal-patterns"), ("Q401", "disclaimer-patterns"),
                                       ("Q404", "patterns")])
def test_word_screen_never_skips_a_text_the_patterns_match(code, key):
    patterns = tuple(load_rules()[code].options[key])
    screened = PhraseSet(patterns)
    assert screened.words  # the shipped lists have a word screen
    plain = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    texts = [t for t, _ in refusal_examples() + time_bound_examples()] + generated_texts(6000, seed=1)
    matched = skipped = 0
    for text in texts:
        found = plain.search(text) is not None
        if screened.absent(text_words(text)):
            assert not found, text
            skipped += 1
        matched += found
    assert matched > 50 and skipped > 300  # both sides well represented


def test_first_words_of_pattern_starts():
    assert first_words(r"\bI(?:'m| am) sorry") == {"i"}
    assert first_words(r"\bviolates?\b") == {"violate", "violates"}
    assert first_words(r"(?<!for )\btoday(?:'s date)? is") == {"today"}
    assert first_words(r"\b(?:currently|right now),? in") == {"currently", "right"}
    assert first_words(r"^as of") == {"as"}
    assert first_words(r"\bagainst\b") == {"against"}
    assert first_words(r"I am") is None  # no boundary: "I am" may end a longer word ("PI am")
    assert first_words(r"\btoday") is None  # may open "todays": not a whole word
    assert first_words(r"\b[A-Z]+ says") is None
    assert first_words(r"\b(?:it|\w+) is") is None
    assert first_words(r"\bcaf[eé] au") is None
    assert first_words(r"\bé") is None


def test_a_list_with_an_unsettled_pattern_has_no_word_screen():
    assert PhraseSet((r"\bI am\b", r"[A-Z]{3} refuses")).words is None
    assert PhraseSet((r"\bI am\b", r"\bwe\b")).words == {b"i", b"we"}
    assert PhraseSet(()).absent(None)  # no patterns: nothing can match


def test_screen_words_keep_what_every_word_screen_needs():
    from ftlint.content.screen import screen_words

    sets = [PhraseSet(tuple(load_rules()[code].options[key])) for code, key in
            (("Q401", "refusal-patterns"), ("Q401", "disclaimer-patterns"), ("Q404", "patterns"))]
    sets.append(PhraseSet((r"\bzebra\b",)))  # created later: registered too
    for text in generated_texts(3000, seed=3) + ["a zebra."]:
        everything, screened = text_words(text), screen_words(text)
        for phrases_ in sets:
            assert phrases_.absent(everything) == phrases_.absent(screened), text


def test_text_words_are_the_lower_cased_word_runs_of_ascii_text():
    assert text_words("I'm NOT_sure (it's) 42x!") == {b"i", b"m", b"not_sure", b"it", b"s", b"42x"}
    assert text_words("café") is None  # not ASCII: the substring screen decides


# --------------------------------------------------------------------------- placeholder screen


def test_placeholder_screen_never_skips_a_text_the_patterns_match():
    options = dict(load_rules()["Q102"].options)
    regex, screens = placeholder_screen(options)
    assert screens  # the shipped patterns are screened
    rng = random.Random(5)
    pieces = ("{{", "}}", "{", "}", "[[", "]]", "<<", ">>", "name", "NAME", "user_id", " ", "\n", "`", "```", "$", "^",
              "x.y", "A1", "-", "{{name}}", "[[NAME]]", "<<X>>", "{{{x}}}", "${{x}}", "`{{x}}`")
    texts = generated_texts(3000, seed=5)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(6000)]
    matched = skipped = 0
    for text in texts:
        found = regex.search(text) is not None or regex.search(_prose(text)) is not None
        if not _may_match(text, screens):
            assert not found, text
            skipped += 1
        matched += found
    assert matched > 300 and skipped > 300


@pytest.mark.parametrize("patterns", [[r"[A-Z]{3}"], [r"\bName\b"], [r"{ {x"], []])
def test_placeholder_patterns_a_literal_cannot_screen(patterns):
    assert placeholder_screen({"patterns": patterns})[1] is None


# --------------------------------------------------------------------------- openings and verbs

_S = re.compile(r"\S+")


def reference_opening(text: str, words: int) -> tuple[str, str] | None:
    found = []
    for match in _S.finditer(text):
        found.append(match.group(0))
        if len(found) == words:
            break
    if not found:
        return None
    key = " ".join(w.strip(phrases._EDGE).casefold() for w in found)
    return " ".join(key.split()), " ".join(found)


def test_opening_equals_the_regex_version():
    rng = random.Random(2)
    texts = generated_texts(3000, seed=9)
    texts += ["x" * 250 + " b c d", " " * 230 + "a b", "a" * 199 + " " + "b" * 10 + " c d e", "\x1c a\u2003b\x85c d",
              "\u00a0\u00a0" + "w " * 150, "", "   "]
    texts += ["".join(rng.choice("ab \n\u3000") for _ in range(rng.randint(150, 260))) for _ in range(500)]
    for text in texts:
        for words in (1, 3, 5):
            assert opening(text, words) == reference_opening(text, words), (text, words)


def reference_verb_object(instruction: str) -> tuple[str, str | None]:
    """verb_object with the original tokenisation and lead-in scan."""
    def skip(words: list[str]) -> list[str]:
        changed = True
        while changed and words:
            changed = False
            for prefix in phrases._PREFIX_CACHE:
                if tuple(words[:len(prefix)]) == prefix:
                    words = words[len(prefix):]
                    changed = True
                    break
        return words

    tokens = [t.casefold() for t in phrases._WORD.findall(instruction[:300])[:40]]
    return _verb_object_from_tokens(tokens, skip)


def _verb_object_from_tokens(tokens: list[str], skip) -> tuple[str, str | None]:
    words = skip(tokens)
    while words and not words[0][0].isalnum():
        words = skip(words[1:])
    if not words:
        return "", None
    first = words[0]
    if first in phrases.QUESTION_WORDS:
        return "?" + first, None
    if not (first.isascii() and first[0].isalpha()) or first in phrases.CLOSED:
        return "", None
    follower = words[1] if len(words) > 1 else ""
    if (follower in (":", "=", "#") or follower in phrases.COPULAS or follower in phrases.NUMBERED
            or follower.isdigit() or phrases._gerund(first)):
        return "", None
    for word in words[1:12]:
        if not word[0].isalnum():
            if word in ("-", "'", "’"):
                continue
            break
        if word in phrases.OBJECT_SKIP or word in phrases.PREPOSITIONS or word.isdigit():
            continue
        if word in phrases.QUESTION_WORDS or word in phrases.CLAUSE_WORDS:
            break
        return first, phrases._singular(word.removesuffix("'s").removesuffix("’s"))
    return first, None


def test_verb_object_equals_the_plain_tokenisation_and_lead_in_scan():
    rng = random.Random(4)
    leads = ["Please", "please", "Can you", "could you", "I want you to", "I would like you to", "Hi,", "OK",
             "let's", "help me to", "Your task is to", "now then", "Kindly", "you must", "I'd like you to"]
    verbs = ["Write", "describe", "List", "explain", "What", "How", "Sentence:", "Paris is", "Describing", "Make",
             "Translate", "Ünderline", "ÉCRIS", "fix"]
    rest = ["two short poems about rain", "the following list", "a catchy slogan for a bakery", "- a story",
            "why the sky is blue", "5 facts", "its history", "the U.S. economy", "ſtraße names", "İstanbul's food"]
    texts = [" ".join([rng.choice(leads) for _ in range(rng.randint(0, 3))] + [rng.choice(verbs), rng.choice(rest)])
             for _ in range(3000)]
    texts += generated_texts(2000, seed=13) + ["word " * 80, "please " * 60 + "write a poem"]
    # long instructions, where a short head is tokenised first: decided there or not
    filler = ["the", "a", "short", "-", "'", "two", "and", ",", "why", "poems", "x" * 30, "5", "to", "you", "can"]
    texts += [" ".join([rng.choice(leads) for _ in range(rng.randint(0, 6))] + [rng.choice(verbs)]
                       + [rng.choice(filler) for _ in range(rng.randint(0, 25))]) for _ in range(6000)]
    # heads of letters and whitespace only (split instead of tokenised), any ASCII whitespace
    letters = ["please", "Write", "can", "you", "poems", "the", "Describing", "is", "how", "abcdefghijklmnopqrstuvwxyz",
               "a", "x", "Kindly", "i", "want", "to", "sing"]
    spaces = [" ", "  ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", " \n "]
    texts += ["".join(rng.choice(spaces) * (i > 0) + rng.choice(letters) for i in range(rng.randint(1, 14)))
              + rng.choice(["", ".", " 5", "'s", "_x", "-y"]) for _ in range(6000)]
    for text in texts:
        assert verb_object(text) == reference_verb_object(text), text


# --------------------------------------------------------------------------- truncation

_FENCE_LINE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})([^\n]*)$", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|[a-zA-Z][.)])\s")
_ODD_TAIL = re.compile(r"[/\\@_.\d=<>]")


def reference_truncation(text: str, min_words: int, dangling: frozenset[str]) -> tuple[str, bool] | None:
    from ftlint.content.responses import unclosed_fence

    if unclosed_fence(text):
        return "ends inside an unclosed ``` code block", True
    stripped = text.rstrip()
    if not stripped:
        return None
    last_line = stripped.rsplit("\n", 1)[-1].strip()
    end = stripped[-1]
    if end in ",([{" or end == ":" and not last_line.startswith(("#", "|")):
        return f"ends with {end!r}", True
    if end in "-–—" and len(last_line.strip("-–— ")) > 0:
        return f"ends with {end!r}", True
    if not end.isalpha():
        return None
    words = last_line.split()
    if not words:
        return None
    last_word = words[-1]
    if len(stripped.split(None, 3)) >= 3 and last_word in dangling:
        return f"ends mid-sentence after {last_word!r}", True
    if len(words) >= 2 and words[-2][-1] in ".!?" and last_word.lower() in dangling and last_word[0].isupper():
        return f"ends after the first word of a new sentence ({last_word!r})", True
    if (end.islower() and len(words) >= 5 and not _LIST_ITEM.match(last_line)
            and not last_line.startswith(("#", "|", "    ", "\t")) and not _ODD_TAIL.search(last_word)
            and len(stripped.split(None, min_words)) > min_words):
        return f"ends mid-sentence (no closing punctuation after {last_word!r})", False
    return None


def test_truncation_equals_the_plain_version():
    options = load_rules()["Q403"].options
    dangling = frozenset(w.casefold() for w in options["dangling-words"])
    rng = random.Random(6)
    texts = [t for t, _ in truncation_examples()] + generated_texts(4000, seed=21)
    endings = ("", " ", ",", ":", " -", "—", "\n", " the", ". The", "\n# h:", "\n| a |", "~")
    texts += [t + rng.choice(endings) for t in texts]
    for text in texts:
        for min_words in (3, 30):
            assert truncation(text, min_words, dangling) == reference_truncation(text, min_words, dangling), text


# --------------------------------------------------------------------------- counter pruning


def reference_prune(counter: FrequentCounter) -> None:
    ordered = sorted(counter.counts.items(), key=lambda item: (-item[1], item[0]))
    keep, drop = ordered[:counter.capacity], ordered[counter.capacity:]
    if drop:
        counter.error += drop[0][1]
    counter.counts = dict(keep)
    counter.shown = {k: counter.shown[k] for k, _ in keep if k in counter.shown}
    counter.examples = {k: counter.examples[k] for k, _ in keep if k in counter.examples}


@pytest.mark.parametrize("seed", range(6))
def test_pruning_keeps_what_a_full_sort_keeps(seed):
    rng = random.Random(seed)
    capacity = rng.choice((5, 20, 100))
    fast, plain = FrequentCounter(capacity=capacity, examples=2), FrequentCounter(capacity=capacity, examples=2)
    plain._prune = lambda: reference_prune(plain)  # type: ignore[method-assign]
    vocabulary = [f"w{i}" for i in range(rng.choice((30, 300, 3000)))]
    for line in range(20000):
        key = vocabulary[min(int(rng.paretovariate(rng.choice((0.5, 1.0, 2.0)))) - 1, len(vocabulary) - 1)] \
            if rng.random() < 0.5 else rng.choice(vocabulary)
        for counter in (fast, plain):
            counter.add(key, key.upper(), example=line)
    assert fast.error > 0  # pruned, with ties at the cut
    assert (fast.counts, fast.shown, fast.examples, fast.error, fast.total) == \
        (plain.counts, plain.shown, plain.examples, plain.error, plain.total)


# --------------------------------------------------------------------------- Q402 counts


def test_counts_without_splitting_equal_the_splits():
    from ftlint.content.rouge import new_words_exceed, token_count, tokens, word_count

    rng = random.Random(8)
    alphabet = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0a_Z9-.'éß\u2003"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(30000)]
    texts += generated_texts(3000, seed=17)
    for text in texts:
        assert token_count(text) == len(tokens(text)), text
        assert word_count(text) == len(text.split()), text
    known = {"a", "z9", "é"}
    for text in texts[:5000]:
        for most in (-1, 0, 1, 2):
            assert new_words_exceed(text, known, most) == (sum(1 for w in set(tokens(text)) if w not in known) > most)


def test_record_word_screen_on_raw_text_never_skips_matching_prose():
    """Q401/Q404 screen a record by the words of its raw responses; the patterns run on the prose
    (code and quotes blanked out), whose words are among those."""
    from ftlint.content.responses import prose, record_screen_words, response_turns
    from ftlint.formats import FORMATS
    from ftlint.model import Record

    rng = random.Random(12)
    lists = [tuple(load_rules()[code].options[key]) for code, key in
             (("Q401", "refusal-patterns"), ("Q401", "disclaimer-patterns"), ("Q404", "patterns"))]
    screens = [PhraseSet(patterns) for patterns in lists]
    plains = [re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) for patterns in lists]
    wrappers = ("`{}`", "```\n{}\n```", "\"{}\"", "“{}”", "~~~{}~~~", "x`{}`y", "{}", "{}", "{}")
    texts = generated_texts(3000, seed=31)
    skipped = 0
    for n in range(3000):
        parts = [rng.choice(wrappers).format(rng.choice(texts)) for _ in range(rng.randint(1, 3))]
        messages = [{"role": "user", "content": "Q?"}]
        for part in parts:
            messages += [{"role": "assistant", "content": part}, {"role": "user", "content": "more"}]
        sample = FORMATS["openai-chat"].to_sample(Record("t.jsonl", n + 1, {"messages": messages[:-1]}))
        _, words, all_ascii = record_screen_words(sample)
        for screen, plain in zip(screens, plains):
            if all_ascii and screen.absent(words):
                skipped += 1
                for turn in response_turns(sample):
                    assert plain.search(prose(sample, turn)) is None, parts
    assert skipped > 500


@pytest.mark.parametrize("seed", range(4))
def test_top_equals_a_full_sort(seed):
    rng = random.Random(seed)
    counter = FrequentCounter(capacity=100000)
    for _ in range(rng.choice((10, 500, 5000))):
        counter.add(f"k{rng.randrange(2000)}", n=rng.choice((1, 1, 1, 2, 5)))
    ordered = sorted(counter.counts.items(), key=lambda item: (-item[1], item[0]))
    for k in (0, 1, 3, 15, 50, len(ordered) - 1, len(ordered), len(ordered) + 5):
        assert counter.top(k) == ordered[:k]


def test_either_words_is_all_lists_absent():
    from ftlint.content.screen import either_words

    lists = [PhraseSet((r"\bI am\b",)), PhraseSet((r"\bas of\b", r"\btoday is")), PhraseSet(()),
             PhraseSet((r"[A-Z]{3} refuses",))]
    for text in generated_texts(2000, seed=41):
        words = text_words(text)
        if words is None:
            continue
        for chosen in (lists[:1], lists[:2], lists[:3], lists[1:3], lists[2:3], lists):
            either = either_words(*chosen)
            if either is not None:
                assert either.isdisjoint(words) == all(p.absent(words) for p in chosen)
            else:
                assert any(p.words is None and p.regex is not None for p in chosen)


def test_a_new_first_token_means_new_words():
    from ftlint.content.rouge import first_token_new, new_words_exceed, tokens

    rng = random.Random(9)
    texts = generated_texts(4000, seed=43) + ["x" * 70 + " y", "ß straße", "İstanbul is big", "ǅemal"]
    told = 0
    for text in texts:
        other = rng.choice(texts)
        if first_token_new(text, other):
            told += 1
            assert new_words_exceed(text, set(tokens(other)), 0), (text, other)
    assert told > 1000


# --------------------------------------------------------------------------- batched counting


@pytest.mark.parametrize("seed", range(4))
def test_add_many_equals_adding_one_by_one(seed):
    rng = random.Random(seed)
    capacity = rng.choice((5, 20, 100))
    vocabulary = [f"w{i}" for i in range(rng.choice((30, 300, 3000)))]
    keys = [vocabulary[min(int(rng.paretovariate(1.0)) - 1, len(vocabulary) - 1)] if rng.random() < 0.5
            else rng.choice(vocabulary) for _ in range(12000)]
    for with_shown, examples in ((True, 2), (False, 0), (False, 3)):
        one, many = FrequentCounter(capacity=capacity, examples=examples), \
            FrequentCounter(capacity=capacity, examples=examples)
        for line, key in enumerate(keys):
            one.add(key, key.upper() if with_shown else None, example=line if examples else None)
        for start in range(0, len(keys), 700):  # uneven batches
            part = keys[start:start + 700]
            many.add_many(part, [k.upper() for k in part] if with_shown else None,
                          list(range(start, start + len(part))) if examples else None)
        assert one.error > 0  # pruned
        assert (one.counts, one.shown, one.examples, one.error, one.total, one.distinct()) == \
            (many.counts, many.shown, many.examples, many.error, many.total, many.distinct())


def test_batched_openings_and_verb_objects_equal_per_record_counting():
    """Q202 and Q204 parse and count a batch of records at a time; the counters end as if every
    record were counted when it arrived, across batch ends, pickling and merges."""
    import pickle

    from ftlint.checks.diversity import KEY_BATCH, RepeatedOpenings, VerbObjectSpread, instruction_turn
    from ftlint.content.responses import response_turns
    from ftlint.formats import FORMATS
    from ftlint.model import Record

    rng = random.Random(5)
    texts = generated_texts(400, seed=23) + ["Write a poem about rain", "Please list three fruits", "What is 2+2?",
                                             "Can you explain gravity", "Sure! Here you go", "", "  "]
    records = [{"messages": [{"role": "user", "content": rng.choice(texts)},
                             {"role": "assistant", "content": rng.choice(texts)}]} for _ in range(3 * KEY_BATCH + 77)]
    spec = FORMATS["openai-chat"]
    samples = [spec.to_sample(Record("t.jsonl", n + 1, r)) for n, r in enumerate(records)]
    rules = load_rules()
    q202, q204 = RepeatedOpenings(rules["Q202"].options), VerbObjectSpread(rules["Q204"].options)
    halves = [(RepeatedOpenings(rules["Q202"].options), VerbObjectSpread(rules["Q204"].options)) for _ in range(2)]
    prompts, responses = FrequentCounter(examples=5), FrequentCounter(examples=5)
    verbs, pairs, questions = FrequentCounter(examples=5), FrequentCounter(capacity=5000), FrequentCounter(capacity=50)
    for n, sample in enumerate(samples):
        q202.add(sample)
        q204.add(sample)
        for state in halves[n >= 1000]:
            state.add(sample)
        line = sample.record.line
        turn = instruction_turn(sample)
        if turn is not None:
            if found := opening(turn.text, q202.words):
                prompts.add(found[0], found[1], example=line)
            verb, obj = verb_object(turn.text)
            if verb.startswith("?"):
                questions.add(verb[1:])
            elif verb:
                verbs.add(verb, example=line)
                pairs.add(f"{verb} {obj}" if obj else verb)
        answers = response_turns(sample)
        if answers and (found := opening(answers[0].text, q202.words)):
            responses.add(found[0], found[1], example=line)
    first = halves[0]
    first[0].merge(pickle.loads(pickle.dumps(halves[1][0])))
    first[1].merge(pickle.loads(pickle.dumps(halves[1][1])))
    for state in (q202, first[0]):
        state.statistics()
        for mine, plain in ((state.counters["prompt"], prompts), (state.counters["response"], responses)):
            assert (mine.counts, mine.shown, mine.examples, mine.total) == \
                (plain.counts, plain.shown, plain.examples, plain.total)
    for state in (q204, first[1]):
        state.statistics()
        for mine, plain in ((state.verbs, verbs), (state.pairs, pairs), (state.questions, questions)):
            assert (mine.counts, mine.examples, mine.total) == (plain.counts, plain.examples, plain.total)
    assert q202.statistics() == first[0].statistics() and q204.statistics() == first[1].statistics()
