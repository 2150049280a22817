"""Read what a clinician's sentence asserts: direction, strength, negation, quantity and scope.

Language analysis only (patterns over folded text); bot/check/checker.py compares the reading with the
evidence. Patterns are general (any drug, any condition), not tuned to single sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3

from bot.search.question import Focus
from bot.text import STOPWORDS, fold, normalize, words

MAX_CLAIMS = 20


def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern)


NEGATION = _rx(r"\b(not|no|never|none|neither|nor|cannot|without|lacks?|lacking|fails?|failed|"
               r"\w+n't)\b")
EVIDENCE_GAP = _rx(
    r"\b(no (clear|good|strong|high[- ]quality|convincing|reliable|solid|firm|consistent|definitive|real|"
    r"proper|robust) evidence|not (been )?(clearly |yet |convincingly |well )?(shown|proven|established|"
    r"demonstrated)|unproven|insufficient evidence|lack of (good |clear |strong |high[- ]quality )?evidence|"
    r"no (clear|significant|meaningful|convincing|reliable|proven|consistent)( \w+)? (benefit|effect|improvement|"
    r"difference|advantage|reduction)|did(n't| not) (clearly |significantly |reliably )?(beat|outperform|differ|"
    r"improve|reduce)|not (clearly|significantly|reliably) (better|different|effective)|"
    r"(evidence|research|data|studies)\b[^.;]{0,30}\b(is|remains|was|are|were) (still |too |very )?(weak|limited|"
    r"uncertain|unclear|low|very low|mixed|inconclusive|insufficient|thin|poor|small|sparse)|(uncertain|unclear) (whether|if|how)|(we|researchers|scientists|doctors) "
    r"(do not|don't|cannot|can't) (yet )?(know|say|tell)|not enough (good )?(evidence|research|studies|trials)|"
    r"(more|better|larger|bigger)[- \w]{0,15} (research|studies|trials|evidence) (are|is) (still )?needed|"
    r"evidence does(n't| not) (support|show)|(can ?not|can't) (show|tell|prove) (whether|if|that)|"
    r"(not|isn't|is not) (yet )?(known|clear) (whether|if)|(does|do|did)(n't| not) (clearly |convincingly |"
    r"consistently |reliably )?(show|prove|demonstrate|support)|investigational|experimental|"
    r"(evidence|data|proof)( of (a )?benefit)? (is|are|remains?) (still )?lacking|lacks? (good |strong |"
    r"high[- ]quality |reliable )?evidence)\b")
ABSOLUTE_GAP = _rx(r"\b(no evidence( at all| whatsoever)?|zero evidence|absolutely no evidence|never been "
                   r"(studied|tested|researched)|no (research|studies|trials|data) (at all|whatsoever|on|into|about|for)|"
                   r"(there (has|have) been|there (is|are)) no (research|studies|trials|data)|completely unproven|"
                   r"nothing to show|shows? nothing|showed nothing|nothing at all|not even a (small |short[- ]term )?"
                   r"(effect|benefit)|(nobody|no one|no-one) has (ever )?(studied|tested|looked|examined|researched)|"
                   r"not (a )?single (study|trial)|no (study|trial|one) has (ever )?(looked|examined|tested|studied)|"
                   r"no (studies|trials) have (ever )?(looked|examined|tested|studied))\b")
DEFINITIVE_NO = _rx(
    r"\b((does|do|did|will|would)(n't| not)|won't|cannot|can't|can not) (actually |really )?(work|help|relieve|"
    r"reduce|ease|improve|treat|benefit)\b|\b(ineffective|useless|worthless|pointless|a waste of (time|money)|"
    r"no (benefit|effect|use|value)|has no (effect|benefit|role|place)|(is|are) not (effective|helpful|"
    r"beneficial|useful)|fails? to (help|work|relieve|reduce)|does nothing|doesn't do anything|"
    r"(is|are) a placebo|placebo effect)\b")
BENEFIT = _rx(
    r"\b(works?|working|effective|efficacious|effectiveness|helps?|helpful|help(ed|ing)|relie(f|ves?|ved)|"
    r"reduc(es?|ed|ing|tions?)|eas(es?|ed|ing)|improv(es?|ed|ing|ement|ements)|benefi(t|ts|cial)|treats?|"
    r"treatment (for|of|option)|therapy for|cures?|cured|answer (to|for)|breakthrough|game[- ]?changer|"
    r"fix(es)?|resolv(es?|ed)|eliminat(es?|ed)|get rid of|pain[- ]free|respond(ed|s)?|responders?|"
    r"success(ful|fully)?|lasting relief|control(s|led)? (the )?pain|manag(es?|ed|ing) (the )?pain|"
    r"option for|better|recover(y|ed)?|turns? (their|your|patients') li(fe|ves) around|beat(s)? (the )?placebo|"
    r"better than (a )?(placebo|dummy)|outperform\w*|superior to|cut(s|ting)? (\w+ )?pain)\b")
HARM = _rx(
    r"\b(side[- ]effects?|adverse( events?| effects?| reactions?)?|harm(s|ful)?|damag(e|es|ed|ing)|toxic\w*|"
    r"injur(y|ies|e|es)|risks?|risky|dangerous|danger|addict\w*|dependen\w*|habit[- ]forming|hooked|"
    r"withdrawal|hallucinat\w*|dissociat\w*|psychotomimetic|psychedelic|nausea|"
    r"vomit\w*|dizz\w*|drows\w*|sedat\w*|blood pressure|heart rate|cystitis|urinary|bladder|kidneys?|"
    r"liver|hepat\w*|memory|abuse|misuse|overdos\w*|emergence|nightmares?|confusion|delirium|"
    r"paranoi\w*|psychosis|breathing|feeling strange|strange feelings?|feel(s)? strange|detached|"
    r"out of (body|it)|spaced out|trip-like|weird feelings?|wreck\w*)\b")
DENIED_HARM = _rx(r"\b((has|have|had|was|were|is|are)(n't| not| never)|never)( been)? (reported|seen|found|"
                  r"linked|documented|described|observed|shown)\b")
SAFETY = _rx(
    r"\b(?<!not )only\b[^.;]{0,40}"
    r"\b(recreational\w*|abus\w*|misus\w*|street|illicit|party|heavy use|addicts?)\b|"
    r"\b(?<!not )(limited|restricted|confined) to\b[^.;]{0,40}\b(recreational\w*|abus\w*|misus\w*|street|illicit|heavy)\b|"
    r"\b(recreational\w*|abus\w*|misus\w*|street)\b[^.;]{0,25}\b(rather than|and not|not|instead of)\b[^.;]{0,15}"
    r"\b(patients?|medical|clinical|prescribed|treatment)\b|"
    r"\b(safe|safer|safely|very safe|well[- ]tolerated|tolerated well|harmless|gentle|benign|"
    r"non[- ]?addictive|no (real |serious |significant )?risks?|risk[- ]free|no (serious |significant |real )?"
    r"side[- ]effects|free of side[- ]effects|without (any )?(serious )?side[- ]effects|no adverse|"
    r"nothing to worry about|no (need|reason) to worry)\b")
STRONG = _rx(
    r"\b(proven|proves?|definitely|definitive(ly)?|certainly|clearly|undoubtedly|always|guarantee[sd]?|"
    r"cures?|cured|miracle|breakthrough|game[- ]?changer|highly effective|very effective|extremely|"
    r"dramatic(ally)?|remarkabl[ey]|excellent|established|gold standard|reliabl[ey]|"
    r"will (\w+ )?(relieve|help|work|reduce|ease|eliminate|fix|cure|resolve|give|make|stop|end|improve|develop|"
    r"destroy|damage|cause|get|ruin|harm|need|feel|have|lose|suffer)|(can|should|will) expect|destroy\w*|"
    r"devastat\w*|ruin\w*|lasting|(large|big|huge|substantial|major|marked) (\w+ )?(reductions?|improvements?|"
    r"benefits?|relief|effects?|drops?|decreases?)|long[- ]term (reductions?|improvements?|benefits?|effects?)|"
    r"reset(s|ting)?|rewir(es?|ing)|reboot(s|ing)?|last(s|ing)? (for )?(years|months|a long time)|"
    r"inevitabl[ey]|invariabl[ey]|without exception|for life|"
    r"(years|months) of relief|"
    r"permanent(ly)?|long[- ]lasting|long[- ]term relief|for good|evidence[- ]based|strong evidence|robust|"
    r"well[- ]established|well[- ]documented|known to|first[- ]line|best treatment|most effective|"
    r"everyone|everybody|all patients|every patient|completely|totally|entirely|100%|"
    r"scientifically (shown|proven)|research (shows|proves)|studies (show|prove)|safe and effective)\b")
# Words that say how sure a statement is (not how big or how common): "is thought to", "may".
EPISTEMIC = _rx(r"\b(thought to|believed to|may|might|could|possibl[ey]|perhaps|uncertain|unclear|not clear|"
                r"probabl[ey]|likely|suggests?|appears? to|seems? to|not known|unknown)\b")
HEDGED = _rx(
    r"\b(may|might|could|can|possibl[ey]|perhaps|potentially|some|a few|a minority|limited|uncertain|"
    r"unclear|small|modest|short[- ]term|temporar(y|ily)|appears?|seems?|suggests?|preliminary|early|"
    r"low[- ]certainty|low[- ]quality|weak|mixed|in some|for some|not everyone|a subset|occasionally|"
    r"sometimes|likely|probably|in one study|one study|not clear|"
    r"in (one|a|the|this|that|our) (study|trial|review|analysis|survey)|"
    r"(a|one|the|this|that) (\d{4} )?(study|trial|review|analysis|survey|meta-analysis) "
    r"(found|showed|reported|suggested|saw))\b")
MINIMISERS = _rx(
    r"\b(rare|rarely|mild|mildly|minor|minimal|negligible|tiny|slight(ly)?|hardly (any|ever)|very few|"
    r"almost no|barely|trivial|no big deal|only a small|little (risk|effect|impact|chance)|low risk|"
    r"very low risk|uncommon|seldom|nothing serious|occasionally|now and then|in rare cases|a little|a bit of|"
    r"marginal(ly)?|only slightly|a touch|negligibly|(no|of no|without) clinical (significance|importance|relevance)|"
    r"not clinically (significant|important|meaningful|relevant)|clinically insignificant|insignificant|"
    r"(is|are|was|were) (very |only |quite |always )?small\b|"
    r"that'?s (about it|all)|nothing more|theoretical|hypothetical|overblown|exaggerated|nothing to worry|"
    r"brief|short[- ]lived|pass(es)? quickly|wears? off quickly|formality|technicality|"
    r"(the same|no more|no greater|no higher|similar) risk)\b")
# A certainty level the claim reports ("rated the evidence as high certainty").
CLAIMED_CERTAINTY = _rx(r"\b(high|moderate|low|very low)[- ](certainty|quality)\b")
# A sentence that warns against over-reading something ("is not the same as", "does not mean").
CAVEAT = _rx(r"\b((does|did)(n't| not) (necessarily )?mean|(is|are)(n't| not) (the same as|proof)|not proof)\b")
FREQUENCY = _rx(r"\b(generally|usually|mostly|typically|normally|often|tends? to|in general|for many)\b")
STUDY_REF = _rx(r"\b(cochrane|review|meta-analysis|study|trial|trials|guideline|cleveland clinic|cadth|fda|label|"
                r"researchers|authors)\b")
REPORTED = _rx(r"\b(reported|recorded|documented|noted|logged|found)\b")
QUANTITY_WORDS = (
    (_rx(r"\b(all|every|everyone|everybody|always)\b"), 1.0),
    (_rx(r"\b(nearly all|almost all|almost everyone|the vast majority|vast majority)\b"), 0.9),
    (_rx(r"\b(most|the majority|majority of|a majority|more often than not)\b"), 0.6),
    (_rx(r"\b(half|one in two)\b"), 0.5),
    (_rx(r"\b(a third|one in three|one third)\b"), 0.33),
    (_rx(r"\b(a quarter|one in four)\b"), 0.25),
    (_rx(r"\b(a minority|a few|some|one in five|a fifth)\b"), 0.2),
)
PERCENT = _rx(r"(\d{1,3}(?:\.\d+)?)\s*(%|percent|per cent)")
POINTS = _rx(r"(\d{1,2}(?:\.\d+)?) (?:points?|units?)\b")
APPROVAL = _rx(r"\b(approved|approval|licensed|licence|license|authori[sz]ed|cleared|indicated|on[- ]label|off[- ]label|"
               r"prescription[- ]only|controlled (substance|drug)|schedule (i|ii|iii|iv|v|1|2|3|4|5))\b")
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                "eight": "8", "nine": "9", "ten": "10", "twenty": "20", "hundred": "100", "a hundred": "100"}
OUT_OF = _rx(r"\b(\d+) (?:out of|in) (\d+)\b")
CLAUSE_BREAK = _rx(r"\s*(?:;|,? but |,? however,? |,? although |,? though |,? whereas )\s*")
SENTENCE_END = _rx(r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bProf\.)(?<!\bvs\.)(?<!\be\.g\.)"
                   r"(?<!\bi\.e\.)(?<=[.!?])\s+(?=[\"'(]?[A-Z0-9])|\n+|\s+[-*•]\s+")


@dataclass(frozen=True)
class Reading:
    text: str
    attributed: bool  # names a study, review or agency ("the Cochrane review found")
    direction: str  # benefit | no_benefit | worsens | evidence_gap | harm | safety | fact
    strength: str  # strong | plain | hedged
    absolute: bool  # "no evidence at all", "no side effects", "everyone"
    minimised: bool  # "rare", "mild", "minor"
    quantity: float | None  # the share of patients claimed, 0..1
    focus: Focus
    points: float | None = None  # an effect size claimed in points on a pain scale


def clean(text: str) -> str:
    """Plain text from pasted input: tags stripped, entities decoded, whitespace tidied."""
    stripped = nh3.clean(text, tags=set())
    stripped = stripped.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return normalize(stripped)


def split_claims(text: str) -> list[str]:
    """Sentences (and bullet items), each one claim to check."""
    parts = [p.strip(" -*•\t") for p in SENTENCE_END.split(clean(text))]
    return [p for p in parts if len(words(p)) >= 2]


def clauses(sentence: str) -> list[str]:
    """'X may help, but it can cause Y' -> two clauses checked on their own."""
    pieces = [p.strip(" ,.") for p in CLAUSE_BREAK.split(sentence)]
    return [p for p in pieces if len(words(p)) >= 2] or [sentence]


def read(text: str, focus: Focus) -> Reading:
    folded = fold(text)
    quantity = claimed_share(folded)
    absolute = bool(ABSOLUTE_GAP.search(folded)) or (quantity is not None and quantity >= 0.9)
    minimised = bool(MINIMISERS.search(folded))
    direction = _direction(folded)
    frequency = bool(FREQUENCY.search(folded))
    if direction == "safety" and (NEGATION.search(folded) or re.search(r"\b(non|free|only|limited|restricted|confined)\b", folded)):
        absolute = True  # denies the harm outright, or confines it to misuse
    if CAVEAT.search(folded) and direction == "safety":
        # "none were recorded, but that does not mean there is no risk" warns against the safety claim
        direction, absolute, minimised = "harm", False, False
        return Reading(text, bool(STUDY_REF.search(folded)), direction, "hedged", absolute, minimised, quantity, focus)
    strong = bool(STRONG.search(folded))
    # "usually" softens a claim that something is safe, but asserts a typical benefit.
    hedged = bool(HEDGED.search(folded)) or (frequency and direction in ("safety", "harm", "fact"))
    strength = "strong" if strong else "hedged" if hedged else "plain"
    if direction == "evidence_gap" and ABSOLUTE_GAP.search(folded):
        absolute = True
    points = POINTS.search(folded)
    return Reading(text, bool(STUDY_REF.search(folded)), direction, strength, absolute, minimised, quantity, focus,
                   float(points.group(1)) if points else None)


# "makes pain worse": no study here found that, so such a claim runs against all of them.
WORSENS = _rx(r"\b(makes?|made|making) (\w+ ){0,3}(pain|symptoms) (\w+ )?worse|\bworsen(s|ed|ing)? (\w+ )?pain\b|"
              r"\bincreases? (\w+ )?pain (scores|levels|intensity)\b")


# "has no effect on blood pressure": a denial of harm, not of benefit.
NO_HARM_EFFECT = _rx(r"\b(no|not any|without any|doesn'?t have any|does not have any) (\w+ )?(effect|impact|influence) "
                     r"on (the |your |a )?(blood pressure|heart|heart rate|breathing|liver|bladder|kidneys?|memory|mood|mind)\b")


def _direction(folded: str) -> str:
    if WORSENS.search(folded) and not NEGATION.search(folded):
        return "worsens"
    if NO_HARM_EFFECT.search(folded):
        return "safety"
    if APPROVAL.search(folded):
        return "fact"  # what a drug is approved or scheduled for is a regulatory fact, not an effect
    if HARM.search(folded) and DENIED_HARM.search(folded):
        return "safety"  # "liver injury has never been reported"
    if EVIDENCE_GAP.search(folded):
        return "evidence_gap"
    if ABSOLUTE_GAP.search(folded):
        return "evidence_gap"
    if DEFINITIVE_NO.search(folded):
        return "no_benefit"
    safe = SAFETY.search(folded)
    if safe:
        before = folded[max(0, safe.start() - 12):safe.start()]
        negated = NEGATION.search(before) and not re.search(r"\b(no|non|only|limited|restricted|confined)\b", safe.group(0))
        return "harm" if negated else "safety"
    harm = HARM.search(folded)
    if harm:
        before = folded[max(0, harm.start() - 40):harm.start()]
        return "safety" if NEGATION.search(before) else "harm"
    benefit = BENEFIT.search(folded)
    if benefit:
        before = folded[max(0, benefit.start() - 25):benefit.start()]
        return "no_benefit" if NEGATION.search(before) else "benefit"
    return "fact"


def also_benefit(folded: str) -> bool:
    """A safety claim that also asserts a benefit ("a safe option for nerve pain", "safe and effective")."""
    benefit = BENEFIT.search(folded)
    return bool(benefit) and not NEGATION.search(folded[max(0, benefit.start() - 25):benefit.start()])


def claimed_share(folded: str) -> float | None:
    """The share of patients a sentence claims (0..1), from percentages or words like 'most'."""
    folded = re.sub(r"\b(a hundred|one|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred)\b(?= (in|out of) )|"
                    r"(?<= in )(a hundred|one|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred)\b|"
                    r"(?<= out of )(a hundred|one|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred)\b",
                    lambda m: NUMBER_WORDS[m.group(0)], folded)
    match = PERCENT.search(folded)
    if match:
        return min(1.0, float(match.group(1)) / 100)
    match = OUT_OF.search(folded)
    if match and int(match.group(2)) > 0:
        return min(1.0, int(match.group(1)) / int(match.group(2)))
    for pattern, share in QUANTITY_WORDS:
        if pattern.search(folded):
            return share
    return None


# Function words of the languages clinicians are most likely to paste instead of English.
FOREIGN_FUNCTION_WORDS = frozenset("""
el la los las del al es son una uno por para con sin pero como que muy est sont une des les du au
avec sans mais pour dans sur qui der die das und ist nicht mit ein eine für auf ich sie wir
il lo gli della per non che sono em os uma não com mais mas é são ao
""".split())


def looks_english(text: str) -> bool:
    """False for text in another language or script (the checker reads English only)."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(1 for ch in letters if ch.isascii()) / len(letters) < 0.6:
        return False
    tokens = [t for t in re.findall(r"[^\W\d_]+", text.lower())]
    foreign = sum(1 for t in tokens if t in FOREIGN_FUNCTION_WORDS)
    english = sum(1 for t in tokens if t in STOPWORDS)
    return not (foreign >= 2 and foreign > english)
