import datetime as dt

import pytest

from bot.errors import KnowledgeError
from bot.knowledge.load import collect_problems, content_hash, load_knowledge
from tests.conftest import FIXTURE_KNOWLEDGE


def test_loads_sources_snippets_and_lexicon_into_frozen_records():
    k = load_knowledge(FIXTURE_KNOWLEDGE)
    assert [s.id for s in k.sources] == ["review-a", "clinic-b", "label-c"]
    assert len(k.snippets) == 6
    fibro = k.snippet("fibro")
    assert fibro.topic == "evidence"
    assert fibro.certainty == "very-low" and fibro.finding == "uncertain"
    assert fibro.conditions == ("fibromyalgia",)
    assert fibro.checked == dt.date(2026, 11, 1)
    assert k.source("review-a").studies == 67
    assert ("fibro", ("fibromyalgia",)) in k.lexicon.expansions
    with pytest.raises(AttributeError):
        fibro.title = "changed"


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize("old,new,field", [
    ("certainty: very-low", "certainty: very-low\ncolour: red", "colour"),
    ("finding: uncertain", "finding: maybe", "finding"),
    ("sources: [review-a]", "sources: [no-such-source]", "sources"),
    ("title: Ketamine for fibromyalgia\n", "", "title"),
    ("conditions: [fibromyalgia]", "conditions: [gout]", "conditions"),
    ("checked: 2026-11-01", "checked: last tuesday", "checked"),
])
def test_bad_snippet_raises_knowledge_error_naming_file_and_field(knowledge_copy, old, new, field):
    path = knowledge_copy / "snippets" / "evidence" / "fibro.md"
    _edit(path, old, new)
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(knowledge_copy)
    assert err.value.field == field
    assert str(path) in str(err.value)


def test_bad_source_design_and_unknown_key_are_named(knowledge_copy):
    path = knowledge_copy / "sources.yaml"
    _edit(path, "design: regulatory", "design: blog")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(knowledge_copy)
    assert err.value.field == "design" and "sources.yaml" in err.value.path


def test_broken_yaml_is_one_clear_error(knowledge_copy):
    (knowledge_copy / "sources.yaml").write_text("- id: [unclosed\n")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(knowledge_copy)
    assert "broken YAML" in str(err.value) and "\n" not in str(err.value)


def test_collect_problems_reports_every_problem_not_just_the_first(knowledge_copy):
    _edit(knowledge_copy / "snippets" / "evidence" / "fibro.md", "finding: uncertain", "finding: maybe")
    _edit(knowledge_copy / "snippets" / "safety" / "bladder.md", "sources: [label-c]", "sources: [nope]")
    _, problems = collect_problems(knowledge_copy)
    assert {p.field for p in problems} == {"finding", "sources"}


def test_duplicate_snippet_ids_across_topics_are_rejected(knowledge_copy):
    source = knowledge_copy / "snippets" / "evidence" / "fibro.md"
    (knowledge_copy / "snippets" / "safety" / "fibro.md").write_text(source.read_text())
    with pytest.raises(KnowledgeError, match="duplicate snippet id"):
        load_knowledge(knowledge_copy)


def test_missing_folder_is_a_knowledge_error(tmp_path):
    with pytest.raises(KnowledgeError, match="not found"):
        load_knowledge(tmp_path / "nowhere")


def test_content_hash_changes_when_any_file_changes(knowledge_copy):
    before = content_hash(knowledge_copy)
    _edit(knowledge_copy / "lexicon.yaml", "fibro:", "fibbro:")
    assert content_hash(knowledge_copy) != before
