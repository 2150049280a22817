"""Does the evidence base cover what a question is about?

Dense similarity alone cannot tell "can ketamine treat tinnitus" from a covered question: the
word "ketamine" makes both look close. Two signals catch such questions:
- a treatment the base does not cover (gabapentin, CBD, acupuncture...) named without any of ours;
- an uncovered topic word: a word that no snippet, lexicon entry or scope list knows (after
  stemming, allowing for typos) and that is rare in general English. Rarity comes from the
  embedding model's own WordPiece vocabulary: common English words are whole tokens in it, while
  rare topic words (tinnitus, naltrexone, breastfeed) are split into pieces.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.errors import KnowledgeError
from bot.knowledge.load import Knowledge, load_yaml_mapping
from bot.text import STOPWORDS, fold, tokenize, words

MIN_LENGTH = 4  # shorter lower-case words are too often abbreviations or noise to judge
# A capitalised word after the first word of a sentence (a name); an acronym of 3-5 capitals.
NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}\b|(?<=\bDr\. )[A-Z][a-z]+\b|(?<=\bDr )[A-Z][a-z]+\b")
ACRONYM = re.compile(r"\b[A-Z]{3,5}\b")
# "dr patel", "dr. smith": a doctor's name typed in lower case (the word after is checked as unknown).
DOCTOR = re.compile(r"\bdr\.? ([a-z]{3,})\b")


@dataclass(frozen=True)
class Scope:
    domain_terms: tuple[str, ...]  # words that show a question is about our topic at all
    other_treatments: tuple[str, ...]  # treatments the base does not cover
    covered_targets: tuple[str, ...] = ()  # what "ketamine for X" may name and still be covered
    uncovered_topics: tuple[str, ...] = ()  # questions about these get "no evidence" ("drug test")
    known_words: tuple[str, ...] = ()  # neither a topic nor a name we lack ("United States")


COMPARISON = re.compile(r"\b(compare[sd]?|comparison|versus|vs\.?|better|worse|as good as|instead of|rather than|"
                        r"alternative|(more|less) effective|superior|inferior|outperforms?|beats?)\b")
# "tried gabapentin and lyrica, nothing helps": a treatment already taken is history, not the question.
TRIED = re.compile(r"\b(tried|been on|was on|were on|i'?m on|am on|already on|already take|taking|took|taken|failed|"
                   r"stopped|came off|nothing|didn'?t (work|help)|did not (work|help))\b")
# The evidence is about adults: a question about treating a child gets "no evidence", not an adult's
# answer. A child who is only mentioned ("too drowsy to look after my kids", a baby in pregnancy) is not.
CHILD = (r"(child|children|kids?|toddlers?|infants?|teens?|teenagers?|adolescents?|minors?|juvenile|"
         r"(teenage|teen|young|little) (son|daughter|boy|girl|kid)s?|(1[0-7]|[1-9])[- ](year|yr)s?[- ]old)")
CHILDREN = re.compile(
    r"\bp(a)?ediatric\w*\b|"
    rf"\b(for|in|to|give|giving|gave|treat|treating|on|help|helps) (a |an |my |our |the |their |your |young )*{CHILD}\b|"
    r"\b(my|our|a|an) ((teenage|teen|young|little) (son|daughter|boy|girl|kid)s?|(1[0-7]|[1-9])[- ](year|yr)s?[- ]old)\b|"
    r"\bjuvenile\b|"
    rf"(?<!as a )\b{CHILD}( \w+)? (take|takes|taking|have|has|having|get|gets|getting|given|use|uses|using|dose|"
    r"dosage|safe)\b")
# A kind of doctor or field ("rheumatologist", "physiatrist", "physician"): who is asking, not what.
SPECIALIST = re.compile(r"(olog(ist|y)|iatrist|ician|pedist|apist)s?$")
SCOPE_KEYS = ("domain_terms", "other_treatments", "covered_targets", "uncovered_topics", "known_words")
OPTIONAL_SCOPE_KEYS = ("uncovered_topics", "known_words")
# "<one of our medicines> ... for|to treat <target>": what the question asks the medicine to do.
TARGET = re.compile(
    r"\b(ketamine|esketamine|spravato|memantine|dextromethorphan|dxm|amantadine|magnesium|infusions?|drips?)\b"
    r"[^.?!,]{0,25}?\b(?P<verb>for|to treat|treats?|treating|treatment of|helps?(?: with)?|cure|cures|"
    r"reduces?|relieves?|improves?|eases?)\s+"
    r"(?:my |the |a |an |your |his |her |their )?(?P<target>[a-z][a-z' -]{2,40})")
NOT_TARGETS = frozenset("me you him her them us it that this those these people patients adults kids children "
                        "everyone anyone someone most some many years months weeks days hours long how a while "
                        "which what whom whose both either all any each other others anything something everything "
                        "ketamine esketamine spravato memantine dextromethorphan dxm amantadine magnesium "
                        "good ever now sure real relieve reduce ease "
                        # durations and amounts: "works for a few hours", "for up to two weeks"
                        "few several couple one two three four five six seven eight nine ten up about around over "
                        "under only just at minutes hour day week month year short "
                        # "for life", "for medical reasons": how long or why, not a use
                        "life medical reasons reason".split())


def load_scope(knowledge_dir) -> Scope:
    path = Path(knowledge_dir) / "scope.yaml"
    data = load_yaml_mapping(path)
    for key in data:
        if key not in SCOPE_KEYS:
            raise KnowledgeError(path, key, f"unknown key (allowed: {', '.join(SCOPE_KEYS)})")
    for key in OPTIONAL_SCOPE_KEYS:
        data.setdefault(key, [])
    for key in SCOPE_KEYS:
        if not isinstance(data.get(key), list) or not all(isinstance(t, str) for t in data[key]):
            raise KnowledgeError(path, key, "must be a list of text items")
    return Scope(*(tuple(t.lower() for t in data[key]) for key in SCOPE_KEYS))


def _alternation(terms, plurals: bool = False) -> re.Pattern | None:
    terms = sorted(terms, key=len, reverse=True)
    ending = r"(?:s|es)?\b" if plurals else r"\b"
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")" + ending) if terms else None


class Coverage:
    def __init__(self, knowledge: Knowledge, scope: Scope, common_words: set[str] | None = None,
                 known_stems: Iterable[str] | None = None):
        """`known_stems`: the index's BM25 vocabulary, which saves stemming every snippet again."""
        texts = [s.search_text() for s in knowledge.snippets]
        texts += [f"{term} {' '.join(targets)}" for term, targets in knowledge.lexicon.expansions]
        # words the scope file names are known
        scoped = list(scope.domain_terms) + list(scope.covered_targets) + list(scope.known_words)
        texts += scoped
        self.surface = {w for text in texts for w in words(text)}
        if known_stems is None:
            self.stems = {t for text in texts for t in tokenize(text)}
        else:
            extra = [f"{term} {' '.join(targets)}" for term, targets in knowledge.lexicon.expansions]
            self.stems = set(known_stems) | {t for text in extra + scoped for t in tokenize(text)}
        self.surface_list = sorted(w for w in self.surface if len(w) >= MIN_LENGTH)
        by_length: dict[int, list[str]] = {}
        for known in self.surface_list:
            by_length.setdefault(len(known), []).append(known)
        self._by_length = {n: tuple(ws) for n, ws in by_length.items()}
        self._letters = {known: frozenset(known) for known in self.surface_list}
        self._unknown_cache: dict[str, bool] = {}  # word -> unknown? (the typo search is the slow part)
        self.common = common_words
        self.domain = _alternation(scope.domain_terms)
        self.uncovered = _alternation(scope.uncovered_topics)
        self.lay = _alternation([term for term, _ in knowledge.lexicon.expansions])
        self.expansions = knowledge.lexicon.expansions
        self.covered = set(scope.covered_targets) | {t for term in scope.covered_targets for t in tokenize(term)}
        self.other = _alternation(scope.other_treatments, plurals=True)
        self.ours = _alternation(["ketamine", "esketamine", "spravato", "ketalar", "memantine", "namenda",
                                  "dextromethorphan", "dxm", "amantadine", "magnesium"])

    def uncovered_target(self, text: str) -> str | None:
        """The X of "ketamine for X" when X is a use the base does not cover (OCD, tinnitus)."""
        match = TARGET.search(fold(text))
        if not match:
            return None
        target_words = re.split(r"\b(?:and|or|in|after|since|because|who|that|if|when)\b", match.group("target"))[0]
        target = words(target_words)[:6]
        helping = match.group("verb") != "for"  # "helps people with X" names X; "a risk for people with X" does not
        if helping and target and target[0] in ("people", "patients", "adults", "those", "someone", "anyone") and "with" in target:
            target = target[target.index("with") + 1:]  # "for people with tinnitus" -> "tinnitus"
        target = target[:4]
        if not target or target[0] in NOT_TARGETS:
            return None
        phrase = " ".join(target)
        meant = set(target) | {w for term, clinical in self.expansions if re.search(rf"\b{re.escape(term)}\b", phrase)
                               for c in clinical for w in words(c)}  # "fibro" means fibromyalgia
        return None if meant & self.covered else phrase

    def about_children(self, text: str) -> bool:
        return bool(CHILDREN.search(fold(text)))

    def mentions_domain(self, text: str) -> bool:
        """A domain word, or any lay term from the lexicon ("trip", "drip", "pee problems")."""
        folded = fold(text)
        return bool(self.domain and self.domain.search(folded)) or bool(self.lay and self.lay.search(folded))

    def uncovered_topic(self, text: str) -> str | None:
        """A topic the scope file lists as not covered ("how long it stays in your system")."""
        match = self.uncovered.search(fold(text)) if self.uncovered else None
        return match.group(1) if match else None

    def other_treatment(self, text: str) -> str | None:
        """A treatment we do not cover, named without any of ours."""
        folded = fold(text)
        match = self.other.search(folded) if self.other else None
        if match and not (self.ours and self.ours.search(folded)):
            return match.group(1)
        if not match:
            return None
        name = re.escape(match.group(1))
        tried = TRIED.search(folded[max(0, match.start() - 40):match.start()])
        if COMPARISON.search(folded) and not tried:
            return match.group(1)  # "is gabapentin better than ketamine": the base compares nothing with ours
        if re.search(rf"\b{name}\w* or\b|\bor {name}", folded) and not tried:
            return match.group(1)  # "ketamine or gabapentin for nerve pain?"
        return None

    def rare_terms(self, text: str) -> list[str]:
        """Rare words in the question that nothing in the knowledge base knows (tinnitus)."""
        if self.common is None:
            return []  # without a rarity signal every unusual word would look like a new topic
        found = [w for w in words(text) if len(w) >= MIN_LENGTH and w not in self.common and self._unknown(w)]
        found += [a.lower() for a in ACRONYM.findall(text) if re.search(r"[a-z]", text)
                  and a.lower() not in found and self._unknown(a.lower())]
        return found

    def unknown_names(self, text: str) -> list[str]:
        """Names the base does not know (a capitalised word inside a sentence, or the word after
        "dr" that is not an ordinary word): a named clinic, doctor, insurer or place is never covered."""
        if not re.search(r"[a-z]", text):
            return []  # in all capitals, capitals mean nothing
        found = []
        doctors = [w for w in DOCTOR.findall(text.lower()) if w not in (self.common or ())]
        for word in [m.group(0).lower() for m in NAME.finditer(text)] + doctors:
            if word not in found and self._unknown(word):
                found.append(word)
        return found

    def _unknown(self, word: str) -> bool:
        known = self._unknown_cache.get(word)
        if known is None:
            known = self._is_unknown(word)
            if len(self._unknown_cache) < UNKNOWN_CACHE:
                self._unknown_cache[word] = known
        return known

    def _is_unknown(self, word: str) -> bool:
        if "'" in word or word in STOPWORDS or word in self.surface or word.isdigit() or SPECIALIST.search(word):
            return False
        stems = tokenize(word)
        if not stems or stems[0] in self.stems:
            return False
        return not self._typo_of_known(word)

    def _typo_of_known(self, word: str) -> bool:
        """One slip (two in long words) away from a word we know: a letter added, lost, changed
        or two swapped ("pian", "fibromyalga")."""
        limit = 1 if len(word) < 8 else 2
        candidates = self._by_length.get(len(word), ()) + self._by_length.get(len(word) - 1, ()) + \
            self._by_length.get(len(word) + 1, ())
        letters = frozenset(word)
        # each slip adds or removes at most two distinct letters: a cheap test before the real distance
        if any(len(letters ^ self._letters[known]) <= 2 * limit and _slips(word, known, limit) <= limit
               for known in candidates):
            return True
        # difflib's ratio is at most 2*min(n, m)/(n + m), so words of other lengths can never reach the
        # cutoff: compare with the possible lengths only (same answer, a tenth of the work).
        n = len(word)
        near = [known for m in range(max(1, int(n * 0.7)), int(n / 0.7) + 2)
                if 2 * min(n, m) / (n + m) >= TYPO_CUTOFF for known in self._by_length.get(m, ())]
        return bool(difflib.get_close_matches(word, near, n=1, cutoff=TYPO_CUTOFF))


TYPO_CUTOFF = 0.85
UNKNOWN_CACHE = 50_000  # words remembered per process (a few MB at most)


def _slips(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (edits plus swaps of neighbours), stopping past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def wordpiece_vocabulary(tokenizer_file: Path) -> set[str] | None:
    """Whole-word entries of a WordPiece vocabulary: a list of common English words."""
    try:
        from tokenizers import Tokenizer

        vocab = Tokenizer.from_file(str(tokenizer_file)).get_vocab()
    except Exception:  # noqa: BLE001 - any failure just means "no rarity signal"
        return None
    return {w for w in vocab if w.isalpha() and not w.startswith("##")}
