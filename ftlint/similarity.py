"""Near-duplicate machinery: shingles, MinHash signatures, a banded LSH index, verification and
clusters. Plain functions and classes on strings and integer keys, independent of ftlint's engine,
so the near-duplicate rule (D201) and the leakage rules can share it and it can be tested alone.

Pipeline
--------
1. **Shingles.** A text is split on whitespace (`str.split`). A text of at least `short_words`
   words is the set of its word `ngram`-grams; a shorter one (of at most 1,000 characters) the
   set of the character `char_ngram`-grams of its words joined by single spaces. A text shorter
   than n units is one shingle. Word n-grams catch re-ordered and lightly edited paragraphs; on a
   one-line prompt they are too coarse (one changed word kills five of eight shingles), character
   n-grams are not. A pair is compared over character n-grams when its shorter text is short, so
   texts of `short_words` to 1.5 x `short_words` words are indexed both ways (a 19-word text and
   its 21-word edit still meet).
2. **Shingle hash.** Deterministic and vectorised over a batch of texts in numpy: a word is a
   polynomial hash of its code points mod 2^64, an n-gram a fixed random linear combination of
   its n unit hashes, finished with the MurmurHash3 64-bit finaliser; the shingle hash is the top
   32 bits. Python's `hash()` is salted per process (PYTHONHASHSEED) and is never used; the
   constants come from SplitMix64, not from an RNG whose stream could change. 32 bits are what
   MinHash consumes; two distinct shingles collide with probability 2^-32, so a pair with U
   distinct shingles has U^2 / 2^33 expected merged shingles (1e-4 for U = 1000): the Jaccard of
   the hash sets is the Jaccard of the shingle sets. ~50k records/s for ~100-word records.
3. **MinHash.** datasketch's `affine32` scheme (its 2.0 default) for a whole batch at once:
   `fmix32(h)`, then `a_k * h + b_k mod 2^32` with the `a, b` datasketch draws for the seed,
   minimum per text, in blocks of 4 MB (a text may span blocks). Signatures are bit-identical to
   `datasketch.MinHash(num_perm, seed, hashfunc=<shingle hash>).update_batch(...)` (a test checks
   it): datasketch stays the reference. Per-record `update_batch` runs at ~4.5k records/s here;
   hashing plus batched MinHash at ~48k/s, because numpy's call overhead is paid per batch.
   128 permutations, 32-bit values: the LSH needs ~126 of them (below) and 32 bits make chance
   minhash collisions (2^-32) irrelevant; the stored estimate keeps 8 bits of each (step 6).
4. **Index.** Banded LSH: the first b*r minhashes form b bands of r rows; each band is reduced to
   a 32-bit key. (b, r) is chosen per threshold so that a pair *at* the threshold becomes a
   candidate with probability >= 0.99 (`lsh_params`): b=21, r=6 at 0.8 (P=0.998) and b=32, r=4
   at 0.7 (P=0.9998). False candidates only cost verification.
   The keys live in numpy arrays, not in `datasketch.MinHashLSH`: measured on this machine,
   MinHashLSH with 21 bands holds ~7.2 KB per record (Python dicts of `bytes` band keys, plus a
   per-key list of all its band keys): 7.0 GB at 1M records, inserting 7-11k records/s. The numpy
   index holds 4 bytes per band key, 128 bytes of 8-bit signature and 16 bytes of key and text
   digest: 235 bytes per record (224 MiB at 1M). Band keys are 32-bit on purpose: at 1M records a
   band sees ~n^2/2^33 = 116 chance collisions, which the signature screen drops.
5. **Candidates.** Per band, the keys are sorted; within a bucket the members are ordered by
   their key in the next band (so members that also share that band sit together) and each meets
   the next `window` (8) members (all pairs in buckets of up to 9). A bucket of a million
   templated records thus costs 8 million pairs, not 5e11. Genuine near duplicates share many
   bands (a pair at 0.85 shares 8 of 21 on average), so they meet: on the planted test set every
   window from 2 up finds every pair; on 20k templated one-line texts ("question number i? answer
   number i.") windows 4 / 8 / 16 flag 13.0k / 13.4k / 13.6k texts. Exact duplicates (same text
   digest) are collapsed to their first occurrence before banding: they are D101's.
6. **Verification.** Each candidate is first screened with an 8-bit signature estimate (b-bit
   MinHash, Li & Koenig 2010: 128 x 8 bits, each minhash mixed per permutation before keeping
   8 bits, so chance matches have probability 1/256, independently, and are corrected for).
   Pairs whose estimate is below `threshold - 4 sigma` are dropped (sigma, the estimator's
   standard deviation at the threshold, is 0.035 at 0.8 and 0.041 at 0.7 with 128 permutations):
   a pair at the threshold is dropped with probability < 4e-5. Of the rest, each text keeps its
   `partners` (16) best by estimate, which bounds the work on templated data (clusters still
   connect through them). Those are verified with the **exact** Jaccard of their shingle sets,
   recomputed from the texts the caller's `load` callback returns (the rule re-reads just those
   records), vectorised over all pairs (`SetStore`, `pair_jaccard`); a text's digest must match
   the indexed one. So a reported similarity is exact and no pair below the threshold is
   reported: on the planted test set, precision and recall against brute force are both 1.0.
   Without a `load` callback, or for a text that changed since indexing, the 8-bit estimate
   decides and the pair is marked estimated: its error is within 4 sigma (sd sqrt(J(1-J)/k),
   0.035 at J=0.8), which on the planted set gives precision 0.84 / recall 0.89 - that is why
   the exact pass exists.
7. **Clusters.** Union-find over verified pairs: connected components, members in key order;
   each member's Jaccard with the first member is computed too (exactly, when texts are loaded).

Memory per indexed text: 8 (key) + 8 (digest) + 4*b (bands) + k (8-bit signature) bytes, +2
(word count) in the character table; `NearDuplicateIndex.memory_bytes()` reports the total.
`find()` adds per band a sort of 4-byte keys, the screened pairs, and the shingle sets of the
texts being verified (4 bytes per shingle); on a dataset that is all near duplicates that is
~2 KB per text for the duration of `find()`. Hashing works on batches of <= 256k characters, so
numpy temporaries stay under ~15 MB whatever the text sizes.
"""
from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

WORD, CHAR = 0, 1
KIND_NAMES = ("word", "character")
DUAL_FACTOR = 1.5  # texts of short_words .. 1.5 x short_words words are indexed both ways
SIG_BITS = 8  # bits kept per minhash for the estimate
BATCH = 256  # texts hashed together (or fewer, up to BATCH_CHARS characters)
BATCH_CHARS = 1 << 18  # numpy temporaries are ~50 bytes per character: ~13 MB at most
SHORT_CHARS = 1000  # a "short" text longer than this (few, huge words) is compared by words
CHUNK = 1 << 20  # elements of one (permutations x shingles) block: 4 MB (measured: 10% faster than 2 MB)

_U64 = np.uint64
_U32 = np.uint32
_MASK32 = (1 << 32) - 1
_P = 0x100000001B3  # FNV-64 prime: polynomial base of the word hash
_LEN_SALT = _U64(0x9E3779B97F4A7C15)
_GOLDEN = 0x9E3779B97F4A7C15


def _splitmix(state: int, count: int) -> np.ndarray:
    """Deterministic odd 64-bit constants (SplitMix64), so no RNG version can change a hash."""
    out = []
    for _ in range(count):
        state = (state + _GOLDEN) & ((1 << 64) - 1)
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & ((1 << 64) - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & ((1 << 64) - 1)
        out.append((z ^ (z >> 31)) | 1)
    return np.array(out, dtype=np.uint64)


_GRAM_MULT = _splitmix(1, 64)  # weight of the k-th unit of an n-gram
_BAND_MULT = _splitmix(2, 64)  # weight of the k-th minhash of a band
_SIG_MULT = _splitmix(3, 4096)  # per-permutation salt of the 8-bit signature
_POWERS = np.ones(1, dtype=np.uint64)
_P_INVERSE = pow(_P, -1, 1 << 64)
_TABLE_CHARS = 1 << 18  # longest window `_window_units` hashes with its power tables
_FORWARD = np.ones(1, dtype=np.uint64)
_INVERSE = np.ones(1, dtype=np.uint64)


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> _U64(33))


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch's affine32 scheme applies it."""
    h = h ^ (h >> _U32(16))
    h = h * _U32(0x85EBCA6B)
    h = h ^ (h >> _U32(13))
    h = h * _U32(0xC2B2AE35)
    return h ^ (h >> _U32(16))


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values. (numpy 2.4's hash-based `np.unique` is ~50x slower on 64-bit ints.)"""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _powers(count: int) -> np.ndarray:
    """P^0 .. P^(count-1) mod 2^64, grown on demand (longest word seen so far)."""
    global _POWERS
    if len(_POWERS) < count:
        size = max(count, 2 * len(_POWERS), 64)
        steps = np.full(size, _P, dtype=np.uint64)
        steps[0] = 1
        _POWERS = np.cumprod(steps, dtype=np.uint64)
    return _POWERS


# --------------------------------------------------------------------------- parameters


def lsh_params(threshold: float, num_perm: int, recall: float = 0.99) -> tuple[int, int]:
    """(bands, rows): the most rows per band (fewest false candidates) for which a pair at
    exactly `threshold` is a candidate with probability >= `recall`."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if bands < 1:
            break
        if 1.0 - (1.0 - threshold ** rows) ** bands >= recall:
            best = (bands, rows)
    return best


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - similarity ** rows) ** bands


@dataclass(frozen=True)
class Params:
    threshold: float = 0.8
    short_threshold: float = 0.7
    short_words: int = 20
    ngram: int = 5
    char_ngram: int = 5
    num_perm: int = 128
    seed: int = 1
    window: int = 8  # bucket neighbours each member is paired with, per band (module docstring, step 5)
    partners: int = 16  # screened candidates per text that are verified, its best by estimate (step 6)

    def __post_init__(self) -> None:
        for name in ("threshold", "short_threshold"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name.replace('_', '-')} must be in (0, 1], got {value}")
        for name, low in (("ngram", 1), ("char_ngram", 1), ("short_words", 0), ("window", 1), ("partners", 1)):
            if getattr(self, name) < low:
                raise ValueError(f"{name.replace('_', '-')} must be at least {low}, got {getattr(self, name)}")
        if not 16 <= self.num_perm <= len(_SIG_MULT):
            raise ValueError(f"num-perm must be between 16 and {len(_SIG_MULT)}, got {self.num_perm}")

    def threshold_of(self, kind: int) -> float:
        return self.short_threshold if kind == CHAR else self.threshold

    def ngram_of(self, kind: int) -> int:
        return self.char_ngram if kind == CHAR else self.ngram

    def bands_of(self, kind: int) -> tuple[int, int]:
        return lsh_params(self.threshold_of(kind), self.num_perm)

    def kinds_for(self, words: int, chars: int = 0) -> tuple[int, ...]:
        """Tables a text of `words` words (and `chars` characters, joined) goes into."""
        if chars > SHORT_CHARS:
            return (WORD,)
        if words < self.short_words:
            return (CHAR,)
        if words < math.ceil(self.short_words * DUAL_FACTOR):
            return (WORD, CHAR)
        return (WORD,)

    def pair_kind(self, words_a: int, words_b: int) -> int:
        return CHAR if min(words_a, words_b) < self.short_words else WORD

    def describe(self, kind: int) -> str:
        return f"{KIND_NAMES[kind]} {self.ngram_of(kind)}-grams"


# --------------------------------------------------------------------------- shingles


def reference_shingles(text: str, kind: int, params: Params) -> set[str]:
    """The shingles as strings (slow; for tests and documentation). Hashes are of these."""
    words = text.split()
    if kind == WORD:
        n = params.ngram
        if len(words) < n:
            return {" ".join(words)} if words else set()
        return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}
    joined = " ".join(words)
    n = params.char_ngram
    if len(joined) < n:
        return {joined} if joined else set()
    return {joined[i:i + n] for i in range(len(joined) - n + 1)}


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _word_units(joined: str) -> np.ndarray:
    """64-bit hashes of the space-separated words of `joined` (no empty words), computed over
    windows of ~BATCH_CHARS characters cut at spaces, so a huge text never makes huge temporaries."""
    window = min(BATCH_CHARS, _TABLE_CHARS // 2)  # a batch can overshoot BATCH_CHARS by one text
    if len(joined) <= 2 * window:
        return _window_units(joined)
    parts, lo = [], 0
    while lo < len(joined):
        hi = joined.find(" ", lo + window) if lo + window < len(joined) else -1
        hi = len(joined) if hi < 0 else hi
        parts.append(_window_units(joined[lo:hi]))
        lo = hi + 1
    return np.concatenate(parts)


def _window_units(joined: str) -> np.ndarray:
    """The word hashes of `_window_units_reference` in fewer passes over the code points: P is
    odd, so invertible mod 2^64, and a word's Horner sum sum(c_i P^(e-i)) is P^e times the sum
    of c_i P^-i over the word, with P^-i a fixed table (no per-character exponent to build).
    Texts with an empty word or longer than the power tables fall back."""
    cps = _codepoints(joined)
    total = len(cps)
    if not 0 < total <= _TABLE_CHARS:
        return _window_units_reference(joined)
    seps = np.flatnonzero(cps == 32)
    last = np.empty(len(seps) + 1, dtype=np.int64)  # each word's last code point
    last[:-1] = seps - 1
    last[-1] = total - 1
    lengths = np.empty_like(last)
    lengths[0] = last[0] + 1
    np.subtract(last[1:], seps, out=lengths[1:])
    if lengths.min() < 1:
        return _window_units_reference(joined)
    forward, inverse = _power_tables(total)
    weighted = cps * inverse[:total]
    weighted[seps] = 0
    starts = np.empty_like(last)
    starts[0] = 0
    starts[1:] = seps + 1
    sums = np.add.reduceat(weighted, starts)  # every word is non-empty: no empty segment
    sums *= forward[last]
    return _fmix64(sums + lengths.astype(np.uint64) * _LEN_SALT)


def _power_tables(count: int) -> tuple[np.ndarray, np.ndarray]:
    """P^i and P^-i mod 2^64 for i < count (grown on demand, at most _TABLE_CHARS: 4 MiB)."""
    global _FORWARD, _INVERSE
    if len(_FORWARD) < count:
        size = min(max(count, 2 * len(_FORWARD), 1 << 12), _TABLE_CHARS)
        steps = np.full(size, _P, dtype=np.uint64)
        steps[0] = 1
        _FORWARD = np.cumprod(steps, dtype=np.uint64)
        steps[1:] = _P_INVERSE
        _INVERSE = np.cumprod(steps, dtype=np.uint64)
    return _FORWARD, _INVERSE


def _window_units_reference(joined: str) -> np.ndarray:
    """64-bit hash of each space-separated word: Horner's rule, sum(c_i P^(end-1-i)) mod 2^64,
    plus a length salt, through MurmurHash3's finaliser. The definition (and the fallback of
    `_window_units`)."""
    cps = _codepoints(joined)
    total = len(cps)
    seps = np.flatnonzero(cps == 32)
    starts = np.empty(len(seps) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = seps + 1
    ends = np.empty_like(starts)
    ends[:-1] = seps
    ends[-1] = total
    lengths = ends - starts
    # Exponent of each code point: distance to its word's last code point (Horner's rule).
    exponent = np.repeat(ends - 1, lengths + 1)[:total] - np.arange(total)
    exponent[seps] = 0
    units = cps.astype(np.uint64)
    units[seps] = 0
    terms = units * _powers(int(lengths.max()) + 1)[exponent]
    sums = np.add.reduceat(terms, starts)
    return _fmix64(sums + lengths.astype(np.uint64) * _LEN_SALT)


def _gram_hashes(units: np.ndarray, offsets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of the n-grams of each unit sequence units[offsets[i]:offsets[i+1]] (each
    non-empty); a sequence shorter than n is one gram. Returns (hashes, gram offsets)."""
    counts = np.diff(offsets)
    total = len(units)
    if len(counts) and total >= n and counts.min() >= n:  # every sequence has a full n-gram
        # Grams at every position, then drop the n-1 that would cross into the next sequence.
        width = total - n + 1
        mult = _GRAM_MULT[:n]
        acc = units[:width] * mult[0]
        for k in range(1, n):
            acc += units[k:width + k] * mult[k]
        if len(counts) > 1 and n > 1:
            keep = np.ones(width, dtype=bool)
            inner = offsets[1:-1]
            for k in range(1, n):
                keep[inner - k] = False
            acc = acc[keep]
        out_offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts - (n - 1), out=out_offsets[1:])
        return (_fmix64(acc) >> _U64(32)).astype(np.uint32), out_offsets
    grams = np.maximum(counts - n + 1, 1)
    out_offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(grams, out=out_offsets[1:])
    out = np.empty(int(out_offsets[-1]), dtype=np.uint64)
    mult = _GRAM_MULT[:n]
    total = len(units)
    if total >= n:
        width = total - n + 1
        acc = units[:width] * mult[0]
        for k in range(1, n):
            acc += units[k:width + k] * mult[k]
        owner = np.repeat(np.arange(len(counts)), counts)[:width]
        start = np.arange(width)
        valid = start + (n - 1) < offsets[owner + 1]
        owner = owner[valid]
        out[out_offsets[owner] + (start[valid] - offsets[owner])] = acc[valid]
    short = np.flatnonzero(counts < n)
    if len(short):
        begin, size = offsets[short], counts[short]
        acc = np.zeros(len(short), dtype=np.uint64)
        for k in range(n - 1):
            take = k < size
            acc[take] += units[begin[take] + k] * mult[k]
        out[out_offsets[short]] = acc
    return (_fmix64(out) >> _U64(32)).astype(np.uint32), out_offsets


def shingle_hashes(texts: Sequence[str], kind: int, params: Params,
                   joined: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """32-bit shingle hashes of each non-blank text, as one array and offsets: text i owns
    hashes[offsets[i]:offsets[i+1]]. Duplicates are kept. `joined`: the texts already are their
    words joined by single spaces."""
    pieces = texts if joined else [" ".join(t.split()) for t in texts]
    if kind == WORD:
        counts = [p.count(" ") + 1 for p in pieces]
    else:
        counts = [len(p) for p in pieces]
    return _joined_shingles(pieces, counts, kind, params)


def _joined_shingles(pieces: Sequence[str], counts: Sequence[int], kind: int,
                     params: Params) -> tuple[np.ndarray, np.ndarray]:
    """`shingle_hashes` of texts that are their words joined by single spaces, given each one's
    unit count (words, or characters for character n-grams)."""
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    if kind == WORD:
        units = _word_units(" ".join(pieces))
    else:
        units = _codepoints("".join(pieces)).astype(np.uint64)
    return _gram_hashes(units, offsets, params.ngram_of(kind))


def shingle_set(text: str, kind: int, params: Params) -> np.ndarray:
    """Sorted distinct shingle hashes of one text (empty for a blank text)."""
    if not text.split():
        return np.empty(0, dtype=np.uint32)
    hashes, _ = shingle_hashes([text], kind, params)
    return _unique(hashes)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two sorted distinct hash arrays."""
    if not len(a) and not len(b):
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def text_digest(text: str) -> int:
    """64-bit digest of a text (equal to ftlint.textview.view_hash of the same normalised text)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


# --------------------------------------------------------------------------- MinHash


class MinHasher:
    """datasketch `affine32` MinHash for many sets at once, bit-identical to datasketch's.

    The permutations are drawn exactly as `datasketch.MinHash(num_perm, seed, scheme="affine32")`
    draws them (a test compares both); importing datasketch here would cost ~0.5 s of start-up
    (it imports scipy) in every run for two arrays of numbers.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        gen = np.random.RandomState(seed)
        a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
        self.a = a[:, None]
        self.b = b[:, None]
        self.num_perm = num_perm
        self.seed = seed

    @property
    def permutations(self) -> np.ndarray:
        return np.array([self.a[:, 0], self.b[:, 0]])

    def signatures(self, hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """(sets, num_perm) uint32 minhashes of the non-empty sets hashes[offsets[i]:offsets[i+1]].

        Works on blocks of at most CHUNK permutation x shingle values (a set may span blocks: its
        partial minima are combined), so a huge text never builds a huge matrix."""
        sets = len(offsets) - 1
        out = np.full((sets, self.num_perm), _MASK32, dtype=np.uint32)
        mixed = _fmix32(hashes.astype(np.uint32, copy=False))
        step = max(1, CHUNK // self.num_perm)
        buffer = np.empty((self.num_perm, min(step, len(mixed))), dtype=np.uint32)
        for lo in range(0, len(mixed), step):
            hi = min(len(mixed), lo + step)
            first = int(np.searchsorted(offsets, lo, side="right")) - 1  # the set holding `lo`
            last = int(np.searchsorted(offsets, hi, side="left"))  # sets first..last-1 overlap
            starts = np.maximum(offsets[first:last], lo) - lo
            block = buffer[:, :hi - lo]
            np.multiply(self.a, mixed[lo:hi], out=block)
            np.add(block, self.b, out=block)
            part = np.minimum.reduceat(block, starts, axis=1).T
            out[first:last] = np.minimum(out[first:last], part)
        return out


def _band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(sets, bands) 32-bit keys: a band's r minhashes combined, mixed, top 32 bits."""
    block = signatures[:, :bands * rows].reshape(len(signatures), bands, rows).astype(np.uint64)
    combined = (block * _BAND_MULT[:rows]).sum(axis=2, dtype=np.uint64)
    return (_fmix64(combined) >> _U64(32)).astype(np.uint32)


def _small_signature(signatures: np.ndarray) -> np.ndarray:
    """8 bits per minhash, mixed per permutation so chance matches are independent (1/256)."""
    salted = signatures.astype(np.uint64) * _SIG_MULT[:signatures.shape[1]]
    return (_fmix64(salted) >> _U64(56)).astype(np.uint8)


def estimate(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Jaccard estimates of row pairs of 8-bit signatures (b-bit MinHash, corrected for 1/256)."""
    return estimate_from_matches(np.count_nonzero(sig_a == sig_b, axis=-1), sig_a.shape[-1])


def estimate_from_matches(matches: np.ndarray, num_perm: int) -> np.ndarray:
    chance = 1.0 / (1 << SIG_BITS)
    return np.clip((matches / num_perm - chance) / (1.0 - chance), 0.0, 1.0)


def _matches(sigs_a: np.ndarray, rows_a: np.ndarray, sigs_b: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """Equal 8-bit minhashes of row pairs, in blocks (a 2 MB comparison at a time)."""
    out = np.empty(len(rows_a), dtype=np.int32)
    step = max(1, (1 << 21) // max(1, sigs_a.shape[1]))
    for lo in range(0, len(rows_a), step):
        out[lo:lo + step] = np.count_nonzero(sigs_a[rows_a[lo:lo + step]] == sigs_b[rows_b[lo:lo + step]], axis=1)
    return out


def estimate_sigma(similarity: float, num_perm: int) -> float:
    chance = 1.0 / (1 << SIG_BITS)
    p = similarity + (1 - similarity) * chance
    return math.sqrt(p * (1 - p) / num_perm) / (1 - chance)


# --------------------------------------------------------------------------- index


class _Table:
    """Index rows of one shingle kind, one growable `array.array` per field.

    `array.array` grows in place (realloc, which moves big blocks with mremap), so a million rows
    never exist twice in memory, as they would when concatenating numpy chunks. `array()` returns
    a numpy view; while a view is alive the buffer refuses to grow (BufferError) instead of
    leaving the view dangling."""

    FIELDS = {"keys": ("q", np.int64), "digests": ("Q", np.uint64), "words": ("H", np.uint16),
              "bands": ("I", np.uint32), "sigs": ("B", np.uint8)}

    def __init__(self, bands: int, num_perm: int) -> None:
        self.widths = {"bands": bands, "sigs": num_perm}
        self.data = {name: array(code) for name, (code, _) in self.FIELDS.items()}

    def __len__(self) -> int:
        return len(self.data["keys"])

    def append(self, **arrays: np.ndarray) -> None:
        for name, (_, dtype) in self.FIELDS.items():
            values = np.ascontiguousarray(arrays[name], dtype=dtype)
            if values.size:
                self.data[name].frombytes(memoryview(values).cast("B"))

    def array(self, name: str) -> np.ndarray:
        values = np.frombuffer(self.data[name], dtype=self.FIELDS[name][1])
        width = self.widths.get(name)
        return values.reshape(-1, width) if width else values

    def nbytes(self) -> int:
        return sum(len(values) * values.itemsize for values in self.data.values())


@dataclass
class Pair:
    a: int  # keys, a < b
    b: int
    similarity: float
    kind: int
    exact: bool


@dataclass
class Cluster:
    members: list[int]  # keys in ascending order; members[0] is the first (kept) one
    kind: int  # shingle kind of the pairs that formed it (WORD unless a short text is in it)
    pairs: list[Pair]
    # member -> (Jaccard with members[0], exact?, kind), None when it cannot be computed
    to_first: dict[int, tuple[float, bool, int] | None] = field(default_factory=dict)
    # member -> (key, similarity) of its most similar verified neighbour
    best: dict[int, tuple[int, float]] = field(default_factory=dict)


@dataclass
class Result:
    clusters: list[Cluster]
    pairs: list[Pair]
    texts: int  # indexed texts
    distinct: int  # after collapsing exact duplicates
    candidates: int  # candidate pairs from the bands (counted once per band and window step)
    screened: int  # candidates that passed the 8-bit estimate screen (once per band they met in)
    exact: int  # candidates verified with the exact Jaccard (at most `partners` per text)
    estimated: int  # candidates decided by the estimate (no text to verify with)
    index_bytes: int

    @property
    def flagged(self) -> int:
        """Texts that are near duplicates of an earlier one (cluster sizes minus one)."""
        return sum(len(c.members) - 1 for c in self.clusters)


Loader = Callable[[Sequence[int]], Mapping[int, str]]


class NearDuplicateIndex:
    """Signatures of texts under integer keys; mergeable, picklable, compact.

    `add(key, text)` buffers; texts are hashed in batches. Keys are the caller's (the rule packs
    a file index and line into one int): "first" means smallest key, so keys should grow in the
    order texts are seen. `find()` returns verified near-duplicate clusters within the index,
    `matches(other)` verified pairs between two indexes (e.g. train vs test).
    """

    def __init__(self, params: Params = Params()) -> None:
        self.params = params
        self.tables = (_Table(params.bands_of(WORD)[0], params.num_perm),
                       _Table(params.bands_of(CHAR)[0], params.num_perm))
        self._pending: list[tuple[int, str, int | None]] = []
        self._pending_chars = 0
        self._hasher: MinHasher | None = None

    # ------------------------------------------------------------------ building

    def __len__(self) -> int:
        self.flush()
        return len(self.tables[WORD]) + len(self.tables[CHAR]) - self._dual_count()

    def _dual_count(self) -> int:
        return int((self.tables[CHAR].array("words") >= self.params.short_words).sum())

    @property
    def hasher(self) -> MinHasher:
        if self._hasher is None:
            self._hasher = MinHasher(self.params.num_perm, self.params.seed)
        return self._hasher

    def add(self, key: int, text: str, digest: int | None = None, collapsed: bool = False) -> None:
        """Index `text` under `key`; `digest` is `text_digest(text)` when the caller has it.
        `collapsed`: the caller guarantees `text == " ".join(text.split())` (a view normalised
        with collapse-whitespace), which saves re-splitting it."""
        self._pending.append((key, text, digest, collapsed))
        self._pending_chars += len(text)
        if len(self._pending) >= BATCH or self._pending_chars >= BATCH_CHARS:
            self.flush()

    def add_many(self, keys: Iterable[int], texts: Iterable[str]) -> None:
        for key, text in zip(keys, texts):
            self.add(key, text)

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        self._pending_chars = 0
        if not pending:
            return
        by_kind: tuple[list, list] = ([], [])
        word_rows, char_rows = by_kind
        short_words = self.params.short_words
        dual_words = math.ceil(short_words * DUAL_FACTOR)
        for key, text, digest, collapsed in pending:
            if collapsed:
                if not text:
                    continue
                joined, words = text, text.count(" ") + 1
            else:
                split = text.split()
                if not split:
                    continue
                joined, words = " ".join(split), len(split)
            row = (key, text, digest, words, joined)
            # Params.kinds_for, inlined: this loop runs for every record.
            if len(joined) > SHORT_CHARS or words >= dual_words:
                word_rows.append(row)
            elif words < short_words:
                char_rows.append(row)
            else:
                word_rows.append(row)
                char_rows.append(row)
        for kind, chosen in enumerate(by_kind):
            if chosen:
                self._index(kind, chosen)

    def _index(self, kind: int, rows: list[tuple[int, str, int | None, int, str]]) -> None:
        pieces = [r[4] for r in rows]
        counts = [r[3] for r in rows] if kind == WORD else [len(p) for p in pieces]
        hashes, offsets = _joined_shingles(pieces, counts, kind, self.params)
        signatures = self.hasher.signatures(hashes, offsets)
        bands, width = self.params.bands_of(kind)
        self.tables[kind].append(
            keys=np.array([r[0] for r in rows], dtype=np.int64),
            digests=np.array([text_digest(r[1]) if r[2] is None else r[2] for r in rows], dtype=np.uint64),
            words=np.array([min(r[3], 65535) for r in rows], dtype=np.uint16)
            if kind == CHAR else np.empty(0, dtype=np.uint16),
            bands=_band_keys(signatures, bands, width),
            sigs=_small_signature(signatures),
        )

    def merge(self, other: "NearDuplicateIndex", key_map: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        """Add every text of `other` (keys translated by `key_map`, vectorised)."""
        if other.params != self.params:
            raise ValueError("cannot merge near-duplicate indexes built with different parameters")
        other.flush()
        for mine, theirs in zip(self.tables, other.tables):
            arrays = {name: theirs.array(name) for name in _Table.FIELDS}
            if key_map is not None:
                arrays["keys"] = np.asarray(key_map(arrays["keys"]), dtype=np.int64)
            mine.append(**arrays)

    def __getstate__(self) -> dict[str, Any]:
        self.flush()
        return {"params": self.params, "tables": self.tables}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.params = state["params"]
        self.tables = state["tables"]
        self._pending = []
        self._pending_chars = 0
        self._hasher = None

    def memory_bytes(self) -> int:
        """Bytes held by the index arrays (keys, digests, band keys, 8-bit signatures)."""
        self.flush()
        return sum(table.nbytes() for table in self.tables)

    # ------------------------------------------------------------------ querying

    def _distinct_rows(self, kind: int) -> np.ndarray:
        """Rows that are the first (smallest key) of their text digest."""
        table = self.tables[kind]
        keys, digests = table.array("keys"), table.array("digests")
        if not len(keys):
            return np.empty(0, dtype=np.int64)
        order = np.lexsort((keys, digests))
        first = np.ones(len(order), dtype=bool)
        first[1:] = digests[order[1:]] != digests[order[:-1]]
        return np.sort(order[first])

    def find(self, load: Loader | None = None) -> Result:
        """Verified near-duplicate clusters among the indexed texts. `load(keys)` returns the
        texts of some keys (for exact verification); without it the 8-bit estimate decides."""
        self.flush()
        parts = []
        for kind in (WORD, CHAR):
            rows = self._distinct_rows(kind)
            parts.append((kind, self, rows, self, rows))
        return _search(self.params, parts, load, load, same=True, index_bytes=self.memory_bytes(),
                       texts=len(self), distinct=_count_distinct(self))

    def matches(self, other: "NearDuplicateIndex", load: Loader | None = None,
                load_other: Loader | None = None) -> list[Pair]:
        """Verified near-duplicate pairs between two indexes: `Pair.a` is a key of self, `Pair.b`
        a key of other (the two key spaces may overlap)."""
        if other.params != self.params:
            raise ValueError("cannot compare near-duplicate indexes built with different parameters")
        self.flush()
        other.flush()
        parts = [(k, self, self._distinct_rows(k), other, other._distinct_rows(k)) for k in (WORD, CHAR)]
        result = _search(self.params, parts, load, load_other if load_other is not None else load, same=False,
                         index_bytes=self.memory_bytes() + other.memory_bytes(), texts=0, distinct=0)
        return result.pairs


def _count_distinct(index: NearDuplicateIndex) -> int:
    digests = [index.tables[WORD].array("digests")]
    char = index.tables[CHAR]
    single = char.array("words") < index.params.short_words
    digests.append(char.array("digests")[single])
    return len(_unique(np.concatenate(digests)))


# --------------------------------------------------------------------------- search


def _bucket_pairs(keys: np.ndarray, near: np.ndarray, side: np.ndarray | None, window: int
                  ) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """Pairs of positions with equal `keys` (and different `side`, when given). Members of a
    bucket are ordered by `near` (another band's key, so members that also share that band sit
    together) and each meets the next `window` members: the work per bucket is linear."""
    # Only keys that occur twice can pair, and most band keys are unique: a plain sort of the keys
    # (fast) finds the repeated ones, and only their positions are ordered. Equal keys sit together
    # in any order by key, so dropping the others changes no pair and no distance between members.
    ranked_keys = np.sort(keys)
    repeated = ranked_keys[1:][ranked_keys[1:] == ranked_keys[:-1]]
    if not len(repeated):
        return
    repeated = _unique(repeated)
    # Membership by a bitmap of the keys' low bits, then an exact check of the few candidates
    # (a binary search of every key would cost more than the argsort it saves).
    bits = max(12, min(22, (4 * len(keys)).bit_length()))
    low = _U32((1 << bits) - 1)
    table = np.zeros(1 << bits, dtype=bool)
    table[repeated & low] = True
    members = np.flatnonzero(table[keys & low])
    at = np.minimum(np.searchsorted(repeated, keys[members]), len(repeated) - 1)
    members = members[repeated[at] == keys[members]]
    keys, near = keys[members], near[members]
    if side is not None:
        side = side[members]
    # np.lexsort((near, keys)), which is stable, at a quarter of the cost: one unstable argsort
    # of (key, near) as a 64-bit number, then the rare runs of equal numbers back in position order.
    combined = (keys.astype(np.uint64) << _U64(32)) | near.astype(np.uint64)
    order = np.argsort(combined)
    ranked = combined[order]
    ties = ranked[1:] == ranked[:-1]
    if ties.any():
        start = np.flatnonzero(np.concatenate(([True], ~ties)))
        run = np.repeat(start, np.diff(np.append(start, len(order)))).astype(np.int64)
        order = order[np.argsort(run * len(order) + order)]
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
            yield members[order[hits]], members[order[hits + step]]


def _best_partners(a: np.ndarray, b: np.ndarray, matches: np.ndarray, most: int) -> np.ndarray:
    """Mask of the pairs that are among the `most` best-matching pairs of either of their ends."""
    ends = np.concatenate([a, b]).astype(np.int64)
    order = np.argsort((ends << 16) | (65535 - np.concatenate([matches, matches])))
    ends = ends[order]
    start = np.flatnonzero(np.concatenate([[True], ends[1:] != ends[:-1]]))
    rank = np.arange(len(ends)) - np.repeat(start, np.diff(np.append(start, len(ends))))
    keep = np.zeros(len(a), dtype=bool)
    keep[order[rank < most] % len(a)] = True
    return keep


def _screened_pairs(params: Params, kind: int, table_a: _Table, rows_a: np.ndarray, table_b: _Table,
                    rows_b: np.ndarray, same: bool) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """(band candidates, candidates passing the 8-bit screen, and row_a, row_b, matching 8-bit
    minhashes of the distinct pairs kept for verification: each text's `partners` best).

    The kept set is pruned to each text's best partners whenever the pairs found since the last
    pruning outnumber it, so memory stays at O(texts x partners) pairs even when every text of a
    templated dataset passes the screen with hundreds of others. (Pruning early gives the same
    result as pruning once at the end: a pair outside both of its ends' best lists stays outside.)"""
    empty = np.empty(0, dtype=np.int64)
    if not len(rows_a) or not len(rows_b):
        return 0, 0, empty, empty, empty
    threshold = params.threshold_of(kind)
    floor = threshold - 4 * estimate_sigma(threshold, params.num_perm)
    chance = 1.0 / (1 << SIG_BITS)
    least = math.ceil(params.num_perm * (floor * (1 - chance) + chance))  # matches at the floor
    # Whole-table arrays, indexed through rows_a / rows_b: no copy of the index is made.
    bands_a, sigs_a = table_a.array("bands"), table_a.array("sigs")
    bands_b, sigs_b = table_b.array("bands"), table_b.array("sigs")
    words_a, words_b = table_a.array("words"), table_b.array("words")
    width = len(rows_b)
    offset = 0 if same else len(rows_a)  # b positions as "ends" distinct from a positions
    candidates = passed = 0
    kept_codes, kept_matches = empty, np.empty(0, dtype=np.int32)
    new_codes: list[np.ndarray] = []
    new_matches: list[np.ndarray] = []
    pending = 0

    def prune(final: bool = False) -> tuple[np.ndarray, np.ndarray]:
        codes = np.concatenate([kept_codes, *new_codes])
        matches = np.concatenate([kept_matches, *new_matches])
        new_codes.clear()
        new_matches.clear()
        order = np.argsort(codes, kind="stable")
        codes, matches = codes[order], matches[order]
        first = np.ones(len(codes), dtype=bool)
        first[1:] = codes[1:] != codes[:-1]
        codes, matches = codes[first], matches[first]
        if len(codes) > params.partners:
            keep = _best_partners(codes // width, codes % width + offset, matches, params.partners)
            codes, matches = codes[keep], matches[keep]
        return codes, matches

    count = bands_a.shape[1]
    side = None if same else np.repeat(np.array([False, True]), [len(rows_a), len(rows_b)])
    for band in range(count):
        keys, near = bands_a[rows_a, band], bands_a[rows_a, (band + 1) % count]
        if not same:
            keys = np.concatenate([keys, bands_b[rows_b, band]])
            near = np.concatenate([near, bands_b[rows_b, (band + 1) % count]])
        for i, j in _bucket_pairs(keys, near, side, params.window):
            candidates += len(i)
            if same:
                i, j = np.minimum(i, j), np.maximum(i, j)
            else:  # positions in the concatenation -> (a position, b position)
                i, j = np.minimum(i, j), np.maximum(i, j) - len(rows_a)
            matches = _matches(sigs_a, rows_a[i], sigs_b, rows_b[j])
            keep = matches >= least
            if kind == CHAR:  # two texts of >= short_words words are compared by word n-grams
                keep &= np.minimum(words_a[rows_a[i]], words_b[rows_b[j]]) < params.short_words
            passed += int(keep.sum())
            new_codes.append(i[keep].astype(np.int64) * width + j[keep])
            new_matches.append(matches[keep])
            pending += len(new_codes[-1])
        if pending > max(len(kept_codes), 1 << 16):
            kept_codes, kept_matches = prune()
            pending = 0
    kept_codes, kept_matches = prune()
    pos_a, pos_b = kept_codes // width, kept_codes % width
    return candidates, passed, rows_a[pos_a], rows_b[pos_b], kept_matches


class SetStore:
    """The sorted distinct shingle hashes of many texts in one array (text i owns
    values[offsets[i]:offsets[i+1]]), for exact Jaccard of many pairs at numpy speed. Built in
    batches of ~BATCH_CHARS characters, so temporaries stay small whatever the number of texts."""

    def __init__(self, texts: Sequence[str], kind: int, params: Params) -> None:
        parts: list[np.ndarray] = []
        sizes = np.zeros(len(texts) + 1, dtype=np.int64)
        lo = 0
        while lo < len(texts):
            hi, chars = lo, 0
            while hi < len(texts) and (hi == lo or chars + len(texts[hi]) <= BATCH_CHARS):
                chars += len(texts[hi])
                hi += 1
            hashes, offsets = shingle_hashes(texts[lo:hi], kind, params)
            owner = np.repeat(np.arange(hi - lo, dtype=np.uint64), np.diff(offsets))
            keys = _unique((owner << _U64(32)) | hashes.astype(np.uint64))
            parts.append((keys & _U64(_MASK32)).astype(np.uint32))
            sizes[lo + 1:hi + 1] = np.bincount((keys >> _U64(32)).astype(np.int64), minlength=hi - lo)
            lo = hi
        self.values = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint32)
        self.offsets = np.cumsum(sizes)

    def sizes(self, rows: np.ndarray) -> np.ndarray:
        return self.offsets[rows + 1] - self.offsets[rows]

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values of the rows one after another, pair index of each value)."""
        sizes = self.sizes(rows)
        ends = np.cumsum(sizes)
        index = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(self.offsets[rows] - (ends - sizes), sizes)
        return self.values[index], np.repeat(np.arange(len(rows), dtype=np.uint64), sizes)


def pair_jaccard(store_a: SetStore, rows_a: np.ndarray, store_b: SetStore, rows_b: np.ndarray,
                 budget: int = 1 << 20) -> np.ndarray:
    """Exact Jaccard of the pairs (store_a row, store_b row), in blocks of ~`budget` values.

    Each side's values, keyed by (pair index, hash), come out of the stores globally sorted, so
    one `searchsorted` finds the intersection without sorting anything."""
    out = np.empty(len(rows_a))
    work = np.cumsum(store_a.sizes(rows_a) + store_b.sizes(rows_b))
    lo = 0
    while lo < len(rows_a):
        hi = max(lo + 1, int(np.searchsorted(work, (work[lo - 1] if lo else 0) + budget, side="right")))
        a, b = rows_a[lo:hi], rows_b[lo:hi]
        values_a, pair_a = store_a.gather(a)
        values_b, pair_b = store_b.gather(b)
        keys_a = (pair_a << _U64(32)) | values_a.astype(np.uint64)
        keys_b = (pair_b << _U64(32)) | values_b.astype(np.uint64)
        at = np.minimum(np.searchsorted(keys_b, keys_a), len(keys_b) - 1)
        hit = keys_b[at] == keys_a
        inter = np.bincount(pair_a[hit].astype(np.int64), minlength=len(a))
        out[lo:hi] = inter / (store_a.sizes(a) + store_b.sizes(b) - inter)
        lo = hi
    return out


def _search(params: Params, parts: list, load_a: Loader | None, load_b: Loader | None, *, same: bool,
            index_bytes: int, texts: int, distinct: int) -> Result:
    candidates = screened = exact = estimated = 0
    found = []
    for kind, index_a, rows_a, index_b, rows_b in parts:
        table_a, table_b = index_a.tables[kind], index_b.tables[kind]
        count, passed, row_a, row_b, matches = _screened_pairs(params, kind, table_a, rows_a, table_b, rows_b, same)
        candidates += count
        screened += passed
        found.append((kind, table_a, row_a, table_b, row_b, matches))
    # One load per side for every kind: the caller may have to re-read files to answer it.
    loaded_a: dict[int, str] = {}
    loaded_b: dict[int, str] = loaded_a if same else {}
    _load(load_a, [(t.array("keys")[r], t.array("digests")[r]) for _, t, r, _, _, _ in found], loaded_a)
    _load(load_b, [(t.array("keys")[r], t.array("digests")[r]) for _, _, _, t, r, _ in found], loaded_b)
    names_a = np.array(sorted(loaded_a), dtype=np.int64)  # keys with a verified text, sorted
    names_b = names_a if same else np.array(sorted(loaded_b), dtype=np.int64)
    accepted: list[Pair] = []
    for kind, table_a, row_a, table_b, row_b, matches in found:
        if not len(row_a):
            continue
        threshold = params.threshold_of(kind)
        keys_a, keys_b = table_a.array("keys")[row_a], table_b.array("keys")[row_b]
        similarity = estimate_from_matches(matches, params.num_perm)
        verified = _within(keys_a, names_a) & _within(keys_b, names_b)
        if verified.any():
            if same:  # one store of this kind's texts (a text may be in pairs of both kinds)
                need_a = need_b = _unique(np.concatenate([keys_a[verified], keys_b[verified]]))
            else:
                need_a, need_b = _unique(keys_a[verified]), _unique(keys_b[verified])
            pos_a = np.searchsorted(need_a, keys_a[verified])
            pos_b = np.searchsorted(need_b, keys_b[verified])
            store_a = SetStore([loaded_a[int(k)] for k in need_a], kind, params)
            store_b = store_a if same else SetStore([loaded_b[int(k)] for k in need_b], kind, params)
            similarity[verified] = pair_jaccard(store_a, pos_a, store_b, pos_b)
        exact += int(verified.sum())
        estimated += int((~verified).sum())
        for n in np.flatnonzero(similarity >= threshold):
            ka, kb = int(keys_a[n]), int(keys_b[n])
            a, b = (kb, ka) if same and kb < ka else (ka, kb)
            accepted.append(Pair(a, b, float(similarity[n]), kind, bool(verified[n])))
    pairs = _dedupe(accepted)
    clusters = _clusters(pairs, params, loaded_a) if same else []
    return Result(clusters, pairs, texts, distinct, candidates, screened, exact, estimated, index_bytes)


def _within(values: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """np.isin(values, ranked) for a sorted `ranked`, without np.isin's import of numpy.ma."""
    if not len(ranked):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ranked, values), len(ranked) - 1)
    return ranked[at] == values


def _load(load: Loader | None, parts: list[tuple[np.ndarray, np.ndarray]], cache: dict[int, str]) -> None:
    """Fill `cache` with the texts `load` returns whose digest is the indexed one: a text that
    changed since it was indexed is left out (its pairs fall back to the estimate)."""
    digests: dict[int, int] = {}
    for keys, values in parts:
        digests.update(zip(keys.tolist(), values.tolist()))
    wanted = sorted(set(digests) - cache.keys())
    if not wanted or load is None:
        return
    for key, text in load(wanted).items():
        if key in digests and text_digest(text) == digests[key]:
            cache[key] = text


def _dedupe(pairs: list[Pair]) -> list[Pair]:
    """One pair per key pair (a text in both tables can be found twice): prefer the pair kind."""
    best: dict[tuple[int, int], Pair] = {}
    for pair in pairs:
        seen = best.get((pair.a, pair.b))
        if seen is None or pair.similarity > seen.similarity:
            best[(pair.a, pair.b)] = pair
    return sorted(best.values(), key=lambda p: (p.a, p.b))


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            root = item
            while self.parent[root] != root:
                root = self.parent[root]
            while self.parent[item] != root:  # path compression
                self.parent[item], item = root, self.parent[item]
            return root
        return item

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the smallest key is the root

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for item in self.parent:
            out.setdefault(self.find(item), []).append(item)
        return sorted(sorted(members) for members in out.values())


def _clusters(pairs: list[Pair], params: Params, texts: Mapping[int, str]) -> list[Cluster]:
    uf = UnionFind()
    for pair in pairs:
        uf.union(pair.a, pair.b)
    by_root: dict[int, list[Pair]] = {}
    for pair in pairs:
        by_root.setdefault(uf.find(pair.a), []).append(pair)
    clusters = []
    todo: dict[int, list[tuple[Cluster, int, int]]] = {WORD: [], CHAR: []}  # (cluster, first, member)
    for members in uf.groups():
        own = by_root[members[0]]
        kind = CHAR if any(p.kind == CHAR for p in own) else WORD
        cluster = Cluster(members, kind, own)
        direct = {(p.a, p.b): p for p in own}
        for pair in own:
            for here, there in ((pair.a, pair.b), (pair.b, pair.a)):
                if here not in cluster.best or pair.similarity > cluster.best[here][1]:
                    cluster.best[here] = (there, pair.similarity)
        first = members[0]
        for member in members[1:]:
            pair = direct.get((first, member))
            if pair is not None:
                cluster.to_first[member] = (pair.similarity, pair.exact, pair.kind)
            elif first in texts and member in texts:
                k = params.pair_kind(len(texts[first].split()), len(texts[member].split()))
                todo[k].append((cluster, first, member))
            else:
                cluster.to_first[member] = None
        clusters.append(cluster)
    for kind, items in todo.items():  # members linked to the first only through others
        if not items:
            continue
        ends = np.array([[f, m] for _, f, m in items], dtype=np.int64)
        names = _unique(ends.ravel())
        store = SetStore([texts[int(k)] for k in names], kind, params)
        values = pair_jaccard(store, np.searchsorted(names, ends[:, 0]), store, np.searchsorted(names, ends[:, 1]))
        for (cluster, _, member), value in zip(items, values):
            cluster.to_first[member] = (float(value), True, kind)
    return clusters
