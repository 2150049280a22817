"""The controlled vocabularies of knowledge/vocabulary.yaml: drugs, routes, conditions, outcomes.

Each value has the words that name it in a question and the label shown to people. Every stage
reads medicine, route and condition names from here; none is written in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from bot.knowledge.models import VocabularyFile


@dataclass(frozen=True)
class Facet:
    id: str  # the value used in snippet front matter ("neuropathic-pain")
    label: str  # how it is shown ("neuropathic pain")
    names: tuple[str, ...]  # words that name it in a question, lower case ("nerve pain", "neuropathy")


@dataclass(frozen=True)
class Vocabulary:
    subject: str  # the medicine a question that names none is about
    drugs: tuple[Facet, ...]
    routes: tuple[Facet, ...]
    conditions: tuple[Facet, ...]
    outcomes: tuple[str, ...]

    @classmethod
    def from_file(cls, data: VocabularyFile) -> Vocabulary:
        def facets(table) -> tuple[Facet, ...]:
            return tuple(Facet(key, term.label or key, tuple(n.lower() for n in term.names))
                         for key, term in table.items())
        return cls(data.subject, facets(data.drugs), facets(data.routes), facets(data.conditions),
                   tuple(data.outcomes))

    @cached_property
    def facets(self) -> dict[str, tuple[Facet, ...]]:
        """Facet kind -> its values, in the order a question is searched for them."""
        return {"drug": self.drugs, "route": self.routes, "condition": self.conditions}

    @cached_property
    def labels(self) -> dict[str, str]:
        return {f.id: f.label for group in self.facets.values() for f in group}

    def label(self, value: str) -> str:
        return self.labels.get(value, value)

    @cached_property
    def drug_names(self) -> tuple[str, ...]:
        """Every word that names one of our medicines ("ketamine", "ketalar", "spravato", "dxm")."""
        return tuple(n for f in self.drugs for n in f.names)

    def allowed(self, field: str) -> tuple[str, ...]:
        """The values a snippet's front-matter field may take."""
        if field == "outcomes":
            return self.outcomes
        return tuple(f.id for f in getattr(self, field))
