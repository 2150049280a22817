"""Load and validate the curated knowledge into frozen records.

`load_knowledge` is strict and raises `KnowledgeError` at the first problem; `collect_problems`
returns every problem, for `python -m bot lint`. Each file is read through its model in
bot/knowledge/models.py; errors name the file and the field.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import frontmatter
import yaml

from bot.errors import KnowledgeError
from bot.knowledge.check_rules import ClaimRulesFile, VerdictsFile, load_claim_rules, load_verdicts
from bot.knowledge.files import FAST_YAML, Problems, one_line, read_mapping, read_yaml
from bot.knowledge.messages import Messages, check_messages
from bot.knowledge.models import (
    KEBAB,
    LexiconFile,
    RoutingFile,
    SafetyFloorFile,
    ScopeFile,
    SnippetMeta,
    Source,
    VocabularyFile,
)
from bot.knowledge.records import Lexicon, Scope, Snippet
from bot.knowledge.routing import RoutingExamples, SafetyFloor, routing_examples, safety_floor
from bot.knowledge.vocabulary import Vocabulary
from bot.knowledge.wording import CheckWording, check_wording

__all__ = ["Knowledge", "Lexicon", "Scope", "Snippet", "Source", "collect_problems", "content_hash",
           "load_knowledge"]
VOCABULARY_FIELDS = ("drugs", "routes", "conditions", "outcomes")


@dataclass(frozen=True)
class Knowledge:
    root: Path
    sources: tuple[Source, ...]
    snippets: tuple[Snippet, ...]
    lexicon: Lexicon
    vocabulary: Vocabulary
    scope: Scope
    messages: Messages
    wording: CheckWording
    routing: RoutingExamples
    floor: SafetyFloor
    claim_rules: ClaimRulesFile  # how the clinician check reads a claim (claim_rules.yaml)
    verdicts: VerdictsFile  # the clinician check's decision table (verdicts.yaml)
    content_hash: str

    def source(self, source_id: str) -> Source:
        return self.sources_by_id[source_id]

    def snippet(self, snippet_id: str) -> Snippet:
        return self.snippets_by_id[snippet_id]

    @cached_property
    def sources_by_id(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}

    @cached_property
    def snippets_by_id(self) -> dict[str, Snippet]:
        return {s.id: s for s in self.snippets}


def load_knowledge(knowledge_dir) -> Knowledge:
    """Load the knowledge folder; raise KnowledgeError naming file and field at the first problem."""
    return _load(Path(knowledge_dir), Problems(strict=True))


def collect_problems(knowledge_dir) -> tuple[Knowledge | None, list[KnowledgeError]]:
    """Load what can be loaded and return every format problem found."""
    problems = Problems(strict=False)
    knowledge = _load(Path(knowledge_dir), problems)
    return knowledge, problems.items


def content_hash(knowledge_dir) -> str:
    """sha256 over every knowledge file's relative path and bytes: any edit changes it."""
    root = Path(knowledge_dir)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".md", ".yaml", ".yml")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _load(root: Path, problems: Problems) -> Knowledge | None:
    if not root.is_dir():
        problems.add(root, "-", "knowledge folder not found")
        return None
    vocabulary_file = read_mapping(root / "vocabulary.yaml", VocabularyFile, problems)
    vocabulary = Vocabulary.from_file(vocabulary_file) if vocabulary_file else None
    sources = _load_sources(root / "sources.yaml", problems)
    snippets = _load_snippets(root / "snippets", {s.id for s in sources}, vocabulary, problems)
    lexicon_file = read_mapping(root / "lexicon.yaml", LexiconFile, problems)
    scope_file = read_mapping(root / "scope.yaml", ScopeFile, problems)
    messages_file = check_messages(root / "messages.yaml", problems)
    wording_file = check_wording(root / "check.yaml", problems)
    routing_file = read_mapping(root / "routing.yaml", RoutingFile, problems)
    routing = routing_examples(routing_file, root) if routing_file else None
    floor_file = read_mapping(root / "safety_floor.yaml", SafetyFloorFile, problems)
    floor = safety_floor(floor_file, vocabulary, root / "safety_floor.yaml", problems) \
        if floor_file and vocabulary else None
    claim_rules = load_claim_rules(root / "claim_rules.yaml", problems, vocabulary.outcomes if vocabulary else (),
                                   tuple(f.id for f in vocabulary.drugs) if vocabulary else ())
    verdicts = load_verdicts(root / "verdicts.yaml", problems, set(wording_file.reasons) if wording_file else None)
    parts = (vocabulary, lexicon_file, scope_file, messages_file, wording_file, routing, floor, claim_rules, verdicts)
    if any(part is None for part in parts):
        return None
    return Knowledge(root=root, sources=tuple(sources), snippets=tuple(snippets),
                     lexicon=Lexicon.from_file(lexicon_file), vocabulary=vocabulary,
                     scope=Scope.from_file(scope_file), messages=Messages(messages_file),
                     wording=CheckWording(wording_file), routing=routing, floor=floor,
                     claim_rules=claim_rules, verdicts=verdicts,
                     content_hash=content_hash(root))


def _load_sources(path: Path, problems: Problems) -> list[Source]:
    data = read_yaml(path, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add(path, "-", "must be a YAML list of sources")
        return []
    sources, seen = [], set()
    for i, entry in enumerate(data):
        where = f"{path}[{i}]"
        if not isinstance(entry, dict):
            problems.add(where, "-", "each source must be a mapping")
            continue
        source = problems.validate(Source, entry, where)
        if source is None:
            continue
        if source.id in seen:
            problems.add(where, "id", f"duplicate source id '{source.id}'")
        seen.add(source.id)
        sources.append(source)
    return sources


def _load_snippets(folder: Path, known_sources: set[str], vocabulary: Vocabulary | None,
                   problems: Problems) -> list[Snippet]:
    if not folder.is_dir():
        problems.add(folder, "-", "snippets folder not found")
        return []
    snippets, seen = [], {}
    for path in sorted(folder.glob("**/*.md")):
        snippet = _load_snippet(path, folder, known_sources, vocabulary, problems)
        if snippet is None:
            continue
        if snippet.id in seen:
            problems.add(path, "id", f"duplicate snippet id (also {seen[snippet.id]})")
            continue
        seen[snippet.id] = path
        snippets.append(snippet)
    if not snippets:
        problems.add(folder, "-", "no snippets found")
    return snippets


def _load_snippet(path: Path, folder: Path, known_sources: set[str], vocabulary: Vocabulary | None,
                  problems: Problems) -> Snippet | None:
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"), handler=FAST_YAML)
    except UnicodeDecodeError:
        problems.add(path, "-", "not UTF-8 text")
        return None
    except yaml.YAMLError as exc:
        problems.add(path, "front matter", f"broken YAML: {one_line(exc)}")
        return None
    if not re.match(KEBAB, path.stem):
        problems.add(path, "id", f"file name '{path.stem}' is not kebab-case")
    meta = problems.validate(SnippetMeta, dict(post.metadata), path)
    body = post.content.strip()
    if not body:
        problems.add(path, "body", "empty body")
    if meta is None:
        return None
    ok = True
    for field in VOCABULARY_FIELDS if vocabulary else ():
        allowed = vocabulary.allowed(field)
        for item in getattr(meta, field):
            if item not in allowed:
                problems.add(path, field, f"'{item}' is not one of {', '.join(allowed)}")
                ok = False
    for source_id in meta.sources:
        if source_id not in known_sources:
            problems.add(path, "sources", f"unknown source id '{source_id}'")
            ok = False
    if not ok:
        return None
    return Snippet.from_meta(path.stem, path.parent.relative_to(folder).as_posix(), str(path), body, meta)
