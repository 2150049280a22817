"""Checks on the knowledge base beyond its format: wording, reading level, certainty tags against
the levels a body reports, citations, source hosts, review dates."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import textstat

from bot.enums import GRADED, Certainty
from bot.knowledge.files import Problems, read_mapping
from bot.knowledge.load import Knowledge, collect_problems
from bot.knowledge.models import LintListsFile
from bot.knowledge.routing import question_set_problems

LISTS_FILE = "lint.yaml"  # optional reviewed lists (source hosts), in the knowledge folder

MAX_WORDS = 120
MAX_GRADE = 9.0
MAX_MEDIAN_GRADE = 8.0
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")

# GRADE wording: the hedge each certainty level needs somewhere in the body.
HEDGES = {
    "moderate": re.compile(r"\b(probably|likely)\b", re.I),
    "low": re.compile(r"\b(may|might|could|unclear|uncertain|possibly)\b", re.I),
    "very-low": re.compile(r"\bvery (uncertain|low)\b", re.I),
}
# Words that claim more than any evidence here supports, unless negated ("not a cure").
OVERCLAIMS = re.compile(r"\b(proven|proves|definitely|guaranteed?|cures?|miracle|ineffective|"
                        r"(?:does|do)(?: not|n't) work)\b", re.I)
NEGATION = re.compile(r"\b(not|no|never|isn't|aren't|nor|without)\b", re.I)

# GRADE levels a body reports ("low or very low certainty", "the evidence is very low", "rated its
# evidence low", "moderate evidence"); "low back pain", "low doses", "high blood pressure" are not.
_LEVEL = r"(?:very[ -]low|low|moderate|high)"
_LEVELS = rf"{_LEVEL}(?:(?:\s*,\s*|\s+(?:or|to|and)\s+){_LEVEL})*"
_NOT_A_RATING = r"(?!\s*(?:back|mood|levels?|doses?|blood|pressure|risk|rates?|platelets?)\b)"
REPORTED_LEVELS = (
    re.compile(rf"\b({_LEVELS})[ -](?:certainty|quality)\b", re.I),
    re.compile(rf"\b({_LEVELS})[ -]evidence\b", re.I),
    re.compile(rf"\b(?:certainty|quality|evidence)\b[^.;]{{0,40}}?\b(?:is|was|were|are|as|at)\s+(?:rated\s+)?"
               rf"(?:only\s+)?({_LEVELS}){_NOT_A_RATING}", re.I),
    re.compile(rf"\brated\b[^.;]{{0,30}}?\b({_LEVELS}){_NOT_A_RATING}", re.I),
)


@dataclass(frozen=True)
class Problem:
    path: str
    field: str
    message: str
    level: str = "error"  # or "warning"

    def __str__(self) -> str:
        prefix = "warning: " if self.level == "warning" else ""
        return f"{self.path}: {self.field}: {prefix}{self.message}"


def lint(knowledge_dir, review_months: int = 12, today: dt.date | None = None) -> list[Problem]:
    """Every problem in the knowledge folder, format errors first."""
    knowledge, errors = collect_problems(knowledge_dir)
    problems = [Problem(e.path, e.field, e.message) for e in errors]
    if knowledge is not None:
        problems += check_content(knowledge, review_months, today or dt.date.today())
        routing = str(knowledge.root / "routing.yaml")
        problems += [Problem(routing, field, message) for field, message in question_set_problems(knowledge.routing)]
    return problems


def check_content(knowledge: Knowledge, review_months: int, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    grades = []
    for snip in knowledge.snippets:
        text = plain_text(snip.body)
        words = len(text.split())
        if words > MAX_WORDS:
            problems.append(Problem(snip.path, "body", f"{words} words (at most {MAX_WORDS})"))
        grade = reading_grade(text)
        grades.append(grade)
        if grade > MAX_GRADE:
            problems.append(Problem(snip.path, "body", f"reading grade {grade:.1f} (at most {MAX_GRADE:g})"))
        problems += [Problem(snip.path, "certainty", m) for m in hedge_problems(text, snip.certainty)]
        problems += [Problem(snip.path, "certainty", m) for m in level_problems(text, snip.certainty)]
        if not 2 <= len(snip.questions) <= 4:
            problems.append(Problem(snip.path, "questions", f"{len(snip.questions)} phrasings (2 to 4)"))
        if _stale(snip.checked, review_months, today):
            problems.append(Problem(snip.path, "checked", f"last checked {snip.checked}: due for review", "warning"))
    if grades and statistics.median(grades) > MAX_MEDIAN_GRADE:
        problems.append(Problem(str(knowledge.root / "snippets"), "body",
                                f"median reading grade {statistics.median(grades):.1f} (at most {MAX_MEDIAN_GRADE:g})"))
    problems += _source_problems(knowledge, review_months, today)
    return problems


def _source_problems(knowledge: Knowledge, review_months: int, today: dt.date) -> list[Problem]:
    registry = str(knowledge.root / "sources.yaml")
    hosts, problems = source_hosts(knowledge.root)  # problems: any in lint.yaml itself
    cited = {sid for snip in knowledge.snippets for sid in snip.sources}
    for src in knowledge.sources:
        where = f"{registry}[{src.id}]"
        if src.id not in cited:
            problems.append(Problem(where, "id", "no snippet cites this source"))
        if src.doi is not None and not DOI_PATTERN.match(src.doi):
            problems.append(Problem(where, "doi", f"'{src.doi}' is not a DOI like 10.1234/abc"))
        if not src.url.startswith("https://") or " " in src.url:
            problems.append(Problem(where, "url", f"'{src.url}' is not an https address"))
        elif hosts is not None and not host_listed(urlsplit(src.url).hostname or "", hosts):
            problems.append(Problem(where, "url", f"'{urlsplit(src.url).hostname}' is not on the reviewed list of "
                                    f"source hosts in {LISTS_FILE} (publishers, DOI resolvers, PubMed/PMC, DailyMed, "
                                    f"regulators, guideline bodies): link the record itself where there is one",
                                    "warning"))
        if _stale(src.checked, review_months, today):
            problems.append(Problem(where, "checked", f"last checked {src.checked}: due for review", "warning"))
    return problems


def hedge_problems(text: str, certainty: str) -> list[str]:
    """GRADE wording: the body's hedges must fit its certainty; overclaims are never allowed."""
    found = []
    hedge = HEDGES.get(certainty)
    if hedge is not None and not hedge.search(text):
        found.append(f"'{certainty}' certainty needs wording such as '{hedge.pattern}'")
    for match in OVERCLAIMS.finditer(text):
        before = text[max(0, match.start() - 40):match.start()].split()[-4:]
        if not NEGATION.search(" ".join(before)):
            found.append(f"'{match.group(0)}' claims more than the evidence allows")
    return found


def reported_levels(text: str) -> list[tuple[Certainty, str]]:
    """The GRADE levels a text reports, each with the words that report it."""
    found = []
    for pattern in REPORTED_LEVELS:
        for match in pattern.finditer(text):
            for word in re.split(r"\s*,\s*|\s+(?:or|to|and)\s+", match.group(1)):
                level = Certainty(re.sub(r"\s+", "-", word.lower()))
                found.append((level, match.group(0)))
    return found


def level_problems(text: str, certainty: str) -> list[str]:
    """A graded tag may not be higher than the weakest level the body itself reports: a snippet
    that says "low or very low certainty" is very low, not low."""
    if certainty not in GRADED:
        return []
    reported = reported_levels(text)
    if not reported:
        return []
    weakest, words = min(reported, key=lambda found: found[0].rank)
    if Certainty(certainty).rank <= weakest.rank:
        return []
    return [f"tagged '{certainty}' but the text reports '{weakest}' certainty (\"{words}\"): "
            f"tag the weakest level the text reports, or reword it"]


def source_hosts(root: Path) -> tuple[tuple[str, ...] | None, list[Problem]]:
    """The reviewed source hosts of `root`/lint.yaml (None when there is no such file), and any
    problem reading it."""
    path = root / LISTS_FILE
    if not path.is_file():
        return None, []
    problems = Problems(strict=False)
    data = read_mapping(path, LintListsFile, problems)
    found = [Problem(str(e.path), e.field, e.message) for e in problems.items]
    if data is None:
        return None, found
    return tuple(h.lower().strip(".") for group in data.source_hosts.values() for h in group), found


def host_listed(host: str, hosts: tuple[str, ...]) -> bool:
    """The host is a listed one or a subdomain of one (www.fda.gov under fda.gov)."""
    host = host.lower().strip(".")
    return any(host == h or host.endswith("." + h) for h in hosts)


def reading_grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(text))


def plain_text(markdown_text: str) -> str:
    """Markdown body without its markup, for word counts and reading grade."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown_text)
    text = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", text, flags=re.M)
    return re.sub(r"[*_`#>]", "", text).strip()


def _stale(checked: dt.date, review_months: int, today: dt.date) -> bool:
    months = (today.year - checked.year) * 12 + (today.month - checked.month)
    return months > review_months or (months == review_months and today.day > checked.day)
