"""Reusing the vectors of the index being replaced: a rebuild after editing a few snippets embeds
only the texts that changed (vectors are found by a hash of their text, and only when the old index
was built with the same model and is intact).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

from bot.errors import IndexStaleError
from bot.index.embed import Embedder
from bot.index.generations import checksum


def embed_batches(embedder: Embedder, texts: list[str], say, what: str, batch: int = 256) -> np.ndarray:
    """The texts' vectors, `batch` at a time, saying how far it has got."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    parts = []
    for start in range(0, len(texts), batch):
        parts.append(embedder.encode(texts[start:start + batch]))
        say(f"embedding {what}: {min(start + batch, len(texts))}/{len(texts)}")
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)


def vector_key(text: str) -> str:
    """A text's key among stored vectors (the texts themselves are not stored twice)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class VectorReuse:
    """Vectors of the index being replaced, found by their text, when that index was built with
    the same model: a rebuild after editing a few snippets embeds only what changed."""

    def __init__(self, index_dir: Path | None, model_id: str, read_manifest: Callable[[Path], dict]):
        self.known: dict[str, np.ndarray] = {}
        self.embedded = self.reused = 0
        if index_dir is None:
            return
        try:
            manifest = read_manifest(index_dir)
            if manifest.get("model_id") != model_id or "vector_keys.json" not in manifest["files"]:
                return
            for name, expected in manifest["files"].items():
                if checksum((index_dir / name).read_bytes()) != expected:
                    return  # a damaged index is rebuilt from scratch
            keys = json.loads((index_dir / "vector_keys.json").read_text())
            sets = [(keys["snippets"], _all_vectors(index_dir / "vectors.faiss")),
                    (keys["questions"], _all_vectors(index_dir / "questions.faiss"))]
            sets += [(k, np.load(index_dir / f"extra-{name}.npy", allow_pickle=False))
                     for name, k in keys.get("extras", {}).items()]
            for names, vectors in sets:
                self.known.update(zip(names, vectors, strict=True))
        except (IndexStaleError, OSError, ValueError, KeyError, RuntimeError):
            self.known = {}

    def embed(self, embedder: Embedder, texts: list[str], say, what: str) -> np.ndarray:
        keys = [vector_key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self.known]
        fresh = embed_batches(embedder, [texts[i] for i in missing], say, what)
        self.known.update(zip((keys[i] for i in missing), fresh, strict=True))
        self.embedded += len(missing)
        self.reused += len(texts) - len(missing)
        out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = self.known[key]
        return out


def _all_vectors(path: Path) -> np.ndarray:
    index = faiss.read_index(str(path))
    return index.reconstruct_n(0, index.ntotal)
