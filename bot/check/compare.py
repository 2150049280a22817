"""Compare a claim's wording with the evidence's: shared words, negation, opposite words, the
shares of patients studies report, and what a named study found. Pure functions over text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.check import claims
from bot.search.retrieve import Hit
from bot.text import fold, tokenize

HARM_SUBJECTS = {  # words in a claim -> the outcome it is about
    "bladder": ("bladder", "urinary", "cystitis", "kidney", "kidneys", "pee", "urine"),
    "liver": ("liver", "hepatic", "hepatotoxic", "bile", "biliary"),
    "dependence": ("addictive", "addiction", "addicted", "dependence", "dependent", "hooked",
                   "habit", "withdrawal", "abuse", "misuse"),
    "mental-effects": ("hallucinations", "hallucinate", "dissociation", "dissociative", "psychotomimetic",
                       "psychedelic", "trip", "high", "strange", "paranoia", "delirium", "emergence"),
    "heart-blood-pressure": ("blood pressure", "heart rate", "heart"),
    "breathing": ("breathing", "respiratory"),
    "memory": ("memory",),
}


def closest_sentence(text: str, body: str) -> str:
    own = set(content(text))
    sentences = re.split(r"(?<=[.!?])\s+", body.strip())
    return max(sentences, key=lambda s: (len(own & set(content(s))), -sentences.index(s)))


DRUG_STEMS = {"ketamin", "esketamin", "memantin", "dextromethorphan", "amantadin", "magnesium", "spravato", "ketalar",
              "namenda"}


# Negations that hedge ("cannot show", "not clear") rather than deny.
HEDGING_NEGATION = re.compile(r"\b(can(no|')?t|could ?n'?o?t|not|no|unable to) (yet )?(be )?(show|tell|say|know|sure|clear|"
                              r"certain|prove|rule|judge|measure)\w*")


def restates(claim: str, sentence: str) -> bool:
    """The sentence says much of what the claim says: at least two and half of its content words."""
    own = set(content(claim)) - DRUG_STEMS
    shared = own & set(content(sentence))
    return len(shared) >= 2 and len(shared) >= len(own) / 2


def negates(text: str, stems: set[str]) -> bool:
    """Whether a negation in the text governs one of the shared words (within the next few words)."""
    folded = HEDGING_NEGATION.sub(" ", fold(text))
    for match in claims.NEGATION.finditer(folded):
        window = re.split(r"[,;:]", folded[match.end():], maxsplit=1)[0]
        if set(content(" ".join(window.split()[:5]))) & stems:
            return True
    return False


def content(text: str) -> list[str]:
    # "switching on the receptor" is activating it; "a switch on nerve cells" is a noun
    text = re.sub(r"(?<!\ba )\bswitch(es|ing|ed)? on\b", "activate", re.sub(r"n't\b", " not", text))
    text = re.sub(r"\bsubstances?\b", "drug", text, flags=re.IGNORECASE)  # "controlled substance" = "controlled drug"
    return [t for t in tokenize(text) if t not in ("not", "no")]


def harm_subject(folded: str) -> str | None:
    for outcome, terms in HARM_SUBJECTS.items():
        if any(re.search(rf"\b{re.escape(t)}\b", folded) for t in terms):
            return outcome
    return None


def shares(hits: list[Hit]) -> list[float]:
    """Shares of people (0..1) that the evidence snippets report, from their percentages."""
    return [float(p) / 100 for h in hits for p, _ in claims.PERCENT.findall(h.snippet.body)]


def judge_share(reading, shares: list[float], wide: float = 0.05) -> tuple[str, str] | None:
    """Compare a claimed share of patients with the range the studies report."""
    if reading.quantity is None or not shares or reading.absolute:
        return None
    low, high = min(shares), max(shares)
    if reading.quantity > high + wide:
        return "overstated", "overstated_quantity"
    if reading.quantity < low - wide:
        return "understated", "understated_gap"
    if reading.direction == "benefit" and not reading.attributed and reading.quantity > (low + high) / 2:
        return "overstated", "overstated_quantity"  # the best case of one study, stated as the rule
    return "consistent", "consistent"


# Opposite words: a claim that uses one where the evidence uses the other says the opposite.
ANTONYMS = (("activ", "block"), ("agonist", "antagonist"), ("stimul", "block"), ("increas", "decreas"),
            ("rais", "lower"), ("approv", "unapprov"))


# A study described as randomised or placebo-controlled when its snippet says it had no comparison.
CONTROLLED = re.compile(r"\b(randomi[sz]ed|placebo[- ]controlled|controlled trial|rct|compared (\w+ ){0,3}"
                        r"(with|to|against) (a )?(placebo|dummy|sham))\b")
UNCONTROLLED = re.compile(r"\b(no (comparison|control|placebo) group|without a (comparison|control|placebo)|"
                          r"not randomi[sz]ed|observational|did not compare|had no comparison)\b")


def design_clash(text: str, hits: list[Hit]) -> tuple[Hit, str] | None:
    """"The Cleveland Clinic study was randomised" when the closest snippets say it had no comparison."""
    folded = fold(text)
    if not CONTROLLED.search(folded) or claims.NEGATION.search(folded):
        return None
    for hit in hits[:2]:
        for sentence in re.split(r"(?<=[.!?])\s+", hit.snippet.body.strip()):
            if UNCONTROLLED.search(fold(sentence)):
                return hit, sentence
    return None


APPROVED = re.compile(r"\b(approved|licensed|authori[sz]ed)\b")
NOT_APPROVED = re.compile(r"\b(not|no|never|n't|has not|have not)\b[^.;]{0,30}\bapproved\b|\bunapproved\b")


def approval_clash(text: str, hits: list[Hit]) -> tuple[Hit, str] | None:
    """A claim that something is approved, when the evidence sentence closest to it says it is not
    ("compounded lozenges are FDA-approved"); the closest sentence decides, so "Ketalar is approved
    as an anesthetic" is not undone by another drug's "not approved as an anesthetic"."""
    folded = fold(text)
    if not APPROVED.search(folded) or NOT_APPROVED.search(folded):
        return None
    own = set(content(text))
    candidates = [(len(own & theirs), not NOT_APPROVED.search(fold(sentence)), hit, sentence)
                  for hit in hits[:3] for sentence, theirs in sentences(hit.snippet.body)
                  if "approv" in sentence.lower() and not other_drug(own, theirs)]
    if not candidates:
        return None
    claimed = approved_use(folded)
    for _, affirms, hit, sentence in candidates:  # "approved for depression, not for pain"; "only for depression"
        if affirms and claimed and denies_use(fold(sentence), claimed):
            return hit, sentence
    shared, affirms, hit, sentence = max(candidates, key=lambda c: (c[0], c[1]))
    return None if affirms or shared < 3 else (hit, sentence)


USE = re.compile(r"\b(?:approved|licensed|authori[sz]ed)\b[^.;]{0,30}?\b(?:for|as)\b(?P<use>[^.;,]{1,60})")
ONLY_USE = re.compile(r"\b(?:approved|licensed) (?:\w+ ){0,3}?only (?:for|as)\b(?P<use>[^.;,]{1,60})|"
                      r"\bonly (?:approved|licensed) (?:for|as)\b(?P<use2>[^.;,]{1,60})")
NOT_FOR = re.compile(r"\bnot (?:for|as)\b(?P<use>[^.;,]{1,40})")
GENERIC_USE = {"treatment", "treat", "use", "us", "fda", "adult", "patient", "peopl", "condit"}


def approved_use(folded: str) -> set[str]:
    """What a sentence says a medicine is approved for, as word stems ("chronic pain" -> chronic, pain)."""
    match = USE.search(folded)
    return set(content(match.group("use"))) - GENERIC_USE - DRUG_STEMS if match else set()


def denies_use(folded: str, claimed: set[str]) -> bool:
    """The evidence sentence rules the claimed use out: "not for pain", or "only for depression"."""
    for match in NOT_FOR.finditer(folded):
        if set(content(match.group("use"))) & claimed:
            return True
    only = ONLY_USE.search(folded)
    if only:
        allowed = set(content(only.group("use") or only.group("use2"))) - GENERIC_USE
        return bool(allowed) and not allowed & claimed
    return False


# Approval denied outright ("not approved for any condition"), not for one use ("for any kind of pain").
NEVER_APPROVED = re.compile(r"\bnot (\w+ ){0,2}approved (for|in) (any (condition|use|indication|disease|illness|"
                            r"purpose|reason)s?|anything)\b|\bnever (been )?approved( for anything)?[.!]?$|"
                            r"\bno approved uses?\b|\bnot approved anywhere\b")


def denial_clash(text: str, hits: list[Hit]) -> tuple[Hit, str] | None:
    """"X is not approved for anything" when an evidence sentence says X is approved for something."""
    if not NEVER_APPROVED.search(fold(text)):
        return None
    drugs = set(content(text)) & DRUG_STEMS
    for hit in hits[:3]:
        for sentence, theirs in sentences(hit.snippet.body):
            folded = fold(sentence)
            if drugs & theirs and APPROVED.search(folded) and not NOT_APPROVED.search(folded):
                return hit, sentence
    return None


PRONOUN_LEAD = re.compile(r"^(it|its|it's|they|their|this|that|these|the drug|the medicine|the spray)\b", re.IGNORECASE)


@lru_cache(maxsize=4096)
def sentences(body: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """A snippet's sentences with their word stems; a sentence that starts with "It" or "Its" also
    carries the medicine named in the sentence before it ("Its label says it is not approved...")."""
    out, carried = [], frozenset()
    for sentence in re.split(r"(?<=[.!?])\s+", body.strip()):
        stems = frozenset(content(sentence))
        if stems & DRUG_STEMS:
            carried = stems & DRUG_STEMS
        elif PRONOUN_LEAD.match(sentence):
            stems = stems | carried
        out.append((sentence, stems))
    return tuple(out)


def other_drug(claim_stems: set[str], sentence_stems: set[str]) -> bool:
    """The sentence is about another medicine than the claim ("ketamine nasal spray" for a claim about
    Spravato): it can neither confirm nor contradict it."""
    claimed, named = claim_stems & DRUG_STEMS, sentence_stems & DRUG_STEMS
    return bool(claimed and named and not claimed & named)


def clash(text: str, hits: list[Hit], negation: bool) -> tuple[Hit, str] | None:
    """An evidence sentence that shares the claim's words but uses their opposite, or (for plain
    statements of fact; effect claims are weighed by certainty instead) negates them."""
    found = design_clash(text, hits) or approval_clash(text, hits) or denial_clash(text, hits)
    if found is not None:
        return found
    stems = set(content(text))
    own = stems - DRUG_STEMS
    for rank, hit in enumerate(hits):
        for sentence, theirs in sentences(hit.snippet.body):
            if other_drug(stems, theirs):
                continue
            shared = own & theirs
            if len(shared) < 2 and len(shared) < len(own):
                continue
            # Negations only count in the two closest snippets, where most of the claim's words recur.
            if negation and rank < 2 and len(shared) >= 0.6 * len(own) and \
                    negates(text, shared) != negates(sentence, shared):
                return hit, sentence
            for a, b in ANTONYMS:  # one side uses a word, the other only its opposite
                if (has(own, a) and not has(own, b) and has(theirs, b) and not has(theirs, a)) or \
                   (has(own, b) and not has(own, a) and has(theirs, a) and not has(theirs, b)):
                    return hit, sentence
    return None


NAMED_STUDIES = ("cochrane", "cleveland clinic", "pereira", "asra", "cadth", "orhurhu", "kurian", "park", "pickering")


# "the 2022 meta-analysis", "a 2019 review": a study named by its year.
DATED_STUDY = re.compile(r"\b((?:19|20)\d\d)\b[^.;]{0,25}\b(review|meta-analysis|study|trial|guideline)|"
                         r"\b(review|meta-analysis|study|trial|guideline)\b[^.;]{0,15}\b((?:19|20)\d\d)\b")


def named_snippets(text: str, hits: list[Hit]) -> list[Hit]:
    """The hits about a study the claim names, by name ("Cochrane") or by year ("the 2022 review")."""
    folded = fold(text)
    names = [n for n in NAMED_STUDIES if re.search(rf"\b{n}\b", folded)]
    names += [m.group(1) or m.group(4) for m in DATED_STUDY.finditer(folded)]
    return [h for h in hits if any(n in fold(h.snippet.title) or n in h.snippet.id for n in names)]


def named_stance(text: str, hits: list[Hit]) -> str | None:
    """When the claim names a study, what that study's snippets found: 'benefit' or 'no_clear'."""
    own = named_snippets(text, hits)
    if not own:
        return None
    return "benefit" if any(h.snippet.finding == "benefit" for h in own) else "no_clear"


NONE_RECORDED = re.compile(r"\b(reported|recorded|found|logged) no (adverse events|side effects|harms?|serious)|"
                           r"\bno (adverse events|side effects|harms?) (were )?(reported|recorded|logged)\b")


def named_none_recorded(text: str, hits: list[Hit]) -> tuple[Hit, str] | None:
    """When the claim names a study whose snippet says it recorded no adverse events: the sentence
    that says so (a claim that this study recorded many harms misreports it)."""
    for hit in named_snippets(text, hits):
        for sentence in re.split(r"(?<=[.!?])\s+", hit.snippet.body.strip()):
            if NONE_RECORDED.search(fold(sentence)):
                return hit, sentence
    return None


def has(stems: set[str], prefix: str) -> bool:
    return any(s.startswith(prefix) for s in stems)

