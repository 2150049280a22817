"""Fixed wording of the clinician check, from knowledge/check.yaml: reasons, rewrite templates,
certainty words and plain words for harms. Checked at load like messages.yaml."""

from __future__ import annotations

from pathlib import Path

from bot.enums import SNIPPET_CERTAINTIES, Verdict
from bot.knowledge.files import Problems, check_placeholders, read_mapping
from bot.knowledge.models import CheckWordingFile

REASON_FILLS = ("certainty", "share")
PHRASING_FILLS = ("drug", "Drug", "target", "harm", "certainty")
EVIDENCE_FILLS = ("title", "certainty", "described", "n")
PHRASINGS = ("benefit", "no_clear", "mixed", "harm", "harm_graded")
GRADED_PHRASINGS = ("benefit", "no_clear")


class CheckWording:
    def __init__(self, data: CheckWordingFile):
        self.data = data

    def __getitem__(self, key: str):
        return getattr(self.data, key)


def check_wording(path: Path, problems: Problems) -> CheckWordingFile | None:
    data = read_mapping(path, CheckWordingFile, problems)
    if data is None:
        return None
    for verdict in Verdict:
        if verdict not in data.verdict_labels:
            problems.add(path, f"verdict_labels.{verdict}", "missing")
    for certainty in SNIPPET_CERTAINTIES:
        if certainty not in data.certainty_words:
            problems.add(path, f"certainty_words.{certainty}", "missing")
    templates = {f"reasons.{k}": (v, REASON_FILLS) for k, v in data.reasons.items()}
    templates["evidence_line"] = (data.evidence_line, EVIDENCE_FILLS)
    for name in PHRASINGS:
        value = data.phrasing.get(name)
        if value is None:
            problems.add(path, f"phrasing.{name}", "missing")
        elif isinstance(value, str):
            templates[f"phrasing.{name}"] = (value, PHRASING_FILLS)
        else:
            templates |= {f"phrasing.{name}.{c}": (t, PHRASING_FILLS) for c, t in value.items()}
            if name in GRADED_PHRASINGS:
                for certainty in SNIPPET_CERTAINTIES:
                    if certainty not in value:
                        problems.add(path, f"phrasing.{name}.{certainty}", "missing")
    check_placeholders(path, templates, problems)
    return data
