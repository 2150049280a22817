"""Hand-written expressions for safety triage, over folded (lower-case, accent-free) text.

Written for meaning, not for single sentences: each line names a way people say a thing
("I won't be around much longer", "nobody would notice if I was gone"). Apostrophes are optional
because people type "cant", "wont", "im". Crisis and emergency are tuned for recall: a false alarm
costs a moment; a missed one can cost a life.
"""

from __future__ import annotations

import re

NT = r"(?:n'?t|not)"  # can't / cant / can not
PERSON = (r"(?:i|i'?m|i'?ve|i'?d|me|my|we|he|she|they|someone|somebody|friend|husband|wife|partner|son|"
          r"daughter|child|kid|baby|toddler|mum|mom|dad|mother|father|brother|sister|boyfriend|girlfriend|"
          r"patient|grandma|grandpa|roommate)")
FIRST_PERSON = re.compile(r"\b(i|i'?m|i'?ve|i'?d|me|my|myself|mine)\b")
PAST = re.compile(r"\b(last (year|month|week)|years ago|months ago|history of|in the past|used to|when i was|"
                  r"as a child)\b")
# ...unless the symptom is going on now: "chest tight since my infusion this morning, is that normal?"
ONGOING = re.compile(r"\b(since|right now|at the moment|currently|this (morning|afternoon|evening)|tonight|"
                     r"just now|for the last (hour|few hours|\d+ (minutes|hours)))\b")
# "is that normal?", "what happens if..." ask about a harm; they do not report one happening now.
# {medicines}: the names of our medicines (knowledge/vocabulary.yaml).
INFORMATIONAL = (r"\b(is (that|this|it) normal|what happens (if|when)|"
                 r"(can|does|do|could) (it|this|{medicines}) (ever )?(cause|make|give)|"
                 r"is it (common|dangerous|possible)|how (common|likely|often)|what happened|"
                 r"(read|heard|saw) (a|an|about|that|on|in)|a (story|news|report|article) about)\b")


def informational(medicines) -> re.Pattern:
    return re.compile(INFORMATIONAL.format(medicines="|".join(re.escape(m) for m in medicines) or r"(?!x)x"))


MEDS = r"(?:pills?|tablets?|meds|medications?|medicines?|oxy\w*|opioids?|painkillers?|lozenges?|troches?|ketamine)"
CARERS = r"(?:them|everyone|everybody|my family|my kids|my children|my husband|my wife|my partner|him|her|people)"

CRISIS = (
    # "myself" only: "the pain is killing me" is how people describe pain, not a plan
    r"\b(kill|killing|hurt|hurting|harm|harming|cut|cutting|burn|burning)\s+my ?self\b",
    r"\b(end|ending|take|taking|finish)\s+(my|my own)\s+life\b",
    r"\b(want|wanna|wish|going|ready|rather|like|need)\s+(to\s+)?(just\s+)?(die|be dead|not exist|disappear forever|not be here)\b",
    r"\bbetter off (dead|without me|if i (was|were) (gone|dead))\b",
    r"\b(no|not any|isn'?t any|don'?t see any|nothing to)\s*(reason|point|will)\s+(to|in|for)\s+(live|living|go on|going on|being alive|keep going|carry on)\b",
    rf"\b(do|dont|don|does){NT}?\s*want\s+to\s+(live|be alive|be here|exist|wake up|go on)\b",
    rf"\bca{NT}\s+(go on|take (\w+\s+){{1,3}}any ?more|do this any ?more|keep living|keep going|cope any ?more|face (another|tomorrow))\b",
    r"\bnot worth (living|it any ?more|being alive|going on)\b",
    r"\b(i|i'?m|i am|i'?ve|i have|feel|feeling|been|my)\b[^.?!]{0,25}\bsuicid",
    r"\bsuicid\w*\s+(thoughts|feelings|plan)\b[^.?!]{0,20}\b(i|i'?m|i'?ve|my|me)\b",
    r"\b(self[- ]?harm\w*|overdose on purpose|end it all|no way out|hopeless|no future)\b",
    r"\b(never|not)\s+wake\s+up\b",
    rf"\b(stockpil\w*|sav(e|ed|ing) up|hoard\w*|collect(ed|ing)|stash\w*)\b[^.?!]{{0,30}}\b{MEDS}\b",
    r"\b(nobody|no one|noone|no-one)\b[^.?!]{0,20}\b(would|will|'d)\b[^.?!]{0,15}\b(notice|miss|care)\b",
    r"\bif i (was|were|wasn'?t|weren'?t|am not|was not|were not|wasnt) (gone|around|here|alive|dead|in the picture)\b",
    rf"\b(easier|better) for {CARERS}\b[^.?!]{{0,30}}\b(gone|around|dead|here|alive)\b",
    r"\b(going to|gonna|want to|will|i'?ll|ready to|plan to|thinking (of|about))\s+(just\s+)?(end it|end it all|end things|end everything|kill\w*|die)\b",
    r"\b(driv\w*|crash\w*|steer\w*)\b[^.?!]{0,20}\binto (a |the |oncoming )?(wall|tree|traffic|river|truck|bridge|lake)\b",
    r"\bjump(ing|ed)? (off|from|in front of)\b|\bin front of (a |the )?(train|bus|truck|lorry)\b",
    r"\b(goodbye|farewell) (letters?|notes?|messages?)\b|\bsuicide note\b|\b(letters?|notes?) to my (kids|children|family|wife|husband|son|daughter|partner)\b",
    rf"\b(do|dont){NT}? (plan|expect|intend) (on|to) (be|being|stay\w*) (here|around|alive)\b",
    r"\bnot (be|being) (here|around|alive) (much )?(longer|any ?more|for long|next (week|month|year))\b",
    # a deed done to one's own body; "the burning in my legs" describes pain
    r"\b(burn(ed|t|ing)?|cut(ting)?|scratch(ed|ing)?|punch(ed|ing)?|stab(bed|bing)?|bang(ed|ing)?)\s+(into |at )?"
    r"my (arms?|legs?|wrists?|skin|thighs?|body|head)\b",
    r"\bto feel something\b",
    r"\b(done|tired of|sick of|exhausted from) (fighting|living|trying|being alive|existing)\b",
    r"\bwant (it|everything|this|it all|the pain|all of it|life) to (stop|end)\b[^.?!]{0,15}\b(for good|forever|permanently)\b",
    r"\bwant (everything|it all|life) to (stop|end)\b",
    r"\bgive up on (life|living|everything)\b|\bgiving up on (life|living)\b",
    rf"\b(do{NT}|dont|ca{NT}|cannot|no longer) (really |even |honestly )?see (the |any )?(point|reason|purpose)\b",
    r"\b(make|let|have) (it all|everything|all of it|it all just) (stop|end)\b|\bhow to make it (all )?stop\b",
    r"\b(be|are|would be|will be|'d be) (just )?(fine|ok|okay|happier|better|better off) without me\b",
    r"\b(i'?m|i am|feel like|feeling like) (just |such |only )?a burden\b|\bburden (to|on) (my|everyone|them|everybody)\b",
    r"\b(no|any|the) (point|reason|purpose) (in|of|to|for) (carrying on|going on|living|continuing|being here|life)\b",
    r"\b(giv(e|en|ing)|gave) away (my|all my|most of my) (things|stuff|belongings|possessions|pets?)\b",
    r"\b(giv(e|en|ing|ing out)|gave) (my|all my|most of my) (things|stuff|belongings|possessions|pets?) away\b",
    r"\b(looked up|googled|searched( up)?|researched|worked out|figured out|counted|counting)\b[^.?!]{0,10}\bhow (many|much)\b"
    r"[^.?!]{0,50}\b(it would take|would it take|it'?d take|to (die|end it|overdose|not wake up))\b",
    # "another year like this" gives up on the future; "another day of this pain" is how pain is told
    rf"\bca{NT} (do|take|face|survive|go through|live through|bear) (another|one more) (day|week|month|year|night|"
    r"winter|christmas)( like this| of this(?! pain))\b",
    r"\b(said|saying|say) (my |our |all my )?goodbyes?\b",
    r"\bi'?m (so )?(done|finished)( with (life|living|everything|it all|this life))?\s*([.!]|$)",
    r"\b(this is|saying|say) (my |a |our )?(last )?(goodbye|farewell)\b",
    r"\btell (my |our )?(\w+ ){0,2}(that )?i (love|loved) (her|him|them|you)\b",
    r"\b(won'?t|will not) (be )?(here|around) (much longer|for much longer|for long|any ?more|to see)\b",
)

# A tight or pounding chest just after a dose (an ordinary question about palpitations is not this).
TIGHT_CHEST = r"(chest|heart)\b[^.?!]{0,10}\b(is |feels? |getting |so )?(tight|tightening|crushing|pounding)"
TOOK = r"(took|taken|used|after taking|too close together|too much|too many|double dose)"
# Chest pain, or a racing or pounding heart, said together with "right after" or "what do I do".
CHEST = r"(chest (pain|pains|tightness|pressure|hurts|is tight|feels tight)|heart (is |keeps )?(racing|pounding))"

EMERGENCY = (
    rf"\b{PERSON}\b[^.?!]{{0,40}}\b(took|taken|swallowed|had|drank|used|did|snorted)\b[^.?!]{{0,25}}\b((way )?too (much|many)|double|overdos\w*|whole (bottle|pack|box|packet))\b",
    r"\b(did|took|taken|drank|swallowed|snorted)\b[^.?!]{0,10}\b(way )?too (much|many)\b",
    rf"\b{PERSON}\b[^.?!]{{0,40}}\boverdos(ed|ing)\b",
    rf"\b{PERSON}\b[^.?!]{{0,40}}\b(chest pain|chest hurts|crushing chest|heart attack|stroke)\b",
    r"\bchest (pain|pains|tightness|pressure|hurts)\b[^.?!]{0,40}\b(right now|now|arm|jaw|numb|sweat\w*|spreading|can'?t breathe)\b",
    r"\b(having|got|have|i'?ve got|i have) (a )?(crushing |bad |severe |sudden )?chest pain\b",
    rf"\b(ca{NT}|cannot|struggling to|hard to|trouble|unable to)\s+(breathe|breathing|breath|breth\w*|brea?the?|"
    r"catch (my|his|her|their) breath)\b",
    rf"\b(not|stopped|is{NT}|are{NT}|was{NT}|barely|hardly|struggling)\s+breathing\b",
    rf"\b{PERSON}\b[^.?!]{{0,40}}\b(seizure|seizing|fitting|convuls\w*)\b",
    r"\b(having|is having|is in) a (seizure|fit)\b",
    r"\b(shaking|jerking|twitching|convuls\w*)\b[^.?!]{0,30}\b(floor|ground|won'?t|not respond\w*|uncontrollabl\w*)\b",
    r"\b(unresponsive|unconscious|collapsed|passed out|turning blue)\b|\blips\b[^.?!]{0,20}\bblu(e|ish)\w*",
    # swelling of the lips, tongue or throat: a severe allergic reaction
    r"\b(lips?|tongue|throat|face|mouth)\b[^.?!]{0,25}\b(swell\w*|swollen|closing up)\b|"
    r"\b(swell\w*|swollen)\b[^.?!]{0,15}\b(lips?|tongue|throat)\b",
    # sudden confusion or seeing things, or with a fever: delirium or a drug reaction
    r"\b(suddenly|all of a sudden|out of nowhere)\b[^.?!]{0,40}\b(confused|seeing things|hallucinat\w*|not making sense)\b|"
    r"\b(confused|seeing things|hallucinat\w*)\b[^.?!]{0,60}\b(fever|burning up|high temperature|rigid|stiff)\b",
    r"\b(trying to|tried to|about to|wants to) (climb|jump|get) out (of )?(the |a |his |her |my )?window\b",
    rf"\b{PERSON}\b[^.?!]{{0,40}}\b(seeing things|hallucinat\w*|agitated|violent|aggressive|out of control|not making sense)\b"
    r"[^?!]{0,60}\b(what (do|should|can) (i|we) do|help( me| us)?|right now|call)\b",
    rf"\b(ca{NT}|cannot|wo{NT}|will not|unable to)\s+(wake|rouse)\b|\bnot waking( up)?\b",
    rf"\b(wo{NT}|will not|is{NT}|does{NT}|not)\s+respond(ing)?\b",
    r"\b(call|need|get) (an )?ambulance\b|\bemergency right now\b",
    r"\b(blood pressure|bp)\b[^.?!]{0,40}\b(1[89]\d|2\d\d)\s*(/|over)\s*\d{2,3}\b",
    r"\b(toddler|child|kid|baby|grandchild|grandson|granddaughter|little one|dog|puppy)\b[^.?!]{0,40}\b(got into|drank|swallowed|ate|chewed|took)\b",
    r"\b(accidentally|by mistake|by accident|mistakenly)\b[^.?!]{0,40}\b(took|taken|had|swallowed|double\w*|extra|twice)\b",
    r"\btook\b[^.?!]{0,40}\b(at once|all at once|in one go|too close together)\b",
    rf"\b{TIGHT_CHEST}\b[^?]{{0,60}}\b(now|right now|since|after (my|the|a|his|her|taking|using)|{TOOK})\b|"
    rf"\b{TOOK}\b[^?]{{0,80}}\b{TIGHT_CHEST}\b",
    rf"\b{CHEST}\b[^?]{{0,80}}\b(right after|just after|just had|right now|what (do|should|can) (i|we) do)\b",
)

ILLICIT = (
    r"\b(buy|buying|purchase|purchasing|order|ordering|score|scoring|get hold of|cop|source)\b[^.?!]{0,30}\b(ketamine|ket|special k|vitamin k|dxm|k)\b(?![^.?!]*\b(insurance|covered|cost|price|prescri\w*)\b)",
    r"\b(want|wanna|trying|try|how|best way|ways?|so i can|in order) (to )?(get|getting)\s+(high|stoned|wasted|messed up|buzzed|fucked up|twisted)\b",
    r"\b(how (much|many)|best way|want|wanna|trying|try|first time|dose|bumps?)\b[^.?!]{0,25}\bk[- ]?hol(e|ing)\b",
    r"\bk[- ]?hol(e|ing)\b[^.?!]{0,25}\b(how (much|many)|first time|bumps?|grams?)\b",
    r"\b(for fun|recreational\w*|at a party|at parties|party drug use|rave|festival)\b",
    r"\bwithout (a |any )?(prescription|script|doctor|rx)\b|\bno (rx|prescription|script)( needed| required)?\b",
    r"\b(ketamine|ket|k) (powder|crystals?)\b|\b(websites?|online|dark ?web)\b[^.?!]{0,30}\b(ship|sell|deliver)\w*\b",
    r"\b(make|making|cook|cooking|brew|extract|diy)\b[^.?!]{0,40}\b(ketamine|ket|dxm|spray|troches?|lozenges?)\b"
    r"[^.?!]{0,40}\b(at home|from powder|powder|myself|diy|kitchen)\b",
    r"\b(dealer|dark ?web|street ketamine)\b",
    r"\b(sell|selling|sold|share|sharing|give|giving|pass on)\b[^.?!]{0,10}\b(my|some of my|some|a few of my|a few)\b "
    r"(prescribed |prescription |spare |leftover )?(ketamine|lozenges?|troches?|nasal spray|dxm|memantine|amantadine|"
    r"meds|pills|tablets)\b[^.?!]{0,30}\b(to|with) (a |my |some )?(friends?|mates?|neighbou?rs?|someone else|"
    r"family members?|others|other people)\b",
    r"\b(how much|how many|best way|want|wanna|trying|try)\b[^.?!]{0,40}\b(to )?(trip|tripping)\b",
    r"\brobo[- ]?trip\w*\b",
    r"\b(how many|how much)\b[^.?!]{0,10}\b(bumps|lines|rails)\b|\b(bumps|lines|rails) of (k|ket|ketamine)\b",
    r"\bsnort\w*\b",
    r"\bfor (a |the )?(better |bigger |stronger |good |nice )?(buzz|high|rush|trip)\b(?! (blood|cholesterol|pressure|sugar|fever|temperature|doses?|risk))",
    r"\b(mix|mixing|combine|combining|take|taking)\b[^.?!]{0,40}\b(alcohol|booze|drinks?|mdma|molly|cocaine|coke)\b[^.?!]{0,40}\b(high|buzz|stronger|better|intense|feel more|effect)\b",
    r"\b(alcohol|booze|vodka|beer|wine|drinking|liquor|whiske?y|rum|gin|tequila)\b[^.?!]{0,40}\b(hit harder|hits harder|stronger high|better high|more intense|buzz|kick in harder)\b",
)

ADVICE_VERBS = (r"(stop|start|quit|take|increase|decrease|reduce|raise|lower|double|skip|miss|combine|switch|come off|"
                r"get off|cut down|drive|drink|go ahead|continue|keep|try|mix|have (my|another|the next|more|an?)|"
                r"get (my|another|the next|more|an?))")
# "What should I ask / expect / watch for / check for" asks for information, not a decision.
INFO_VERBS = (r"(ask|bring|expect|know|prepare|tell|say(?! (yes|no))|look for|look out for|read|ring|call|contact|phone|report|"
              r"mention|watch for|check|refer|counsel|advise|warn|monitor|screen)")
SHOULD_I = rf"\b(should|shall) i\b(?![^.?!]{{0,25}}\b{INFO_VERBS}\b)"
# A health professional asking about patients ("As a GP...", "pharmacist here") asks for evidence.
PROFESSIONAL = re.compile(
    r"\b(i'?m|i am|im|as) an? (gp|doctor|nurse|pharmacist|clinician|physician|prescriber|psychiatrist|anaesthetist|"
    r"anesthetist|anesthesiologist|pain specialist|consultant|nurse practitioner|physician assistant|"
    r"(hospice|community|hospital|practice|clinic) (nurse|pharmacist))\b|"
    r"\b(gp|pharmacist|nurse|doctor|clinician|physician) (here|question)\b|\bmy patients?\b|\ba patient (on|of mine|who)\b")

PERSONAL_ADVICE = (
    rf"\bshould my\b[^.?!]{{0,15}}\b{ADVICE_VERBS}\b|\bwould you recommend\b",
    SHOULD_I,
    rf"\bdo i need to {ADVICE_VERBS}\b",
    rf"\b(can|could|may) i\s+(just\s+|still\s+|safely\s+)*{ADVICE_VERBS}\b",
    r"\bi (want|wanna|would like|'d like|plan|am planning|'m planning|intend|am going|'m going) to (stop|quit|switch|"
    r"come off|get off|cut down|increase|decrease|reduce|double|skip|combine|mix|swap)\b[^.?!]{0,30}\b(my|from my|to)\b",
    rf"\b(is it ok(ay)? (to|if i)|is it ok(ay)? for me to)\s+(still\s+)?{ADVICE_VERBS}\b",
    rf"\b(ok|okay|alright|fine|all right) (if i|for me to)\s+(just\s+)?(still\s+)?{ADVICE_VERBS}\b",
    r"\bwhat (dose|dosage|amount|strength)\b[^.?!]{0,40}\b(i|me|my)\b",
    r"\bhow (much|many|often)\b[^.?!]{0,40}\b(should|do|can|must|could) i\b",
    r"\b(right|safe|suitable|good|ok|okay|a good idea|worth it) for me\b",
    r"\bmy (dose|dosage|prescription)\b",
    r"\bam i a (good |suitable )?candidate\b|\bwill it (work|help) for me\b|\bwould it help me\b",
)

# A request about the asker's own treatment, which meaning alone may route to personal advice;
# "what should I expect" or "what should I ask" is a request for information instead.
ADVICE_CUES = re.compile(rf"(?:{SHOULD_I}|"
                         rf"\b(can|could|may) i\b|\bdo i need to\b|\bfor me\b|\bmy (dose|dosage|meds|medication|prescription)\b|"
                         rf"\bhow (much|many|often)\b[^.?!]{{0,30}}\bi\b|\b{ADVICE_VERBS} (my|taking)\b)")

PATTERNS: dict[str, list[re.Pattern]] = {
    "crisis": [re.compile(p) for p in CRISIS],
    "emergency": [re.compile(p) for p in EMERGENCY],
    "illicit": [re.compile(p) for p in ILLICIT],
    "personal_advice": [re.compile(p) for p in PERSONAL_ADVICE],
}

# Subjects that, in an ordinary question, earn a line with help numbers beside the answer.
SOFT_SIGNALS = {
    "crisis": re.compile(r"\b(suicid\w*|self[- ]?harm|kill (my|your|them)sel\w*|want(s|ed)? to die)\b"),
    "emergency": re.compile(r"\b(overdos\w*|too much|too many|poison\w*|stop(ped|s)? breathing)\b"),
}
