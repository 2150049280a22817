import json

import numpy as np
import pytest

from bot.errors import IndexStaleError
from bot.index import store as index
from bot.knowledge.load import load_knowledge
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.fakes import FailingEmbedder, HashEmbedder


@pytest.fixture
def built(tmp_path):
    folder = tmp_path / "index"
    index.build(FIXTURE_KNOWLEDGE, folder, HashEmbedder(), extras={"safety": [("crisis", "I want to die")]})
    return folder


def test_build_writes_aligned_files_and_a_manifest(built):
    manifest = json.loads((built / "manifest.json").read_text())
    knowledge = load_knowledge(FIXTURE_KNOWLEDGE)
    assert manifest["snippet_count"] == 6 and manifest["dim"] == 256
    assert manifest["model_id"] == "fake-hash-256"
    assert manifest["knowledge_hash"] == knowledge.content_hash
    assert manifest["package_version"] and manifest["built_at"] and manifest["faiss"] == "flat"
    ids = json.loads((built / "ids.json").read_text())
    assert ids == [s.id for s in knowledge.snippets]
    tokens = json.loads((built / "tokens.json").read_text())
    assert len(tokens) == len(ids) and "fibromyalgia" in tokens[ids.index("fibro")]
    assert set(manifest["files"]) >= {"vectors.faiss", "ids.json", "tokens.json", "bm25_weights.npz"}


def test_no_file_is_a_pickle(built):
    for path in built.iterdir():
        assert not path.read_bytes().startswith(b"\x80"), path.name


def test_load_returns_row_aligned_vectors_and_extras(built):
    knowledge = load_knowledge(FIXTURE_KNOWLEDGE)
    loaded = index.load(built, knowledge, "fake-hash-256")
    assert loaded.vectors.ntotal == len(loaded.ids) == 6
    row = loaded.ids.index("bladder")
    expected = HashEmbedder().encode([knowledge.snippet("bladder").search_text()])[0]
    assert np.allclose(loaded.vectors.reconstruct(row), expected)
    pairs, vectors = loaded.extras["safety"]
    assert pairs == (("crisis", "I want to die"),) and vectors.shape == (1, 256)


def test_missing_index_says_how_to_fix_it(tmp_path):
    with pytest.raises(IndexStaleError, match="no index at .*python -m bot build"):
        index.load(tmp_path / "nothing", load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")


def test_index_for_another_model_is_refused(built):
    with pytest.raises(IndexStaleError, match="built with model fake-hash-256"):
        index.load(built, load_knowledge(FIXTURE_KNOWLEDGE), "another-model")


def test_edited_knowledge_makes_the_index_stale(built, knowledge_copy):
    snippet = knowledge_copy / "snippets" / "evidence" / "fibro.md"
    snippet.write_text(snippet.read_text() + "\nOne more sentence.\n")
    with pytest.raises(IndexStaleError, match="changed since the index was built"):
        index.load(built, load_knowledge(knowledge_copy), "fake-hash-256")
    assert not index.is_fresh(built, load_knowledge(knowledge_copy), "fake-hash-256")
    assert index.is_fresh(built, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")


@pytest.mark.parametrize("name", ["vectors.faiss", "ids.json", "bm25_weights.npz"])
def test_truncated_file_is_reported_corrupt(built, name):
    path = built / name
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(IndexStaleError, match=f"{name} is corrupt"):
        index.load(built, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")


def test_deleted_file_and_garbage_manifest_are_reported(built):
    (built / "tokens.json").unlink()
    with pytest.raises(IndexStaleError, match="tokens.json is missing"):
        index.load(built, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")
    (built / "manifest.json").write_text("{not json")
    with pytest.raises(IndexStaleError, match="manifest .* is corrupt"):
        index.load(built, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")


def test_crash_during_build_leaves_the_old_index_working(built):
    before = (built / "manifest.json").read_text()
    with pytest.raises(RuntimeError, match="simulated crash"):
        index.build(FIXTURE_KNOWLEDGE, built, FailingEmbedder())
    assert (built / "manifest.json").read_text() == before
    index.load(built, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")
    leftovers = [p.name for p in built.parent.iterdir() if p.name.startswith(".index-build")]
    assert leftovers == []


def test_rebuild_swaps_in_a_complete_new_index(built):
    old = json.loads((built / "manifest.json").read_text())["built_at"]
    index.build(FIXTURE_KNOWLEDGE, built, HashEmbedder(dim=128, model_id="fake-hash-128"))
    loaded = index.load(built, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-128")
    assert loaded.manifest["dim"] == 128 and loaded.manifest["built_at"] >= old


class CountingEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__()
        self.texts = 0

    def encode(self, texts):
        self.texts += len(texts)
        return super().encode(texts)


def test_rebuild_reuses_vectors_of_unchanged_texts(tmp_path, knowledge_copy):
    folder = tmp_path / "index"
    first = CountingEmbedder()
    index.build(knowledge_copy, folder, first)
    assert first.texts > 0
    again = CountingEmbedder()
    index.build(knowledge_copy, folder, again)
    assert again.texts == 0  # nothing changed: every vector comes from the previous index
    snippet = knowledge_copy / "snippets" / "evidence" / "fibro.md"
    snippet.write_text(snippet.read_text() + "\nA new sentence.\n")
    edited = CountingEmbedder()
    index.build(knowledge_copy, folder, edited)
    assert edited.texts == 1  # only the edited snippet's text
    loaded = index.load(folder, load_knowledge(knowledge_copy), "fake-hash-256")
    row = loaded.ids.index("fibro")
    fresh = HashEmbedder().encode([load_knowledge(knowledge_copy).snippet("fibro").search_text()])[0]
    assert np.allclose(loaded.vectors.reconstruct(row), fresh)


def test_vectors_of_another_model_are_never_reused(tmp_path):
    folder = tmp_path / "index"
    index.build(FIXTURE_KNOWLEDGE, folder, HashEmbedder())
    other = CountingEmbedder()
    other.model_id = "another-model"
    index.build(FIXTURE_KNOWLEDGE, folder, other)
    assert other.texts > 0


def test_very_large_bases_get_compact_vectors(tmp_path, monkeypatch):
    monkeypatch.setattr(index, "COMPACT_THRESHOLD", 3)
    folder = tmp_path / "index"
    manifest = index.build(FIXTURE_KNOWLEDGE, folder, HashEmbedder())
    knowledge = load_knowledge(FIXTURE_KNOWLEDGE)
    loaded = index.load(folder, knowledge, "fake-hash-256")
    assert manifest["vectors"] == "compact" and loaded.questions.ntotal == 0
    row = loaded.ids.index("fibro")
    expected = HashEmbedder().encode([knowledge.snippet("fibro").compact_text()])[0]
    assert np.allclose(loaded.vectors.reconstruct(row), expected)


@pytest.mark.parametrize("manifest", ['{"files": {"a": 5}}', '{"files": {}, "extras": 5}', '[]', '{"files": []}'])
def test_manifest_of_the_wrong_shape_is_reported_corrupt(built, manifest):
    (built / "manifest.json").write_text(manifest)
    with pytest.raises(IndexStaleError, match="corrupt"):
        index.load(built, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")
