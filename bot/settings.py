"""Settings from environment variables, with defaults that work from a fresh clone."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = ROOT / "knowledge"
    index_dir: Path = ROOT / "index"
    # A local sentence-transformers model directory; None means the packaged all-MiniLM-L6-v2.
    model_dir: Path | None = None
    # "onnx" (ONNX Runtime, no torch at query time) or "torch" (sentence-transformers).
    embed_backend: str = "onnx"
    # ONNX weights: "u8" (quantised, about twice as fast) or "fp32" (identical to sentence-transformers).
    embed_variant: str = "u8"
    embed_threads: int = 0  # ONNX Runtime threads per process (0: one per core)
    # Where the ONNX export of the model is cached (made once, offline, from the local weights).
    model_cache: Path = ROOT / ".cache" / "models"
    locale: str = "us"
    mode: str = "patient"
    review_months: int = 12
    answer_cache: int = 1024  # answers kept per process for repeated questions (0: off)

    @classmethod
    def from_env(cls, env=None, **overrides) -> Settings:
        env = os.environ if env is None else env
        base = cls()
        values = {
            "knowledge_dir": Path(env["BOT_KNOWLEDGE_DIR"]) if env.get("BOT_KNOWLEDGE_DIR") else base.knowledge_dir,
            "index_dir": Path(env["BOT_INDEX_DIR"]) if env.get("BOT_INDEX_DIR") else base.index_dir,
            "model_dir": Path(env["BOT_MODEL_DIR"]) if env.get("BOT_MODEL_DIR") else None,
            "embed_backend": env.get("BOT_EMBED_BACKEND", base.embed_backend),
            "embed_variant": env.get("BOT_EMBED_VARIANT", base.embed_variant),
            "embed_threads": int(env.get("BOT_EMBED_THREADS", base.embed_threads)),
            "model_cache": Path(env["BOT_MODEL_CACHE"]) if env.get("BOT_MODEL_CACHE") else base.model_cache,
            "locale": env.get("BOT_LOCALE", base.locale).lower(),
            "mode": env.get("BOT_MODE", base.mode).lower(),
            "review_months": int(env.get("BOT_REVIEW_MONTHS", base.review_months)),
            "answer_cache": int(env.get("BOT_ANSWER_CACHE", base.answer_cache)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(base, **values)
