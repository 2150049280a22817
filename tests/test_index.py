import json
import os
import shutil

import numpy as np
import pytest

from bot.errors import IndexStaleError
from bot.index import generations
from bot.index import store as index
from bot.knowledge.load import load_knowledge
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.fakes import FailingEmbedder, HashEmbedder


@pytest.fixture
def built(tmp_path):
    """The current generation's folder (index/current) of a fresh build."""
    folder = tmp_path / "index"
    index.build(FIXTURE_KNOWLEDGE, folder, HashEmbedder(), extras={"safety": [("crisis", "I want to die")]})
    return writable(folder / "current")


def writable(folder):
    """Published generations are read-only (0444/0555); tests that damage one open it up first."""
    for dirpath, _, filenames in os.walk(folder, followlinks=True):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
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
    for path in built.rglob("*"):
        assert path.is_dir() or not path.read_bytes().startswith(b"\x80"), path.name


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
        index.load(built.parent, load_knowledge(FIXTURE_KNOWLEDGE), "another-model")


def test_edited_knowledge_makes_the_index_stale(built, knowledge_copy):
    snippet = knowledge_copy / "snippets" / "evidence" / "fibro.md"
    snippet.write_text(snippet.read_text() + "\nOne more sentence.\n")
    with pytest.raises(IndexStaleError, match="changed since the index was built"):
        index.load(built.parent, load_knowledge(knowledge_copy), "fake-hash-256")
    assert not index.is_fresh(built.parent, load_knowledge(knowledge_copy), "fake-hash-256")
    assert index.is_fresh(built.parent, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")
    # The generation's own copy of the knowledge is what it was built from, whatever is edited since.
    assert index.load(built.parent, load_knowledge(built / "knowledge"), "fake-hash-256").ids


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
    root = built.parent
    before = (built / "manifest.json").read_text()
    with pytest.raises(RuntimeError, match="simulated crash"):
        index.build(FIXTURE_KNOWLEDGE, root, FailingEmbedder())
    assert (root / "current" / "manifest.json").read_text() == before
    index.load(root, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")
    assert [p.name for p in (root / "generations").iterdir() if p.is_dir()] == [os.readlink(root / "current")[12:]]


def test_rebuild_swaps_in_a_complete_new_index(built):
    root = built.parent
    old = json.loads((built / "manifest.json").read_text())["built_at"]
    index.build(FIXTURE_KNOWLEDGE, root, HashEmbedder(dim=128, model_id="fake-hash-128"))
    loaded = index.load(root, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-128")
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


class BatchDependentEmbedder(HashEmbedder):
    """Like the quantised model: a text's vector depends a little on the texts embedded with it."""

    batch_dependent = True

    def encode(self, texts):
        vectors = super().encode(texts)
        vectors[:, 0] += 0.01 * len(texts)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_a_batch_dependent_embedder_rebuilds_exactly_as_a_fresh_build(tmp_path):
    knowledge_copy = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KNOWLEDGE, knowledge_copy)
    folder, fresh_folder = tmp_path / "index", tmp_path / "fresh"
    index.build(knowledge_copy, folder, BatchDependentEmbedder())
    path = next(knowledge_copy.rglob("fibro*.md"))
    path.write_text(path.read_text().replace("fibromyalgia", "fibromyalgia (widespread pain)", 1))
    index.build(knowledge_copy, folder, BatchDependentEmbedder())  # would reuse all but one vector
    index.build(knowledge_copy, fresh_folder, BatchDependentEmbedder())
    knowledge = load_knowledge(knowledge_copy)
    rebuilt = index.load(folder, knowledge, "fake-hash-256")
    fresh = index.load(fresh_folder, knowledge, "fake-hash-256")
    assert np.array_equal(rebuilt.vectors.reconstruct_n(0, rebuilt.vectors.ntotal),
                          fresh.vectors.reconstruct_n(0, fresh.vectors.ntotal))


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


# Generations: immutable folders named by their manifest's hash, a `current` pointer, clean-up.

def edit(knowledge, text: str) -> None:
    snippet = knowledge / "snippets" / "evidence" / "fibro.md"
    snippet.write_text(snippet.read_text() + f"\n{text}\n")


def test_a_build_is_a_read_only_generation_named_by_its_manifest_with_its_knowledge(tmp_path):
    root = tmp_path / "index"
    manifest = index.build(FIXTURE_KNOWLEDGE, root, HashEmbedder())
    gen = manifest["generation"]
    folder = root / "generations" / gen
    assert os.readlink(root / "current") == f"generations/{gen}" and manifest["previous"] is None
    assert generations.generation_id((folder / "manifest.json").read_bytes()) == gen
    assert (folder / "knowledge" / "sources.yaml").read_bytes() == (FIXTURE_KNOWLEDGE / "sources.yaml").read_bytes()
    assert load_knowledge(folder / "knowledge").content_hash == load_knowledge(FIXTURE_KNOWLEDGE).content_hash
    assert oct(os.stat(folder).st_mode & 0o777) == "0o555"
    assert oct(os.stat(folder / "ids.json").st_mode & 0o777) == "0o444"
    assert generations.damage(folder) is None


def test_knowledge_edited_after_a_build_changes_nothing_in_the_generation(tmp_path, knowledge_copy):
    root = tmp_path / "index"
    index.build(knowledge_copy, root, HashEmbedder())
    served = generations.resolve(root)
    edit(knowledge_copy, "An edit nobody rebuilt.")
    snapshot = load_knowledge(served / "knowledge")
    assert index.load(root, snapshot, "fake-hash-256").ids  # still loads, from its own copy
    assert snapshot.content_hash != load_knowledge(knowledge_copy).content_hash  # ...which is behind


def test_rebuilds_keep_the_current_and_the_previous_generation_only(tmp_path, knowledge_copy):
    root = tmp_path / "index"
    ids = []
    for n in range(4):
        edit(knowledge_copy, f"Edit {n}.")
        manifest = index.build(knowledge_copy, root, HashEmbedder())
        ids.append(manifest["generation"])
        assert manifest["previous"] == (ids[-2] if n else None)
    assert len(set(ids)) == 4
    assert sorted(p.name for p in (root / "generations").iterdir() if p.is_dir()) == sorted(ids[-2:])
    assert generations.pointer_id(root) == ids[-1] and generations.pointer_id(root, "previous") == ids[-2]


def test_clean_up_spares_a_generation_a_process_is_reading(tmp_path, knowledge_copy):
    root = tmp_path / "index"
    first = index.build(knowledge_copy, root, HashEmbedder())["generation"]
    with generations.pinned(root / "generations" / first):
        for n in range(2):
            edit(knowledge_copy, f"Edit {n}.")
            index.build(knowledge_copy, root, HashEmbedder())
        assert (root / "generations" / first).is_dir()  # two builds later, still there while read
    edit(knowledge_copy, "Edit 3.")
    index.build(knowledge_copy, root, HashEmbedder())
    assert not (root / "generations" / first).exists()


def test_a_damaged_generation_is_not_fresh_and_says_which_file(tmp_path):
    root = tmp_path / "index"
    index.build(FIXTURE_KNOWLEDGE, root, HashEmbedder())
    folder = writable(generations.resolve(root))
    assert index.is_fresh(root, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")
    (folder / "knowledge" / "lexicon.yaml").write_text("edited in place\n")
    assert "lexicon.yaml is corrupt" in generations.damage(folder)
    assert not index.is_fresh(root, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")


def test_an_edited_manifest_no_longer_matches_its_generation_name(tmp_path):
    root = tmp_path / "index"
    index.build(FIXTURE_KNOWLEDGE, root, HashEmbedder())
    folder = writable(generations.resolve(root))
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "snippet_count": 7}))
    with pytest.raises(IndexStaleError, match="does not match its name"):
        index.load(root, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")
    assert "does not match its name" in generations.damage(folder)


def test_roll_back_points_current_at_an_intact_previous_generation(tmp_path, knowledge_copy):
    root = tmp_path / "index"
    first = index.build(knowledge_copy, root, HashEmbedder())["generation"]
    edit(knowledge_copy, "Second.")
    second = index.build(knowledge_copy, root, HashEmbedder())["generation"]
    assert generations.roll_back(root, first, "not current") == second  # only the current one is set aside
    (writable(root / "generations" / second) / "ids.json").write_text("[]")
    assert generations.roll_back(root, second, "ids.json is corrupt") == first
    assert generations.pointer_id(root) == first and generations.pointer_id(root, "previous") is None
    assert generations.set_aside(root)["generation"] == second
    assert generations.roll_back(root, first, "again") is None  # nothing left to go back to
    edit(knowledge_copy, "Third.")
    index.build(knowledge_copy, root, HashEmbedder())
    assert generations.set_aside(root) is None and not (root / "generations" / second).exists()


def test_an_index_built_before_generations_is_refused_then_replaced(tmp_path):
    root = tmp_path / "index"
    index.build(FIXTURE_KNOWLEDGE, root, HashEmbedder())
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    for path in generations.resolve(root).iterdir():  # the old layout: files in index/ itself
        if path.is_file():
            (legacy / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((legacy / "manifest.json").read_text())
    (legacy / "manifest.json").write_text(json.dumps({**manifest, "format": 3}))
    with pytest.raises(IndexStaleError, match=f"has format 3, this code reads {index.INDEX_FORMAT}"):
        index.load(legacy, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256")
    index.build(FIXTURE_KNOWLEDGE, legacy, HashEmbedder())
    assert sorted(p.name for p in legacy.iterdir() if not p.name.startswith(".")) == \
        ["README.md", "current", "generations"]
    assert index.load(legacy, load_knowledge(FIXTURE_KNOWLEDGE), "fake-hash-256").ids


def test_the_router_training_sets_travel_with_the_generation(tmp_path, knowledge_copy):
    sets = knowledge_copy.parent / "sets"
    sets.mkdir()
    (sets / "extra.jsonl").write_text('{"question": "does ketamine help", "kind": "answer"}\n')
    routing = knowledge_copy / "routing.yaml"
    routing.write_text(routing.read_text() + "question_sets:\n  - sets/extra.jsonl\n")
    root = tmp_path / "index"
    manifest = index.build(knowledge_copy, root, HashEmbedder())
    folder = generations.resolve(root)
    assert (folder / "sets" / "extra.jsonl").read_bytes() == (sets / "extra.jsonl").read_bytes()
    assert manifest["training_files"] == {"sets/extra.jsonl": generations.checksum((sets / "extra.jsonl").read_bytes())}
    assert manifest["training_hash"] == index.training_hash(load_knowledge(knowledge_copy)) is not None
    assert index.training_hash(load_knowledge(folder / "knowledge")) == manifest["training_hash"]  # its own copy
    assert index.is_fresh(root, load_knowledge(knowledge_copy), "fake-hash-256")
    (sets / "extra.jsonl").write_text('{"question": "is magnesium safe", "kind": "answer"}\n')
    assert not index.is_fresh(root, load_knowledge(knowledge_copy), "fake-hash-256")  # a new set: rebuild
    (writable(folder) / "sets" / "extra.jsonl").write_text("edited in place\n")
    assert "sets/extra.jsonl is corrupt" in generations.damage(folder)
