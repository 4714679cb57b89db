"""Generated, labelled data for the content-quality tests (Q2xx-Q4xx): prompts with planted
paraphrases, and brute-force ROUGE-L over all pairs to judge the indexed search against."""
from __future__ import annotations

import random

from ftlint.content.rouge import rouge_l

VERBS = ("write", "describe", "explain", "list", "summarize", "compose", "generate", "create", "classify",
         "translate", "compare", "suggest", "design", "outline", "identify", "rank", "name", "find")
NOUNS = ("poem story essay recipe plan list summary letter email slogan tweet joke riddle headline outline "
         "review report speech song dialogue quiz puzzle table chart proof algorithm function query schedule "
         "budget itinerary menu").split()
FILLER = ("river harbour lantern copper meadow violin glacier orchard compass thunder pepper saddle marble falcon "
          "ribbon quarry walnut velvet anchor blossom canyon ember fossil garnet hazel island jasmine kettle ladder "
          "mango nectar oyster pebble quill raven sorrel tundra umber vessel willow yarrow zephyr bakery cobalt dune "
          "engine ferry granite hammock ivory jigsaw kiln lagoon mosaic nutmeg opal parsley quartz rhubarb spruce "
          "tulip urchin valley wharf basil cactus dolphin estuary fjord gravel heron indigo juniper kelp lichen "
          "mussel nettle olive prism quince reef salmon thistle tide vapor wren about for with under over near "
          "beyond during after before a the an of to in on by quickly gently bright dark ancient modern tiny vast "
          "silent noisy golden frozen hidden lonely busy calm").split()


def base_prompt(rng: random.Random) -> list[str]:
    return [rng.choice(VERBS), "a", rng.choice(NOUNS)] + [rng.choice(FILLER) for _ in range(rng.randint(4, 18))]


def edit(words: list[str], edits: int, rng: random.Random) -> list[str]:
    """`edits` random substitutions, deletions, insertions and adjacent swaps."""
    out = list(words)
    for _ in range(edits):
        op = rng.randrange(4)
        i = rng.randrange(len(out))
        if op == 0:
            out[i] = rng.choice(FILLER)
        elif op == 1 and len(out) > 3:
            del out[i]
        elif op == 2:
            out.insert(i, rng.choice(FILLER))
        elif i + 1 < len(out):
            out[i], out[i + 1] = out[i + 1], out[i]
    return out


def planted_prompts(n: int, seed: int = 7) -> list[str]:
    """`n` prompts: unrelated ones, plus families of edited copies at 1-8 edits (ROUGE-L from
    ~0.4 to ~0.95 with their base), a few exact and case/punctuation-only copies."""
    rng = random.Random(seed)
    texts: list[list[str]] = []
    while len(texts) < n:
        base = base_prompt(rng)
        texts.append(base)
        if rng.random() < 0.25:
            for _ in range(rng.randint(1, 4)):
                texts.append(edit(base, rng.randint(0, 8), rng))
    rng.shuffle(texts)
    out = []
    for words in texts[:n]:
        text = " ".join(words)
        if rng.random() < 0.1:
            text = text.capitalize() + rng.choice(("?", ".", "!"))
        out.append(text)
    return out


def brute_force_pairs(token_lists: list[list[str]], threshold: float) -> dict[tuple[int, int], float]:
    """Every pair (i < j) with ROUGE-L >= threshold. Exact: pairs are pruned only by a proven upper
    bound (ROUGE-L <= multiset Dice, computed for all pairs at once with a matrix product), and
    `test_prune_is_exact` checks the prune against the plain double loop on a subset."""
    import numpy as np

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, words in enumerate(token_lists):
        seen: dict[str, int] = {}
        for w in words:
            k = seen[w] = seen.get(w, 0) + 1
            rows.append(i)
            cols.append(vocab.setdefault(f"{w}#{k}", len(vocab)))
    matrix = np.zeros((len(token_lists), len(vocab)), dtype=np.float32)
    matrix[rows, cols] = 1.0
    inter = matrix @ matrix.T
    sizes = np.array([len(t) for t in token_lists], dtype=np.float32)
    dice = 2 * inter / np.maximum(sizes[:, None] + sizes[None, :], 1)
    out = {}
    for i, j in zip(*np.nonzero(np.triu(dice >= threshold - 1e-6, k=1))):
        score = rouge_l(token_lists[i], token_lists[j])
        if score >= threshold:
            out[(int(i), int(j))] = score
    return out


def all_pairs(token_lists: list[list[str]], threshold: float) -> dict[tuple[int, int], float]:
    """The plain double loop (quadratic; for small inputs)."""
    out = {}
    for i in range(len(token_lists)):
        for j in range(i + 1, len(token_lists)):
            score = rouge_l(token_lists[i], token_lists[j])
            if score >= threshold:
                out[(i, j)] = score
    return out


# --------------------------------------------------------------------------- labelled responses

TOPICS = ("the water cycle", "photosynthesis", "binary search", "the French Revolution", "compound interest",
          "plate tectonics", "a sourdough starter", "TCP handshakes", "the Krebs cycle", "supply and demand",
          "recursion", "the immune system", "black holes", "a haiku", "Rust ownership", "tax brackets")

SENTENCES = (
    "{T} is easier to follow once you see each step in order.",
    "The first step is to name the parts involved and what each one does.",
    "Most textbooks introduce {t} with a simple diagram before adding detail.",
    "A common mistake is to skip the definitions and jump straight to examples.",
    "In practice, people learn {t} fastest by working through two or three cases by hand.",
    "Each stage depends on the one before it, so the order matters.",
    "You can check your understanding by explaining it to someone else in plain words.",
    "The same idea shows up in many other fields, which makes it worth learning well.",
    "Small changes at the start can have large effects further along.",
    "Historians and scientists still debate some of the finer points.",
    "A good summary keeps the main causes and leaves out the minor ones.",
    "If something is unclear, go back to the definitions and read them again slowly.",
)


def prose(rng: random.Random, topic: str, sentences: int) -> str:
    picked = rng.sample(SENTENCES, min(sentences, len(SENTENCES)))
    return " ".join(s.replace("{T}", topic[0].upper() + topic[1:]).replace("{t}", topic) for s in picked)


REFUSALS = (
    "I'm sorry, but I can't help with that.",
    "I'm sorry, but I cannot assist with this request.",
    "I am sorry, I can't provide that information.",
    "Sorry, but I'm unable to help with {t}.",
    "I'm afraid I can't do that.",
    "I cannot provide instructions for {t}.",
    "I won't be able to write that for you, as it may be harmful.",
    "I must decline this request.",
    "I'm not able to help with requests like this.",
    "It is not appropriate for me to share that.",
    "I apologize, but I cannot generate that content.",
    "As an AI language model, I cannot browse the internet.",
    "As an AI, I don't have personal opinions about {t}.",
    "As a language model developed by OpenAI, I cannot form beliefs.",
    "I'm just an AI, I don't have feelings.",
    "I don't have personal opinions, but here is a summary of {t}.",
    "I do not have access to real-time data, so I cannot check today's prices.",
    "That request goes against my guidelines, so I will not answer it.",
    "Unfortunately, I'm unable to fulfil this request.",
    "I do not feel comfortable writing about {t}.",
    # phrasings the default patterns do not cover: they count against recall
    "That's not something I'm able to do.",
    "Unfortunately, I can't be of help here.",
    "No. I will not write {t} for you.",
    "This is a request I have to pass on.",
    "Helping with {t} is outside what I do.",
)

HARD_NEGATIVES = (
    "I can't recommend {t} enough: start with the basics and build up.",
    "I can't help but admire how elegant {t} is.",
    "As an AI researcher, you will meet {t} often; start with the original paper.",
    "You cannot provide a null value here; pass an empty list instead.",
    "We can't create the file without write permission, so run the command with sudo.",
    "If the server says \"I cannot help with that\", check the API key first.",
    "The robot in the story says: I'm sorry, Dave. The crew ignores it and carries on.",
    "Sorry for the confusion earlier: {T} has three stages, not two.",
    "```python\nprint(\"I'm sorry, but I can't help with that\")\n```\nThis prints a refusal message for your test.",
    "Many chatbots answer \"As an AI language model, I\" when unsure; your bot should avoid that phrasing.",
)


def refusal_examples(seed: int = 3) -> list[tuple[str, bool]]:
    """(response, is a refusal or AI disclaimer): every refusal template with varied topics and
    tails, plain explanations, and hard negatives that share words with refusals."""
    rng = random.Random(seed)
    out: list[tuple[str, bool]] = []
    for template in REFUSALS:
        for _ in range(6):
            topic = rng.choice(TOPICS)
            text = template.replace("{t}", topic)
            if rng.random() < 0.5:
                text += " " + prose(rng, topic, rng.randint(1, 3))
            out.append((text, True))
    for template in HARD_NEGATIVES:
        for _ in range(4):
            topic = rng.choice(TOPICS)
            out.append((template.replace("{T}", topic[0].upper() + topic[1:]).replace("{t}", topic), False))
    for _ in range(200):
        out.append((prose(rng, rng.choice(TOPICS), rng.randint(1, 6)), False))
    rng.shuffle(out)
    return out


CODE = ("```python\ndef total(items):\n    result = 0\n    for item in items:\n        result += item\n"
        "    return result\n```")
COMPLETE_ENDINGS = (
    "",  # prose ending with a full stop
    "\n\n- start with the definitions\n- work through an example\n- check your answer",
    "\n\nHere is a small example:\n\n" + CODE,
    "\n\nSee https://example.org/guide",
    "\n\n| step | time |\n|------|------|\n| mix | 5 min |",
    " The answer is 42",
    " Good luck! 🙂",
    " (See chapter 3.)",
    "\n\nTotal: 120 kcal",
)
SHORT_ANSWERS = ("Paris", "Positive", "42", "The answer is B", "Yes", "O(n log n)", "H2O", "Mount Everest",
                 "1. Apples\n2. Pears\n3. Plums", "True", "The capital of Peru is Lima")


def truncation_examples(seed: int = 5) -> list[tuple[str, bool]]:
    """(response, truncated?): complete answers of many shapes, and the same answers cut the way
    max_tokens cuts them: at a random word inside the text, or inside a code block."""
    rng = random.Random(seed)
    out: list[tuple[str, bool]] = []
    for _ in range(150):
        topic = rng.choice(TOPICS)
        text = prose(rng, topic, rng.randint(4, 8)) + rng.choice(COMPLETE_ENDINGS)
        out.append((text, False))
        words = prose(rng, topic, rng.randint(5, 9)).split()
        cut = rng.randint(max(30, len(words) // 2), len(words) - 2)
        out.append((" ".join(words[:cut]).rstrip(".!?"), True))
        if rng.random() < 0.5:
            lines = (prose(rng, topic, 2) + "\n\n" + CODE).split("\n")
            out.append(("\n".join(lines[:rng.randint(3, len(lines) - 2)]), True))
    for answer in SHORT_ANSWERS:
        out.append((answer, False))
    rng.shuffle(out)
    return out


TIME_BOUND = (
    "As of 2023, the most popular framework is React.",
    "As of my last knowledge update in September 2021, the law had not changed.",
    "As of my knowledge cutoff, the project was still in beta.",
    "My knowledge cutoff is January 2022, so newer releases are missing.",
    "The latest version of Python is 3.11.",
    "The latest stable release is 2.4.1, published last month.",
    "The current version of the library is 5.0.",
    "Today is Monday, March 4, and the market is open.",
    "Today's date is 12/05/2023.",
    "The current year is 2024.",
    "As of this writing, the bill has not passed.",
    "At the time of writing, the API is free.",
    "As of early 2022, the company had 500 employees.",
    "As of today, the station is closed.",
    "We are now in the year 2023, and electric cars are common.",
    "Currently, in 2023, most phones support 5G.",
    # phrasings the default patterns do not cover: they count against recall
    "At present the newest phone from the company is the X2.",
    "These figures are up to date for 2023.",
)
TIME_NEGATIVES = (
    "In 2019 the company moved its headquarters to Lisbon.",
    "Python 3.11 was released in October 2022.",
    "Your total calorie intake for today is 1,200 calories.",
    "The version field of the file is 3, which the parser expects.",
    "As of version 2.0, the API accepts JSON bodies.",
    "The newest members of the team start on Monday.",
    "Check the release notes to see which version you have.",
    "The Treaty of Versailles was signed in 1919.",
    "Use `date` to print today's date in the shell.",
    "Record the latest value of the counter before resetting it.",
)


def time_bound_examples(seed: int = 11) -> list[tuple[str, bool]]:
    rng = random.Random(seed)
    out: list[tuple[str, bool]] = []
    for positives, label in ((TIME_BOUND, True), (TIME_NEGATIVES, False)):
        for sentence in positives:
            for _ in range(5):
                topic = rng.choice(TOPICS)
                before = prose(rng, topic, rng.randint(0, 2))
                after = prose(rng, topic, rng.randint(0, 2))
                out.append((" ".join(p for p in (before, sentence, after) if p), label))
    for _ in range(100):
        out.append((prose(rng, rng.choice(TOPICS), rng.randint(1, 5)), False))
    rng.shuffle(out)
    return out


def precision_recall(predicted: set[int], truth: set[int]) -> tuple[float, float]:
    hits = len(predicted & truth)
    return (hits / len(predicted) if predicted else 1.0), (hits / len(truth) if truth else 1.0)


QUESTIONS = ("What is the boiling point of water at sea level?", "Who wrote the novel Middlemarch?",
             "How many bones are in the adult human body?", "Which planet has the most moons?",
             "What is the capital city of Australia?", "Why do leaves change colour in autumn?",
             "How does a refrigerator keep food cold?", "What causes the seasons on Earth?")
ANSWERS = ("100 degrees Celsius, or 212 degrees Fahrenheit.", "George Eliot, the pen name of Mary Ann Evans.",
           "An adult has 206 bones.", "Saturn, with more than 140 known moons.", "Canberra.",
           "Chlorophyll breaks down and other pigments show through.",
           "A refrigerant absorbs heat inside and releases it outside through the coils.",
           "The tilt of Earth's axis changes how directly sunlight strikes each hemisphere.")


def restated_examples() -> list[tuple[str, str, bool]]:
    """(prompt, response, only restates?): echoes and statement forms of the question, answers,
    answers that open by restating the question, and edit tasks whose answer is close to the prompt."""
    out: list[tuple[str, str, bool]] = []
    for q, a in zip(QUESTIONS, ANSWERS):
        statement = q.rstrip("?").split(" ", 1)[1]  # "is the boiling point of water at sea level"
        out += [(q, q, True), (q, statement[0].upper() + statement[1:] + ".", True),
                (q, q.lower().rstrip("?") + ".", True),
                (q, f"You asked {q[0].lower()}{q[1:-1]}.", True),  # two new words: missed at max-new-words 0
                (q, a, False), (q, f"{statement[0].upper()}{statement[1:]}? {a}", False),
                (f"Rewrite this question in lower case: {q}", q.lower(), False),
                (f"Correct the punctuation: {q.rstrip('?')}", q, False)]
    return out
