"""Does the evidence base cover what a question is about?

Dense similarity alone cannot tell "can ketamine treat tinnitus" from a covered question: the
word "ketamine" makes both look close. Signals that catch such questions (the lists are in
knowledge/scope.yaml; the medicine names in knowledge/vocabulary.yaml):
- a treatment the base does not cover (gabapentin, CBD, acupuncture...) named without any of ours;
- "ketamine for X" where X is a use the base does not cover; a question about treating a child;
  a topic listed as not covered ("drug test"); a name the base does not know;
- a rare word nothing in the knowledge base knows (the parsed question's `rare` words).
"""

from __future__ import annotations

import re

from bot.knowledge.load import Knowledge
from bot.search.known_words import KnownWords
from bot.search.question import Question
from bot.text import fold, tokenize, words

# A capitalised word after the first word of a sentence (a name).
NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}\b")
# The capitalised word after "Dr" or "Dr.": a name in any casing style, Title Case included.
DOCTOR_NAME = re.compile(r"(?<=\bDr\. )[A-Z][a-z]+\b|(?<=\bDr )[A-Z][a-z]+\b")
# "dr patel", "dr. smith": a doctor's name typed in lower case (the word after is checked as unknown).
DOCTOR = re.compile(r"\bdr\.? ([a-z]{3,})\b")
# A thing referred to without being named ("what does it actually do?", "is this stuff safe"): in a
# question read as being about our subject, as good as a word of it.
UNNAMED_REFERENCE = re.compile(r"\b(it|they|them|this stuff|the stuff|the drug|the medicine|the treatment)\b")

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
# "<one of our medicines or a drip> ... for|to treat <target>": what the question asks the medicine to do.
TARGET = (r"\b({medicines})\b"
          r"[^.?!,]{{0,25}}?\b(?P<verb>for|to treat|treats?|treating|treatment of|helps?(?: with)?|cure|cures|"
          r"reduces?|relieves?|improves?|eases?)\s+"
          r"(?:my |the |a |an |your |his |her |their )?(?P<target>[a-z][a-z' -]{{2,40}})")
NOT_TARGETS = frozenset("me you him her them us it that this those these people patients adults kids children "
                        "everyone anyone someone most some many years months weeks days hours long how a while "
                        "which what whom whose both either all any each other others anything something everything "
                        "good ever now sure real relieve reduce ease "
                        # durations and amounts: "works for a few hours", "for up to two weeks"
                        "few several couple one two three four five six seven eight nine ten up about around over "
                        "under only just at minutes hour day week month year short "
                        # "for life", "for medical reasons": how long or why, not a use
                        "life medical reasons reason".split())


def capitals_mean_nothing(text: str) -> bool:
    """A Title Case heading ("Can Ketamine Use Cause Bladder Issues?"): a capital then marks no name."""
    words_ = re.findall(r"[A-Za-z][A-Za-z'’-]*", text)[1:]
    return len(words_) >= 3 and sum(w[0].isupper() for w in words_) >= 0.6 * len(words_)


def _alternation(terms, plurals: bool = False) -> re.Pattern | None:
    terms = sorted(terms, key=len, reverse=True)
    ending = r"(?:s|es)?\b" if plurals else r"\b"
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")" + ending) if terms else None


class Coverage:
    def __init__(self, knowledge: Knowledge, known: KnownWords):
        scope, vocabulary = knowledge.scope, knowledge.vocabulary
        self.known = known
        self.domain = _alternation(scope.domain_terms)
        self.uncovered = _alternation(scope.uncovered_topics)
        self.lay = _alternation([term for term, _ in knowledge.lexicon.expansions])
        self.expansions = knowledge.lexicon.expansions
        self.covered = set(scope.covered_targets) | {t for term in scope.covered_targets for t in tokenize(term)}
        self.other = _alternation(scope.other_treatments, plurals=True)
        self.ours = _alternation(vocabulary.drug_names)
        medicines = [*vocabulary.drug_names, *(n for f in vocabulary.routes if f.id == "iv" for n in f.names)]
        self.target = re.compile(TARGET.format(medicines="|".join(re.escape(n) for n in medicines)))
        self.not_targets = NOT_TARGETS | set(vocabulary.drug_names)

    def uncovered_target(self, question: Question) -> str | None:
        """The X of "ketamine for X" when X is a use the base does not cover (OCD, tinnitus)."""
        match = self.target.search(question.folded)
        if not match:
            return None
        target_words = re.split(r"\b(?:and|or|in|after|since|because|who|that|if|when)\b", match.group("target"))[0]
        target = words(target_words)[:6]
        helping = match.group("verb") != "for"  # "helps people with X" names X; "a risk for people with X" does not
        if helping and target and target[0] in ("people", "patients", "adults", "those", "someone", "anyone") and "with" in target:
            target = target[target.index("with") + 1:]  # "for people with tinnitus" -> "tinnitus"
        target = target[:4]
        if not target or target[0] in self.not_targets:
            return None
        phrase = " ".join(target)
        meant = set(target) | {w for term, clinical in self.expansions if re.search(rf"\b{re.escape(term)}\b", phrase)
                               for c in clinical for w in words(c)}  # "fibro" means fibromyalgia
        return None if meant & self.covered else phrase

    def about_children(self, question: Question) -> bool:
        return bool(CHILDREN.search(question.folded))

    def mentions_domain(self, text: str) -> bool:
        """A domain word, or any lay term from the lexicon ("trip", "drip", "pee problems")."""
        folded = fold(text)
        return bool(self.domain and self.domain.search(folded)) or bool(self.lay and self.lay.search(folded))

    @staticmethod
    def refers_without_naming(question: Question) -> bool:
        """The question points at something it does not name ("what does it actually do?")."""
        return bool(UNNAMED_REFERENCE.search(question.folded))

    def uncovered_topic(self, question: Question) -> str | None:
        """A topic the scope file lists as not covered ("how long it stays in your system")."""
        match = self.uncovered.search(question.folded) if self.uncovered else None
        return match.group(1) if match else None

    def other_treatment(self, question: Question) -> str | None:
        """A treatment we do not cover, named without any of ours."""
        folded = question.folded
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

    def unknown_names(self, question: Question) -> list[str]:
        """Names the base does not know (a capitalised word inside a sentence, or the word after
        "dr" that is not an ordinary word): a named clinic, doctor, insurer or place is never covered."""
        text = question.text
        if not re.search(r"[a-z]", text):
            return []  # in all capitals, capitals mean nothing
        doctors = [w for w in DOCTOR.findall(question.folded) if w not in (self.known.common or ())]
        names = [m.group(0).lower() for m in DOCTOR_NAME.finditer(text)]
        if not capitals_mean_nothing(text):
            names += [m.group(0).lower() for m in NAME.finditer(text)]
        found = []
        for word in names + doctors:
            if word not in found and self.known.unknown(word):
                found.append(word)
        return found
