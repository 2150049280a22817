"""Reading knowledge files: YAML through LibYAML, each mapping through its model, problems named
by file and field (raised at once in strict mode, collected for lint otherwise)."""

from __future__ import annotations

from pathlib import Path

import frontmatter
import yaml
from pydantic import BaseModel, ValidationError

from bot.errors import KnowledgeError
from bot.knowledge.models import problems_of, unknown_placeholders


class FastYAMLHandler(frontmatter.YAMLHandler):
    """python-frontmatter's YAML handler on LibYAML's safe loader (several times faster)."""

    def load(self, fm: str, **kwargs):
        return yaml.load(fm, Loader=_LOADER)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FAST_YAML = FastYAMLHandler()


class Problems:
    """Collects problems; in strict mode the first one is raised at once."""

    def __init__(self, strict: bool):
        self.strict = strict
        self.items: list[KnowledgeError] = []

    def add(self, path, field: str, message: str) -> None:
        err = KnowledgeError(path, field, message)
        if self.strict:
            raise err
        self.items.append(err)

    def validate(self, model: type[BaseModel], data, path, context: dict | None = None):
        """The model for `data`, or None after reporting each of its problems."""
        try:
            return model.model_validate(data, context=context)
        except ValidationError as exc:
            for field, message in problems_of(exc):
                self.add(path, field, message)
        return None


def read_yaml(path: Path, problems: Problems):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except FileNotFoundError:
        problems.add(path, "-", "file not found")
    except UnicodeDecodeError:
        problems.add(path, "-", "not UTF-8 text")
    except yaml.YAMLError as exc:
        problems.add(path, "-", f"broken YAML: {one_line(exc)}")
    return None


def read_mapping(path: Path, model: type[BaseModel], problems: Problems):
    data = read_yaml(path, problems)
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.add(path, "-", "must be a mapping of keys to values")
        return None
    return problems.validate(model, data, path)


def one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def check_placeholders(path: Path, templates: dict[str, tuple[str, tuple[str, ...]]], problems: Problems) -> None:
    """Each fixed-text template (field -> (text, the {names} it may use)) uses only its own names."""
    for field, (template, allowed) in templates.items():
        unknown = unknown_placeholders(template, allowed)
        if unknown:
            problems.add(path, field, f"unknown placeholder {{{', '.join(sorted(unknown))}}}"
                         f" (allowed: {', '.join(allowed) or 'none'})")
