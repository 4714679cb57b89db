"""Near duplicates: `ftlint.similarity` on its own (shingles, datasketch-identical MinHash, index,
verification, clusters, accuracy against brute force) and rule D201 through `ftlint.check`."""
from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from ftlint.checks.near_duplicates import NearDuplicates
from ftlint.config import ConfigError
from ftlint.formats import FORMATS
from ftlint.model import Record
from ftlint.registry import RunContext
from ftlint.rulepack import load_rules
from ftlint.similarity import (
    CHAR,
    CHUNK,
    WORD,
    MinHasher,
    NearDuplicateIndex,
    Params,
    candidate_probability,
    estimate_sigma,
    jaccard,
    lsh_params,
    reference_shingles,
    shingle_hashes,
    shingle_set,
    text_digest,
)
from ftlint.textview import Normalisation, view_hash

PARAMS = Params()

# --------------------------------------------------------------------------- generated texts

SYLLABLES = "ka ri mo ta le su po ne vi da lo mi ra zu te ko sa ni fe go ha ju ba ce di el an or is un".split()


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4)))))
    return sorted(words)


def ref_jaccard(a: str, b: str, params: Params = PARAMS) -> float:
    kind = params.pair_kind(len(a.split()), len(b.split()))
    sa, sb = reference_shingles(a, kind, params), reference_shingles(b, kind, params)
    return len(sa & sb) / len(sa | sb)


def edit_down_to(rng: random.Random, words: list[str], text: str, target: float) -> str:
    """Random edits (substitutions, insertions, deletions; character edits for short texts) until
    the reference Jaccard with `text` is at most `target`: a planted near duplicate."""
    current = text.split()
    while True:
        op = rng.random()
        i = rng.randrange(len(current))
        if len(current) < PARAMS.short_words and op < 0.7:
            word = current[i]
            j = rng.randrange(len(word))
            current[i] = word[:j] + rng.choice("aeioukrstnm") + word[j + 1:]
        elif op < 0.8:
            current[i] = rng.choice(words)
        elif op < 0.9 or len(current) < 6:
            current.insert(i, rng.choice(words))
        else:
            del current[i]
        candidate = " ".join(current)
        if candidate != text and ref_jaccard(text, candidate) <= target:
            return candidate


def planted_dataset(seed: int = 11, bases: int = 1500, plants: int = 1300) -> list[str]:
    """~3,000 texts: 1,500 random originals (a fifth under 20 words), 1,300 near copies at target
    similarities drawn uniformly from 0.5-0.95 (some originals get two), 40 exact copies."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    originals = []
    for n in range(bases):
        size = rng.randint(5, 19) if n % 5 == 0 else rng.randint(20, 120)
        originals.append(" ".join(rng.choice(words) for _ in range(size)))
    texts = list(originals)
    for _ in range(plants):
        source = rng.choice(originals)
        texts.append(edit_down_to(rng, words, source, rng.uniform(0.5, 0.95)))
    texts += [rng.choice(originals) for _ in range(40)]
    rng.shuffle(texts)
    return texts


def brute_force_pairs(texts: list[str], params: Params = PARAMS) -> set[tuple[int, int]]:
    """Every pair of distinct texts whose exact Jaccard (over the reference shingle strings) reaches
    the threshold of its kind. Exhaustive, with two exact shortcuts: word-n-gram pairs that share no
    n-gram have Jaccard 0 (found via an inverted index), and J <= min(|A|,|B|) / max(|A|,|B|)."""
    first: dict[str, int] = {}
    for i, text in enumerate(texts):
        first.setdefault(text, i)
    distinct = sorted(first.values())
    words = {i: len(texts[i].split()) for i in distinct}
    sets = {(i, kind): reference_shingles(texts[i], kind, params) for i in distinct for kind in (WORD, CHAR)}
    truth = set()
    inverted: dict[str, list[int]] = {}
    for i in distinct:
        if words[i] >= params.short_words:
            for shingle in sets[(i, WORD)]:
                inverted.setdefault(shingle, []).append(i)
    word_pairs = {(a, b) for owners in inverted.values() for a, b in combinations(owners, 2)}
    for a, b in word_pairs:
        sa, sb = sets[(a, WORD)], sets[(b, WORD)]
        if len(sa & sb) / len(sa | sb) >= params.threshold:
            truth.add((a, b))
    short = [i for i in distinct if words[i] < params.short_words]
    for a in short:
        sa = sets[(a, CHAR)]
        for b in distinct:
            if b == a or (words[b] < params.short_words and b < a):
                continue  # pairs of two short texts once
            sb = sets[(b, CHAR)]
            if min(len(sa), len(sb)) < params.short_threshold * max(len(sa), len(sb)):
                continue
            if len(sa & sb) / len(sa | sb) >= params.short_threshold:
                truth.add((min(a, b), max(a, b)))
    return truth


@pytest.fixture(scope="module")
def planted() -> tuple[list[str], set[tuple[int, int]]]:
    texts = planted_dataset()
    return texts, brute_force_pairs(texts)


def index_of(texts: list[str], params: Params = PARAMS) -> NearDuplicateIndex:
    index = NearDuplicateIndex(params)
    for key, text in enumerate(texts):
        index.add(key, text)
    return index


def loader(texts: list[str]):
    return lambda keys: {k: texts[k] for k in keys}


def precision_recall(found: set, truth: set) -> tuple[float, float]:
    hits = len(found & truth)
    return hits / len(found), hits / len(truth)


# --------------------------------------------------------------------------- shingles and MinHash


TEXTS = [
    "the quick brown fox jumps over the lazy dog while the cat watches from the old stone wall nearby today",
    "Grüße aus Köln — naïve café, straße und ﬁsh; 東京は今日も晴れです",
    "one two three",
    "x",
    "a " + "supercalifragilistic" * 50 + " b c d e f",
]


@pytest.mark.parametrize("kind", [WORD, CHAR])
def test_shingle_hashes_are_the_reference_shingles(kind):
    hashes, offsets = shingle_hashes(TEXTS, kind, PARAMS)
    for i, text in enumerate(TEXTS):
        mine = hashes[offsets[i]:offsets[i + 1]]
        reference = reference_shingles(text, kind, PARAMS)
        assert len(set(mine.tolist())) == len(reference), text  # one hash per distinct shingle
        units = len(text.split()) if kind == WORD else len(" ".join(text.split()))
        assert len(mine) == max(1, units - PARAMS.ngram_of(kind) + 1)  # every position, once
    a, b = TEXTS[0], TEXTS[0].replace("lazy", "sleepy").replace("stone", "brick")
    exact = jaccard(shingle_set(a, kind, PARAMS), shingle_set(b, kind, PARAMS))
    ra, rb = reference_shingles(a, kind, PARAMS), reference_shingles(b, kind, PARAMS)
    assert exact == pytest.approx(len(ra & rb) / len(ra | rb))
    assert 0 < exact < 1


def test_huge_texts_are_hashed_in_windows_with_the_same_result(monkeypatch):
    import ftlint.similarity as similarity

    text = " ".join(f"w{i % 977}x{i}" for i in range(30_000))
    whole = shingle_hashes([text, "a b c d e f"], WORD, PARAMS)
    monkeypatch.setattr(similarity, "BATCH_CHARS", 1000)  # ~300 windows cut at spaces
    windowed = shingle_hashes([text, "a b c d e f"], WORD, PARAMS)
    assert np.array_equal(whole[0], windowed[0]) and np.array_equal(whole[1], windowed[1])
    assert PARAMS.kinds_for(3, 5000) == (WORD,)  # few but huge words: not character n-grams


def test_shingles_ignore_whitespace_runs_and_differ_by_kind():
    assert np.array_equal(shingle_set("a  b\tc\n d e f", WORD, PARAMS), shingle_set("a b c d e f", WORD, PARAMS))
    assert not np.array_equal(shingle_set("a b c d e f", WORD, PARAMS), shingle_set("a b c d e g", WORD, PARAMS))
    assert len(shingle_set("", WORD, PARAMS)) == 0


def _generated_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join("".join(rng.choice("abcdeé東🙂") for _ in range(rng.randint(1, 12)))
                     for _ in range(rng.randint(1, 80))) for _ in range(count)]


def test_shingle_hashes_are_pinned():
    """The hash values themselves (not only their count) are part of what D201 finds: pinned to
    the values of the first implementation, so a faster one cannot drift."""
    import hashlib

    for kind, pinned in ((WORD, "e349f8aab94e5028"), (CHAR, "864ae47ce233c735")):
        hashes, offsets = shingle_hashes(TEXTS + _generated_texts(5, 300), kind, PARAMS)
        assert hashlib.blake2b(hashes.tobytes() + offsets.tobytes(), digest_size=8).hexdigest() == pinned


def test_word_hashes_equal_the_reference_definition():
    """`_window_units` (prefix sums) against `_window_units_reference` (Horner's rule per word)."""
    from ftlint.similarity import _window_units, _window_units_reference

    for text in _generated_texts(6, 200) + ["x", "a b", "supercalifragilistic" * 100]:
        assert np.array_equal(_window_units(text), _window_units_reference(text)), text[:40]


def test_gram_hashes_equal_a_plain_python_definition():
    """n-gram hash = fmix64(sum of unit * weight_k) >> 32; a sequence shorter than n is one gram."""
    from ftlint.similarity import _GRAM_MULT, _fmix64, _gram_hashes

    rng = np.random.default_rng(7)
    for trial in range(300):
        n = int(rng.integers(1, 7))
        low = 1 if trial % 2 else n  # half the batches have only full n-grams (the fast path)
        counts = rng.integers(low, 30, int(rng.integers(1, 12)))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        units = rng.integers(0, 2**63, int(offsets[-1]), dtype=np.uint64)
        expected = []
        for lo, hi in zip(offsets[:-1], offsets[1:]):
            seq = [int(u) for u in units[lo:hi]]
            for start in range(max(1, len(seq) - n + 1)):
                acc = sum(u * int(_GRAM_MULT[k]) for k, u in enumerate(seq[start:start + n])) % 2**64
                expected.append(acc)
        want = (_fmix64(np.array(expected, dtype=np.uint64)) >> np.uint64(32)).astype(np.uint32)
        hashes, out_offsets = _gram_hashes(units, offsets, n)
        assert np.array_equal(hashes, want)
        assert np.array_equal(np.diff(out_offsets), np.maximum(counts - n + 1, 1))


def test_bucket_pairs_keep_the_stable_lexsort_order():
    """Buckets are ordered by (key, near key, position): ties included, or other pairs meet."""
    from ftlint.similarity import _bucket_pairs

    def reference(keys, near, side, window):
        order = np.lexsort((near, keys))
        ordered = keys[order]
        sides = side[order] if side is not None else None
        for step in range(1, window + 1):
            equal = ordered[:-step] == ordered[step:]
            if not equal.any():
                break
            if sides is not None:
                equal &= sides[:-step] != sides[step:]
            hits = np.flatnonzero(equal)
            if len(hits):
                yield order[hits], order[hits + step]

    rng = np.random.default_rng(1)
    for trial in range(300):
        n = int(rng.integers(1, 400))
        if trial % 3:
            keys = rng.integers(0, int(rng.integers(1, 50)), n).astype(np.uint32) * np.uint32(2**27)
        else:  # mostly unique keys, as in real bands
            keys = rng.integers(0, 2**32 - 1, n, dtype=np.uint64).astype(np.uint32)
            keys[rng.integers(0, n, n // 10)] = keys[0]
        near = rng.integers(0, int(rng.integers(1, 5)), n).astype(np.uint32)  # many exact ties
        side = rng.integers(0, 2, n).astype(bool) if trial % 2 else None
        want, got = list(reference(keys, near, side, 8)), list(_bucket_pairs(keys, near, side, 8))
        assert len(want) == len(got)
        for (wa, wb), (ga, gb) in zip(want, got):
            assert np.array_equal(wa, ga) and np.array_equal(wb, gb)


def test_collapsed_texts_index_as_the_others():
    """`add(..., collapsed=True)` skips re-splitting; the index must be the same."""
    texts = [" ".join(t.split()) for t in TEXTS + _generated_texts(8, 300)]
    plain, quick = NearDuplicateIndex(PARAMS), NearDuplicateIndex(PARAMS)
    for key, text in enumerate(texts):
        plain.add(key, text)
        quick.add(key, text, collapsed=True)
    plain.flush()
    quick.flush()
    for mine, theirs in zip(plain.tables, quick.tables):
        for name in mine.FIELDS:
            assert np.array_equal(mine.array(name), theirs.array(name)), name


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 7)])
def test_signatures_are_datasketch_minhash(num_perm, seed):
    """datasketch stays the reference: same permutations, bit-identical hash values."""
    hasher = MinHasher(num_perm, seed)
    assert np.array_equal(hasher.permutations, MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations)
    texts = TEXTS + [" ".join(f"w{i}" for i in range(3 * CHUNK // num_perm))]  # spans several blocks
    hashes, offsets = shingle_hashes(texts, WORD, PARAMS)
    signatures = hasher.signatures(hashes, offsets)
    for i in range(len(texts)):
        reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=int)
        reference.update_batch(hashes[offsets[i]:offsets[i + 1]].tolist())
        assert np.array_equal(signatures[i], reference.hashvalues), texts[i][:40]


def test_digest_is_the_view_hash_of_the_rules():
    from ftlint.model import Sample, Turn

    sample = Sample(Record("x", 1, {}), "openai-chat", [Turn("user", "Héllo  World", "messages[0].content")])
    from ftlint.textview import view

    assert text_digest(view(sample, "prompt")) == view_hash(sample, "prompt", Normalisation())


def test_lsh_parameters_favour_recall():
    assert lsh_params(0.8, 128) == (21, 6)
    assert lsh_params(0.7, 128) == (32, 4)
    for threshold in (0.5, 0.7, 0.8, 0.9, 0.95):
        bands, rows = lsh_params(threshold, 128)
        assert bands * rows <= 128
        assert candidate_probability(threshold, bands, rows) >= 0.99
        assert candidate_probability(threshold, 128 // (rows + 1), rows + 1) < 0.99  # the most rows that do


def test_bad_parameters_are_rejected():
    for bad in ({"threshold": 0.0}, {"threshold": 1.5}, {"ngram": 0}, {"num_perm": 4}):
        with pytest.raises(ValueError):
            Params(**bad)


# --------------------------------------------------------------------------- accuracy


def test_precision_and_recall_against_brute_force(planted):
    texts, truth = planted
    assert len(texts) >= 2800 and len(truth) > 300
    kinds = {PARAMS.pair_kind(len(texts[a].split()), len(texts[b].split())) for a, b in truth}
    assert kinds == {WORD, CHAR}  # both shingle kinds are exercised
    result = index_of(texts).find(loader(texts))
    found = {(p.a, p.b) for p in result.pairs}
    precision, recall = precision_recall(found, truth)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    assert all(p.exact for p in result.pairs) and result.estimated == 0
    for pair in result.pairs:  # the reported similarity is the exact one
        assert pair.similarity == pytest.approx(ref_jaccard(texts[pair.a], texts[pair.b]), abs=1e-9)


def test_estimate_only_mode_errs_only_within_its_bound(planted):
    """Without texts to verify with, the 8-bit signature estimate decides: it may err near the
    threshold (sd ~0.035 at 0.8, 0.041 at 0.7) but never by more than 4 sd either way."""
    texts, truth = planted
    result = index_of(texts).find()
    found = {(p.a, p.b) for p in result.pairs}
    assert result.exact == 0 and all(not p.exact for p in result.pairs)
    for a, b in found | truth:
        kind = PARAMS.pair_kind(len(texts[a].split()), len(texts[b].split()))
        threshold = PARAMS.threshold_of(kind)
        margin = 4 * estimate_sigma(threshold, PARAMS.num_perm)
        similarity = ref_jaccard(texts[a], texts[b])
        if (a, b) in found:
            assert similarity >= threshold - margin, (a, b, similarity)
        elif similarity >= threshold + margin:
            raise AssertionError(f"missed {(a, b)} at {similarity:.3f}")
    precision, recall = precision_recall(found, truth)
    assert precision >= 0.75 and recall >= 0.75, (precision, recall)  # measured: 0.84, 0.89


def test_planted_similarities_span_the_range(planted):
    texts, truth = planted
    similar = [ref_jaccard(texts[a], texts[b]) for a, b in truth]
    assert min(similar) < 0.75 and max(similar) > 0.9  # char pairs from 0.7, word pairs up to ~0.95


# --------------------------------------------------------------------------- index behaviour


def near(text: str, swaps: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = text.split()
    for i in rng.sample(range(len(words)), swaps):
        words[i] = words[i] + "x"
    return " ".join(words)


LONG = " ".join(f"word{i} alpha{i % 7} beta{i % 5}" for i in range(40))  # 120 words


def test_exact_duplicates_are_collapsed_and_not_reported():
    texts = [LONG, LONG, near(LONG, 2), LONG]
    result = index_of(texts).find(loader(texts))
    assert [c.members for c in result.clusters] == [[0, 2]]
    assert result.distinct == 2 and result.texts == 4


def test_short_texts_use_character_ngrams():
    a = "what is the capital city of france these days"
    b = "what is the capital city of frances these days?"
    assert PARAMS.kinds_for(len(a.split())) == (CHAR,)
    assert jaccard(shingle_set(a, WORD, PARAMS), shingle_set(b, WORD, PARAMS)) < 0.5  # words would miss it
    result = index_of([a, b, "an unrelated question about rivers in spain"]).find(loader([a, b]))
    assert [c.members for c in result.clusters] == [[0, 1]]
    assert result.clusters[0].kind == CHAR and result.pairs[0].kind == CHAR
    assert result.pairs[0].similarity >= 0.7


def test_texts_either_side_of_short_words_still_meet():
    base = " ".join(f"token{i}" for i in range(19))  # 19 words: short
    longer = base + " extra1 extra2"  # 21 words: indexed both ways
    assert PARAMS.kinds_for(21) == (WORD, CHAR)
    result = index_of([base, longer]).find(loader([base, longer]))
    assert [c.members for c in result.clusters] == [[0, 1]] and result.pairs[0].kind == CHAR


def test_chains_form_one_cluster_and_report_the_link():
    a = LONG
    b = near(a, 2, seed=1)
    c = near(b, 2, seed=2)
    texts = [a, b, c]
    sims = {(i, j): ref_jaccard(texts[i], texts[j]) for i, j in combinations(range(3), 2)}
    assert sims[(0, 1)] >= 0.8 and sims[(1, 2)] >= 0.8 and sims[(0, 2)] < 0.8
    cluster, = index_of(texts).find(loader(texts)).clusters
    assert cluster.members == [0, 1, 2]
    similarity, exact, kind = cluster.to_first[2]
    assert similarity == pytest.approx(sims[(0, 2)]) and exact and kind == WORD
    assert cluster.best[2] == (1, pytest.approx(sims[(1, 2)]))


def test_large_buckets_stay_connected():
    """200 variants of one text: each meets only its bucket neighbours, yet one cluster forms."""
    texts = [near(LONG, 1, seed=i) for i in range(200)]
    result = index_of(texts).find(loader(texts))
    assert [len(c.members) for c in result.clusters] == [len(set(texts))]
    assert result.candidates <= 200 * PARAMS.window * 21  # bounded by window x bands per text


def test_changed_text_falls_back_to_the_estimate():
    texts = [LONG, near(LONG, 1)]
    result = index_of(texts).find(lambda keys: {0: LONG, 1: "something else entirely"})
    assert result.estimated == 1 and result.exact == 0
    assert [c.members for c in result.clusters] == [[0, 1]] and not result.pairs[0].exact


def test_merge_and_pickle_equal_one_index(planted):
    texts, _ = planted
    whole = index_of(texts).find(loader(texts))
    merged = NearDuplicateIndex(PARAMS)
    for lo in range(0, len(texts), 1000):
        part = NearDuplicateIndex(PARAMS)
        for key in range(lo, min(lo + 1000, len(texts))):
            part.add(key - lo, texts[key])  # local keys, translated on merge
        part = pickle.loads(pickle.dumps(part))
        merged.merge(part, lambda keys, lo=lo: keys + lo)
    again = merged.find(loader(texts))
    assert [(p.a, p.b, p.similarity) for p in again.pairs] == [(p.a, p.b, p.similarity) for p in whole.pairs]
    assert [c.members for c in again.clusters] == [c.members for c in whole.clusters]
    assert merged.memory_bytes() == index_of(texts).memory_bytes()


def test_memory_is_signatures_only():
    texts = [LONG + f" n{i}" for i in range(300)]
    index = index_of(texts)
    bands, _ = PARAMS.bands_of(WORD)
    assert index.memory_bytes() == 300 * (8 + 8 + 4 * bands + PARAMS.num_perm)
    assert len(pickle.dumps(index)) < 1.2 * index.memory_bytes()


def test_matches_between_two_indexes():
    train = index_of([LONG, "completely different words " * 10])
    test = NearDuplicateIndex(PARAMS)
    test.add(100, near(LONG, 2))
    test.add(101, "nothing like the others at all " * 5)
    pairs = train.matches(test, loader([LONG]), lambda keys: {100: near(LONG, 2)})
    assert [(p.a, p.b, p.exact) for p in pairs] == [(0, 100, True)]


DETERMINISM = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
from test_near_duplicates import planted_dataset, index_of
from ftlint.similarity import shingle_hashes, WORD
texts = planted_dataset(bases=300, plants=200)
index = index_of(texts)
result = index.find()
hashes, _ = shingle_hashes(texts[:50], WORD, index.params)
print(json.dumps({"pairs": [[p.a, p.b, round(p.similarity, 12)] for p in result.pairs],
                  "bands": index.tables[WORD].array("bands")[:50].tolist(), "hashes": hashes.tolist()}))
'''


def test_results_do_not_depend_on_python_hash_seed():
    outputs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", DETERMINISM, str(Path(__file__).parent)],
                             capture_output=True, text=True, env=env, check=True)
        outputs.append(json.loads(run.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]["pairs"]  # a non-trivial result


# --------------------------------------------------------------------------- rule D201


def pc(prompt: str, completion: str = "ok") -> dict:
    return {"prompt": prompt, "completion": completion}


PROMPT = ("Write a short story about a lighthouse keeper who finds a message in a bottle on the rocks "
          "below the tower one stormy winter night and decides to answer it. The story should be told "
          "in the first person, use no more than five hundred words, mention the smell of the sea and "
          "the sound of the foghorn, and end with the keeper rowing out at dawn to meet the writer of "
          "the message, who turns out to be someone he once knew as a child in the village")


def unrelated(n: int, seed: int = 3) -> list[dict]:
    """Prompts of random words: no two are near duplicates of each other."""
    rng = random.Random(seed)
    words = vocabulary(rng, 500)
    return [pc(" ".join(rng.choice(words) for _ in range(rng.randint(6, 40)))) for _ in range(n)]


def d201(report):
    return report.by_rule("D201")


def test_rule_reports_clusters_with_locations(lint):
    records = [pc(PROMPT), pc("An unrelated request about baking sourdough bread at home"),
               pc(PROMPT.replace("stormy", "windy")), pc(PROMPT.replace("winter", "summer"))]
    findings = d201(lint(records))
    summary = [f for f in findings if f.location.line is None]
    members = [f for f in findings if f.location.line is not None]
    assert len(summary) == 1 and "2 of 4 records (50.0%)" in summary[0].message
    assert "index:" in summary[0].message and "verified with the exact Jaccard" in summary[0].message
    assert [f.location.line for f in members] == [3, 4]
    assert all("near-duplicate record of line 1" in f.message and "word 5-grams" in f.message for f in members)
    assert "Jaccard 0." in members[0].message
    assert {loc.line for loc in members[0].related} == {1, 4}
    assert all(f.severity.name == "WARNING" for f in findings)


def test_rule_leaves_exact_duplicates_to_d101(lint):
    records = [pc(PROMPT), pc(PROMPT), pc(PROMPT.lower()), pc("Something else entirely, about trains")]
    report = lint(records, select=["D101", "D201"])
    assert d201(report) == [] and len(report.by_rule("D101")) == 3


def test_rule_is_silent_below_max_rate(lint):
    records = unrelated(30) + [pc(PROMPT), pc(PROMPT.replace("stormy", "windy"))]
    assert d201(lint(records)) == []  # 1 of 32 = 3.1% <= 5%


def test_rule_max_rate_option(tmp_path, lint):
    (tmp_path / "ftlint.toml").write_text("[rules.D201]\nmax-rate = 0.0\n")
    findings = d201(lint(unrelated(30) + [pc(PROMPT), pc(PROMPT.replace("stormy", "windy"))]))
    assert len(findings) == 2 and "max-rate is 0.0%" in findings[0].message


def test_rule_short_texts_use_character_ngrams(lint):
    records = [pc("What is the capital of France?", "Paris"), pc("What is the capital of France??", "Paris."),
               pc("How tall is Mount Everest?", "8849 m")]
    member = [f for f in d201(lint(records)) if f.location.line][0]
    assert member.location.line == 2 and "character 5-grams" in member.message


def test_rule_works_across_files_of_a_split(tmp_path, write_jsonl, check):
    (tmp_path / "ftlint.toml").write_text('[splits]\ntrain = ["train/*.jsonl"]\n')
    write_jsonl([pc(PROMPT), pc("A first unrelated prompt about gardening tools")], "train/a.jsonl")
    write_jsonl([pc("Another unrelated prompt about jazz"), pc(PROMPT.replace("stormy", "windy"))], "train/b.jsonl")
    write_jsonl([pc(PROMPT.replace("winter", "summer"))], "other.jsonl")  # in no split: its own group
    findings = d201(check(["train", "other.jsonl"]))
    members = [f for f in findings if f.location.line]
    assert [(f.location.path, f.location.line) for f in members] == [("train/b.jsonl", 2)]
    assert "near-duplicate record of train/a.jsonl:1" in members[0].message
    summary = [f for f in findings if not f.location.line]
    assert len(summary) == 1 and "split 'train'" in summary[0].message


def test_rule_prompt_scope(tmp_path, lint):
    (tmp_path / "ftlint.toml").write_text('[rules.D201]\nscope = "prompt"\n')
    records = [pc(PROMPT, "Once upon a time..."), pc(PROMPT.replace("stormy", "windy"), "A totally different story."),
               pc("Describe a cat", "Cats are small.")]
    members = [f for f in d201(lint(records)) if f.location.line]
    assert [f.location.line for f in members] == [2] and "near-duplicate prompt" in members[0].message


@pytest.mark.parametrize("table,message", [('scope = "turns"', "scope"), ("threshold = 1.5", "threshold"),
                                           ("ngram = 0", "ngram"), ("max-rate = 2.0", "max-rate")])
def test_rule_rejects_bad_options(tmp_path, lint, table, message):
    (tmp_path / "ftlint.toml").write_text(f"[rules.D201]\n{table}\n")
    with pytest.raises(ConfigError, match=message):
        lint([pc(PROMPT)])


def samples_of(path: Path) -> list:
    spec = FORMATS["prompt-completion"]
    lines = path.read_text(encoding="utf-8").splitlines()
    return [spec.to_sample(Record(str(path), n, json.loads(line))) for n, line in enumerate(lines, 1)]


def new_rule(**options) -> NearDuplicates:
    return NearDuplicates({**load_rules()["D201"].options, **options}, RunContext({}, {}, "."))


def hits_of(rule: NearDuplicates) -> list[tuple]:
    return [(h.path, h.line, h.message, h.related) for h in rule.finish()]


def test_rule_merge_equals_one_instance(planted, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    texts, _ = planted
    files = []
    for n in range(3):
        path = tmp_path / f"part{n}.jsonl"
        path.write_text("".join(json.dumps(pc(t)) + "\n" for t in texts[n * 400:(n + 1) * 400]), encoding="utf-8")
        files.append(path)
    single = new_rule(**{"max-rate": 0.0})
    merged = new_rule(**{"max-rate": 0.0})
    for path in files:
        part = new_rule(**{"max-rate": 0.0})
        for sample in samples_of(path):
            single.add(sample, "train")
            part.add(sample, "train")
        merged.merge(pickle.loads(pickle.dumps(part)))  # the engine caches per-file states as pickles
    expected = hits_of(single)
    assert len(expected) > 20 and hits_of(merged) == expected
    assert any("part0.jsonl" in h[2] and h[0].endswith("part2.jsonl") for h in expected)  # across files


def test_rule_falls_back_to_estimates_when_a_file_changed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(pc(t)) + "\n" for t in [PROMPT, PROMPT.replace("stormy", "windy")]))
    rule = new_rule(**{"max-rate": 0.0})
    for sample in samples_of(path):
        rule.add(sample, None)
    path.write_text("".join(json.dumps(pc(t)) + "\n" for t in ["changed", "also changed"]))
    hits = list(rule.finish())
    assert "estimated" in hits[0].message and "estimated Jaccard" in hits[1].message


def test_rule_results_survive_the_cache(tmp_path):
    from ftlint.cache import ResultCache
    from ftlint.config import load_config
    from ftlint.engine import Engine

    path = tmp_path / "train.jsonl"
    texts = [PROMPT, "Bake bread", PROMPT.replace("stormy", "windy")]
    path.write_text("".join(json.dumps(pc(t)) + "\n" for t in texts))
    config = load_config(None, start=tmp_path, cli={"select": ["D201"]})
    first = Engine(config, ResultCache(tmp_path / ".c")).run([str(path)])
    cache = ResultCache(tmp_path / ".c")
    second = Engine(config, cache).run([str(path)])
    assert cache.hits == 1 and second.findings == first.findings and len(first.findings) == 2


def test_rule_output_does_not_depend_on_python_hash_seed(tmp_path):
    texts = planted_dataset(bases=200, plants=150)
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(pc(t)) + "\n" for t in texts), encoding="utf-8")
    outputs = []
    for seed in ("1", "777"):
        run = subprocess.run([sys.executable, "-m", "ftlint", "check", "--select", "D201", str(path)],
                             capture_output=True, text=True, cwd=tmp_path,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1] and outputs[0].count("D201") > 10


@pytest.mark.parametrize("name", ["train.jsonl.gz", "train.json", "bom.jsonl"])
def test_rule_re_reads_every_layout_for_exact_verification(tmp_path, check, name):
    import gzip

    records = [pc(PROMPT), pc("An unrelated request about baking bread"), pc(PROMPT.replace("stormy", "windy"))]
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write("".join(json.dumps(r) + "\n" for r in records))
    elif name.endswith(".json"):
        path.write_text(json.dumps(records, indent=1), encoding="utf-8")
    else:
        path.write_text("\ufeff" + "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    findings = d201(check(name, select=["D201"]))
    summary = [f for f in findings if not f.location.line]
    assert len(summary) == 1 and "every pair verified with the exact Jaccard" in summary[0].message
    assert [f for f in findings if f.location.line][0].message.startswith("near-duplicate record of line")


@pytest.mark.parametrize("block", [1, 3, 7, 64, 1 << 20])
def test_lines_at_gives_what_iterating_the_file_gives(tmp_path, monkeypatch, block):
    """Verification re-reads candidate lines by counting newlines in blocks: same numbers, same bytes."""
    import io

    import ftlint.checks.near_duplicates as nd

    monkeypatch.setattr(nd, "_BLOCK", block)
    rng = random.Random(block)
    for trial in range(40):
        lines = [bytes(rng.choice(b"ab{}\r ") for _ in range(rng.choice([0, 1, 5, 40, 300])))
                 for _ in range(rng.randint(0, 30))]
        content = b"\n".join(lines) + (b"\n" if rng.random() < 0.5 else b"")
        every = list(enumerate(io.BytesIO(content), 1))
        wanted = {n for n in range(1, len(every) + 3) if rng.random() < 0.3}
        expected = [(n, raw) for n, raw in every if n in wanted]
        assert list(nd._lines_at(io.BytesIO(content), wanted)) == expected, (content, wanted)
