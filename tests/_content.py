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
