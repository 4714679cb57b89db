"""presidio, configured to run offline, quietly and fast; one analyzer per process and settings.

* No model download: pattern entities use presidio's no-op NLP engine and an explicit registry
  of the pattern/checksum recognizers (about 3x faster than the default registry, and nothing
  to install). Named entities use a separate analyzer over a spaCy pipeline the user names,
  which is checked before presidio sees it: presidio would otherwise start `spacy download`.
* tldextract (the e-mail recognizer's domain check) gets no suffix-list URLs and no cache
  directory, so it reads its bundled public-suffix snapshot instead of trying the network and
  logging a traceback.
* Without an NLP model presidio cannot use context words; `_boost` restores the part that
  matters (a phone number after "call", an SSN after "SSN:") from the characters before a match.
* presidio's loggers and warnings are silenced: a linter's output is its findings.
"""
from __future__ import annotations

import functools
import logging
import re
import warnings
from pathlib import Path
from typing import Any, NamedTuple

from .entities import NER_ENTITIES, PRESIDIO_RECOGNIZERS, SECRET_ENTITIES

DEFAULT_PHONE_REGIONS = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")
# A number valid in a numbering plan but written neither as the plan groups it, nor with a
# country code, nor with a trunk prefix 0 ("191602 2026": a count and a year; 3036165596: a sum
# or a timestamp) scores below the default threshold; a context word before it ("call", "phone",
# "number") lifts it back.
WEAK_PHONE_SCORE = 0.25
CONTEXT_WINDOW = 48  # characters before a match searched for context words
CONTEXT_BOOST = 0.35  # presidio's own context_similarity_factor
MIN_SCORE_WITH_CONTEXT = 0.4


class Raw(NamedTuple):
    entity: str
    start: int
    end: int
    score: float


class ModelNotFound(Exception):
    """The configured spaCy model is neither an installed package nor a pipeline directory."""


def quiet() -> None:
    for name in ("presidio-analyzer", "presidio-anonymizer", "decision_process", "tldextract", "filelock"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.ERROR)
        logger.propagate = False
    warnings.filterwarnings("ignore", module=r"presidio_.*")
    warnings.filterwarnings("ignore", message=r".*(LemmaContextAwareEnhancer|NoOpNlpEngine).*")


@functools.cache
def tld_extractor() -> Any:
    """tldextract reading only its bundled public suffix list: no network, no cache directory."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def _recognizer(entity: str, regions: tuple[str, ...]) -> Any:
    from presidio_analyzer import predefined_recognizers as predefined

    if entity == "EMAIL_ADDRESS":
        class OfflineEmailRecognizer(predefined.EmailRecognizer):
            def validate_result(self, pattern_text: str) -> bool:
                return tld_extractor()(pattern_text).fqdn != ""

        return OfflineEmailRecognizer()
    if entity == "PHONE_NUMBER":
        return _phone_recognizer(regions)
    if entity == "CREDIT_CARD":
        class CardRecognizer(predefined.CreditCardRecognizer):
            # presidio's pattern predates Mastercard's 2221-2720 range (issued since 2017).
            PATTERNS = [predefined.CreditCardRecognizer.PATTERNS[0].__class__(
                "All Credit Cards (weak)",
                r"\b(?!1\d{12}(?!\d))((4\d{3})|(5[0-5]\d{2})|(2[2-7]\d{2})|(6\d{3})|(1\d{3})|(3\d{3}))"
                r"[- ]?(\d{3,4})[- ]?(\d{3,4})[- ]?(\d{3,5})\b", 0.3)]

        return CardRecognizer()
    cls = getattr(predefined, PRESIDIO_RECOGNIZERS[entity])
    try:
        return cls(supported_language="en")
    except TypeError:
        return cls()


# A phone candidate: what presidio's matcher would start from (an optional + or 00 and a bracket,
# then seven or more digits with short separators). Dates, SSN, IPv4 and card shapes never are.
_PHONE_CANDIDATE = re.compile(r"(?:\+|\b00)?\(?\d(?:[\s().\-/]{0,3}\d){6,}")
_NOT_PHONE = re.compile(r"\d{4}([-/.])\d{1,2}\1\d{1,2}|\d{1,2}([-/.])\d{1,2}\2\d{4}|\d{3}-\d{2}-\d{4}"
                        r"|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|\d{4}([ -])\d{4}\3\d{4}\3\d{4}")  # + IPv4, 4-4-4-4 cards
PHONE_MARGIN = 8  # characters of context around a candidate (word boundaries, "ext.")
# North-American layout, written the way only phone numbers are written: (415) 555-2671,
# 415-555-2671, +1 415.555.2671, with an extension. libphonenumber rejects area codes that are not
# assigned (synthetic data, or a typo); such a number is still somebody's number-shaped contact.
_NANP_LAYOUT = re.compile(r"(?<![\w+])(?:(?:\+1|001)[-. ]?)?(?:\(\d{3}\)\s?\d{3}[-. ]\d{4}|\d{3}([-.])\d{3}\1\d{4}|"
                          r"(?<=\+1 )\d{3} \d{3} \d{4})(?:\s?(?:x|ext\.?|extension)\s?\d{1,5})?(?![\w-])")


def _phone_recognizer(regions: tuple[str, ...]) -> Any:
    """presidio's PhoneRecognizer run on small windows around digit runs instead of the whole text.

    presidio runs libphonenumber's matcher over the whole text once per region (8 by default),
    and verifying one candidate costs ~0.3 ms per region: a long answer with a date in it cost
    5-7 ms. Here the matcher sees only windows around candidates, a cheap POSSIBLE-leniency pass
    picks the regions worth verifying, a number with a country code is verified once, the first
    numbering plan that validates a well-written number ends the search, and results per window
    are cached (the same support number in a thousand records is verified once). Offsets are
    mapped back to the text.
    """
    import phonenumbers
    from presidio_analyzer import EntityRecognizer, RecognizerResult
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    class WindowedPhoneRecognizer(PhoneRecognizer):
        @functools.lru_cache(maxsize=8192)
        def _window(self, window: str, international: bool) -> tuple[tuple[int, int, str, float], ...]:
            # A number with a country code parses the same whatever the default region: one pass.
            regions = self.supported_regions[:1] if international else self.supported_regions
            found: dict[tuple[int, int], tuple[str, float]] = {}
            for region in regions:
                if not any(True for _ in phonenumbers.PhoneNumberMatcher(window, region, leniency=0)):
                    continue  # not even a possible number here: skip the costly validation
                valid = list(phonenumbers.PhoneNumberMatcher(window, region, leniency=1))
                if not valid:
                    continue  # nothing for the strict grouping pass to grade (and `found` is unchanged)
                strict = {(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(window, region, leniency=2)}
                for match in valid:
                    raw = match.raw_string.lstrip("(")
                    grouped = not raw.isdigit()  # 1679433381 is as likely a timestamp as a phone
                    written_as_phone = (((match.start, match.end) in strict and grouped)
                                        or raw.startswith(("+", "00", "0")))
                    score = self.SCORE if written_as_phone else WEAK_PHONE_SCORE
                    if found.get((match.start, match.end), ("", 0.0))[1] < score:
                        found[(match.start, match.end)] = (region, score)
                if any(score == self.SCORE for _, score in found.values()):
                    break  # a well-written valid number: other numbering plans add nothing
            return tuple((start, end, region, score) for (start, end), (region, score) in found.items())

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            results = []
            for candidate in _PHONE_CANDIDATE.finditer(text):
                if _NOT_PHONE.fullmatch(candidate.group(0)):
                    continue
                lo = max(0, candidate.start() - PHONE_MARGIN)
                window = text[lo:min(len(text), candidate.end() + PHONE_MARGIN)]
                international = candidate.group(0).lstrip("(").startswith(("+", "00"))
                found = list(self._window(window, international))
                for layout in _NANP_LAYOUT.finditer(window):
                    found.append((layout.start(), layout.end(), "US", self.SCORE))
                for start, end, region, score in found:
                    result = RecognizerResult(self.supported_entities[0], lo + start, lo + end, score,
                                              analysis_explanation=self._get_analysis_explanation(region),
                                              recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                                                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
                    results.append(result)
            return EntityRecognizer.remove_duplicates(results)

    return WindowedPhoneRecognizer(supported_regions=regions, leniency=1)


class _NoEnhancer:
    """Context comes from `_boost`; presidio's lemma enhancer needs tokens the no-op engine lacks."""

    def enhance_using_context(self, text: str, raw_results: list, nlp_artifacts: Any, recognizers: list,
                              context: Any = None) -> list:
        return raw_results


@functools.lru_cache(maxsize=8)
def pattern_analyzer(regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> Any:
    quiet()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    from .secrets import make_recognizer

    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    for entity in PRESIDIO_RECOGNIZERS:
        registry.add_recognizer(_recognizer(entity, regions))
    registry.add_recognizer(make_recognizer())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"],
                              context_aware_enhancer=_NoEnhancer())


def load_spacy(model: str) -> Any:
    """An installed spaCy package or a pipeline directory, with a message that says what to do."""
    import spacy

    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.cfg").is_file():
            raise ModelNotFound(f"spaCy model directory {model!r} holds no config.cfg: save a pipeline there "
                                "with nlp.to_disk(), or name an installed model package")
        return spacy.load(path)
    if spacy.util.is_package(model):
        return spacy.load(model)
    raise ModelNotFound(
        f"spaCy model {model!r} is neither an installed package nor a directory; install it with "
        f"`python -m spacy download {model}` (or `pip install {model}`), or set spacy-model to the "
        "directory of a pipeline saved with nlp.to_disk(). ftlint never downloads models itself")


@functools.lru_cache(maxsize=4)
def ner_analyzer(model: str) -> Any:
    quiet()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    nlp = load_spacy(model)
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}],
                            ner_model_configuration=NerModelConfiguration())
    engine.nlp = {"en": nlp}  # loaded above: SpacyNlpEngine.load() would try to download
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(SpacyRecognizer(supported_language="en", supported_entities=sorted(NER_ENTITIES)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])


@functools.lru_cache(maxsize=8)
def _context_words(regions: tuple[str, ...]) -> dict[str, re.Pattern[str]]:
    """entity -> a regex of the context words its presidio recognizer lists."""
    words: dict[str, set[str]] = {}
    for recognizer in pattern_analyzer(regions).registry.recognizers:
        for entity in recognizer.supported_entities:
            words.setdefault(entity, set()).update(w.lower() for w in (recognizer.context or []))
    return {entity: re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, ws))) + r")", re.IGNORECASE)
            for entity, ws in words.items() if ws}


def _boost(text: str, results: list[Raw], regions: tuple[str, ...]) -> list[Raw]:
    context = _context_words(regions)
    boosted = []
    for r in results:
        pattern = context.get(r.entity)
        if pattern is not None and r.score < 1.0 and pattern.search(text, max(0, r.start - CONTEXT_WINDOW), r.start):
            r = r._replace(score=min(1.0, max(r.score + CONTEXT_BOOST, MIN_SCORE_WITH_CONTEXT)))
        boosted.append(r)
    return boosted


def analyze(text: str, entities: frozenset[str], regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS,
            model: str | None = None) -> list[Raw]:
    """Every candidate of the requested entity types, scores after context, no threshold applied."""
    results: list[Raw] = []
    pattern = sorted(e for e in entities if e in PRESIDIO_RECOGNIZERS or e in SECRET_ENTITIES)
    if pattern:
        found = pattern_analyzer(regions).analyze(text, language="en", entities=pattern)
        results = _boost(text, [Raw(r.entity_type, r.start, r.end, r.score) for r in found
                                if r.entity_type in entities], regions)
    ner = sorted(e for e in entities if e in NER_ENTITIES)
    if ner and model:
        found = ner_analyzer(model).analyze(text, language="en", entities=ner)
        results += [Raw(r.entity_type, r.start, r.end, r.score) for r in found if r.entity_type in entities]
    return results
