"""Build, verify and load the search index: FAISS vectors, BM25 matrix, ids and a manifest.

Row i of every file is snippet i of the knowledge (sorted by path). A build is a new generation
(bot/index/generations.py): a copy of the knowledge is taken first and everything is built from
that copy, the folder is loaded back and checked, then published under the hash of its manifest and
made current in one atomic step. Load reads every file into memory, checks it against the
manifest's checksums and refuses an index that is stale, corrupt or mixed.
No pickle anywhere: JSON, .npy, .npz (allow_pickle off) and FAISS's own format.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from bot import __version__
from bot.errors import IndexStaleError
from bot.index import generations
from bot.index.bm25 import BM25Matrix
from bot.index.embed import Embedder
from bot.index.generations import KNOWLEDGE, checksum
from bot.index.reuse import VectorReuse, vector_key
from bot.knowledge.load import Knowledge, load_knowledge
from bot.text import tokenize

# 3: vector_keys.json (each vector's text hash, for reuse); 4: derived files (the router); 5: a generation
# with a copy of its knowledge and of the router's training sets
INDEX_FORMAT = 5
# Flat search below this many vectors, HNSW above: one flat query over 50,000 vectors took 18 ms
# here, HNSW over 100,000 under 1 ms (docs/performance.md).
HNSW_THRESHOLD = 10_000
# From this many snippets on, each snippet gets one short vector (title and lay questions) instead
# of a full-text vector plus one per lay question: about 8x less embedding work, so 100,000
# snippets build in minutes, for a measured cost in ranking quality (docs/performance.md).
COMPACT_THRESHOLD = 20_000
REBUILD_HINT = "python -m bot build"
README = "Built by `python -m bot build` from knowledge/. Never edit by hand; rebuild instead.\n"


@dataclass(frozen=True)
class Index:
    path: Path
    manifest: dict
    ids: tuple[str, ...]
    vectors: faiss.Index
    bm25: BM25Matrix
    # Each snippet's lay questions and title, embedded one by one; question_owner[j] = snippet row.
    questions: faiss.Index
    question_owner: np.ndarray
    # Named sets of labelled phrases embedded with the snippets, e.g. the routing examples.
    extras: Mapping[str, tuple[tuple[tuple[str, str], ...], np.ndarray]] = field(default_factory=dict)
    # Files derived from the vectors at build time (the router's arrays), by name.
    derived: Mapping[str, bytes] = field(default_factory=dict)


Labelled = Sequence[tuple[str, str]]  # (label, phrase)
# Called once the vectors are made: {"snippets": ..., "questions": ..., "<extra name>": ...} -> files
# to add to the index ({file name: bytes}), listed and checksummed in the manifest like the others.
Derive = Callable[[Mapping[str, np.ndarray]], Mapping[str, bytes]]


def build(knowledge_dir, index_dir, embedder: Embedder, extras: Mapping[str, Labelled] | None = None,
          progress: Callable[[str], None] | None = None, derive: Derive | None = None) -> dict:
    """Build a new generation from a knowledge folder and make it current; returns its manifest
    (with "generation", its id, and "previous", the id it replaced)."""
    started = time.perf_counter()
    say = progress or (lambda message: None)
    index_dir = Path(index_dir)
    with generations.build_lock(index_dir):
        tmp = generations.new_folder(index_dir)
        try:
            # Everything below reads the copy, so an edit made during the build cannot mix in.
            knowledge_files = generations.copy_knowledge(Path(knowledge_dir), tmp / KNOWLEDGE)
            knowledge = load_knowledge(tmp / KNOWLEDGE)
            training_files = _copy_training_sets(knowledge, Path(knowledge_dir), tmp)
            # An embedder whose vectors depend on their batch mates re-embeds everything, or a rebuild
            # would differ from a fresh build
            previous = None if getattr(embedder, "batch_dependent", False) else generations.resolve(index_dir)
            reuse = VectorReuse(previous, embedder.model_id, read_manifest)
            manifest = _write_all(knowledge, tmp, embedder, extras or {}, say, reuse, derive)
            manifest["knowledge_files"] = knowledge_files
            manifest["training_files"] = training_files
            manifest["build_seconds"] = round(time.perf_counter() - started, 3)
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
            _load_once(tmp, knowledge, embedder.model_id)  # never publish what would not load
            generation, previous = generations.publish(tmp, index_dir)
        finally:
            generations.remove(tmp)
    say(f"index built: {manifest['snippet_count']} snippets in {manifest['build_seconds']:.1f} s, "
        f"generation {generation}")
    return {**manifest, "generation": generation, "previous": previous}


def _copy_training_sets(knowledge: Knowledge, knowledge_dir: Path, folder: Path) -> dict[str, str]:
    """The labelled question sets knowledge/routing.yaml names (paths from the project folder) are
    copied to the same place relative to the generation, so its own knowledge finds them and the
    generation says what trained its router; {relative path: sha256}. A missing set is left out."""
    sums = {}
    for path in knowledge.routing.question_sets:
        try:
            rel = Path(path).relative_to(folder.resolve())
        except ValueError:
            continue  # outside the project folder
        source = knowledge_dir.resolve().parent / rel
        if source.is_file():
            blob = source.read_bytes()
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(blob)
            sums[rel.as_posix()] = checksum(blob)
    return sums


def _write_all(knowledge: Knowledge, folder: Path, embedder: Embedder,
               extras: Mapping[str, Labelled], say, reuse: VectorReuse, derive: Derive | None = None) -> dict:
    snippets = knowledge.snippets
    compact = len(snippets) >= COMPACT_THRESHOLD
    texts = [s.search_text() for s in snippets]
    dense_texts = [s.compact_text() for s in snippets] if compact else texts
    vectors = reuse.embed(embedder, dense_texts, say, "snippets")
    index = faiss.IndexFlatIP(embedder.dim) if len(texts) < HNSW_THRESHOLD else _hnsw(embedder.dim)
    index.add(vectors)
    faiss.write_index(index, str(folder / "vectors.faiss"))
    phrases, owners = [], []
    for row, snippet in enumerate(snippets if not compact else ()):
        for phrase in (*snippet.questions, snippet.title):
            phrases.append(phrase)
            owners.append(row)
    question_index = faiss.IndexFlatIP(embedder.dim) if len(phrases) < HNSW_THRESHOLD else _hnsw(embedder.dim)
    question_vectors = reuse.embed(embedder, phrases, say, "questions")
    question_index.add(question_vectors)
    faiss.write_index(question_index, str(folder / "questions.faiss"))
    np.save(folder / "question_owner.npy", np.asarray(owners, dtype=np.int32), allow_pickle=False)
    tokens = [tokenize(t) for t in texts]
    (folder / "tokens.json").write_text(json.dumps(tokens, separators=(",", ":")))
    files = ["vectors.faiss", "questions.faiss", "question_owner.npy", "tokens.json", "ids.json",
             "vector_keys.json", *BM25Matrix.from_tokens(tokens).save(folder)]
    (folder / "ids.json").write_text(json.dumps([s.id for s in snippets]))
    keys = {"snippets": [vector_key(t) for t in dense_texts], "questions": [vector_key(p) for p in phrases], "extras": {}}
    extra_names = {}
    made = {"snippets": vectors, "questions": question_vectors}
    for name, pairs in extras.items():
        made[name] = extra_vectors = reuse.embed(embedder, [text for _, text in pairs], say, name)
        keys["extras"][name] = [vector_key(text) for _, text in pairs]
        np.save(folder / f"extra-{name}.npy", extra_vectors, allow_pickle=False)
        (folder / f"extra-{name}.json").write_text(json.dumps([list(pair) for pair in pairs]))
        files += [f"extra-{name}.npy", f"extra-{name}.json"]
        extra_names[name] = len(pairs)
    derived = dict(derive(made)) if derive else {}
    for name, blob in derived.items():
        (folder / name).write_bytes(blob)
        files.append(name)
    (folder / "vector_keys.json").write_text(json.dumps(keys, separators=(",", ":")))
    (folder / "README.md").write_text(README)
    say(f"embedded {reuse.embedded} texts, reused {reuse.reused} from the previous index")
    return {
        "format": INDEX_FORMAT,
        "package_version": __version__,
        "model_id": embedder.model_id,
        "dim": embedder.dim,
        "knowledge_hash": knowledge.content_hash,
        "training_hash": training_hash(knowledge),
        "snippet_count": len(snippets),
        "faiss": "flat" if isinstance(index, faiss.IndexFlatIP) else "hnsw",
        "vectors": "compact" if compact else "full",
        "extras": extra_names,
        "derived": sorted(derived),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": {name: checksum((folder / name).read_bytes()) for name in files},
    }


def _hnsw(dim: int) -> faiss.Index:
    index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    index.hnsw.efSearch = 128
    return index


def load(index_dir, knowledge: Knowledge, model_id: str, attempts: int = 3) -> Index:
    """Load and verify the current generation (or a plain index folder); IndexStaleError says what
    is wrong and how to fix it. The generation is pinned while it is read, so cleanup spares it."""
    index_dir = Path(index_dir)
    for attempt in range(attempts):
        before = generations.stamp(index_dir)
        folder = generations.resolve(index_dir)
        if folder is None:
            raise IndexStaleError(f"no index at {index_dir}", REBUILD_HINT)
        try:
            with generations.pinned(folder):
                return _load_once(folder, knowledge, model_id)
        except IndexStaleError:
            if attempt == attempts - 1 or generations.stamp(index_dir) == before:
                raise
            time.sleep(0.05)  # a new generation was made current meanwhile: read that one
    raise AssertionError("unreachable")


def _load_once(index_dir: Path, knowledge: Knowledge, model_id: str) -> Index:
    manifest = read_manifest(index_dir)
    check_manifest(manifest, knowledge, model_id, index_dir)
    if generations.is_generation(index_dir):
        raw = (index_dir / "manifest.json").read_bytes()
        if generations.generation_id(raw) != index_dir.name:
            raise IndexStaleError(f"the manifest of index generation {index_dir.name} does not match its name "
                                  "(edited or corrupt)", REBUILD_HINT)
    blobs = {}
    for name, expected in manifest["files"].items():
        try:
            blob = (index_dir / name).read_bytes()
        except FileNotFoundError:
            raise IndexStaleError(f"index file {index_dir / name} is missing", REBUILD_HINT) from None
        except OSError as exc:
            raise IndexStaleError(f"index file {index_dir / name} cannot be read ({exc.strerror})", REBUILD_HINT) from None
        if checksum(blob) != expected:
            raise IndexStaleError(f"index file {index_dir / name} is corrupt (checksum differs)", REBUILD_HINT)
        blobs[name] = blob
    try:
        vectors = faiss.deserialize_index(np.frombuffer(blobs["vectors.faiss"], dtype=np.uint8))
        questions = faiss.deserialize_index(np.frombuffer(blobs["questions.faiss"], dtype=np.uint8))
        question_owner = np.load(io.BytesIO(blobs["question_owner.npy"]), allow_pickle=False)
        ids = tuple(json.loads(blobs["ids.json"]))
        bm25 = BM25Matrix.from_bytes(blobs["bm25_weights.npz"], blobs["bm25_vocab.json"])
        extras = {name: (tuple((label, text) for label, text in json.loads(blobs[f"extra-{name}.json"])),
                         np.load(io.BytesIO(blobs[f"extra-{name}.npy"]), allow_pickle=False))
                  for name in manifest.get("extras", {})}
        derived = {name: blobs[name] for name in manifest.get("derived", [])}
    except (KeyError, ValueError, RuntimeError) as exc:
        raise IndexStaleError(f"index at {index_dir} cannot be read ({exc})", REBUILD_HINT) from None
    expected_ids = tuple(s.id for s in knowledge.snippets)
    if (ids != expected_ids or vectors.ntotal != len(ids) or bm25.n_docs != len(ids)
            or questions.ntotal != len(question_owner)):
        raise IndexStaleError(f"index at {index_dir} does not line up with the knowledge", REBUILD_HINT)
    return Index(index_dir, manifest, ids, vectors, bm25, questions, question_owner, extras, derived)


def read_manifest(index_dir: Path) -> dict:
    path = Path(index_dir) / "manifest.json"
    if not path.exists():
        raise IndexStaleError(f"no index at {index_dir}", REBUILD_HINT)
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        raise IndexStaleError(f"index manifest {path} is corrupt", REBUILD_HINT) from None
    except OSError as exc:
        raise IndexStaleError(f"index manifest {path} cannot be read ({exc.strerror})", REBUILD_HINT) from None
    shape_ok = (isinstance(manifest, dict) and isinstance(manifest.get("files"), dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in manifest["files"].items())
                and isinstance(manifest.get("extras", {}), dict))
    if not shape_ok:
        raise IndexStaleError(f"index manifest {path} is corrupt", REBUILD_HINT)
    return manifest


def check_manifest(manifest: dict, knowledge: Knowledge, model_id: str, index_dir) -> None:
    """Raise IndexStaleError unless the manifest matches this code, knowledge and model."""
    if manifest.get("format") != INDEX_FORMAT:
        raise IndexStaleError(f"index at {index_dir} has format {manifest.get('format')}, "
                              f"this code reads {INDEX_FORMAT}", REBUILD_HINT)
    if manifest.get("model_id") != model_id:
        raise IndexStaleError(f"index at {index_dir} was built with model {manifest.get('model_id')}, "
                              f"but the current model is {model_id}", REBUILD_HINT)
    if manifest.get("knowledge_hash") != knowledge.content_hash:
        raise IndexStaleError(f"knowledge in {knowledge.root} changed since the index was built", REBUILD_HINT)


def is_fresh(index_dir, knowledge: Knowledge, model_id: str) -> bool:
    """The served generation was built from this knowledge, model and router training data (the
    labelled question sets that knowledge/routing.yaml names live outside knowledge/, so their hash
    is checked here too), and its files are intact."""
    folder = generations.resolve(index_dir)
    if folder is None:
        return False
    try:
        manifest = read_manifest(folder)
        check_manifest(manifest, knowledge, model_id, folder)
    except IndexStaleError:
        return False
    return manifest.get("training_hash") == training_hash(knowledge) and generations.damage(folder) is None


def training_hash(knowledge: Knowledge) -> str | None:
    """The router's training rows' hash; None when a question set it names is missing."""
    try:
        return knowledge.routing.training_hash()
    except FileNotFoundError:
        return None
