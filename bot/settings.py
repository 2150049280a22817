"""One settings object for the engine, the web app and gunicorn, read from BOT_* variables.

Each field `name` is set by the environment variable `BOT_NAME`. Limits are defined here once and
read everywhere. A bad value is a `SettingsError` that names the variable in one line, never a
traceback and never a silent default. `Settings()` is the defaults alone; `Settings.from_env()`
reads the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import SettingsError

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "BOT_"
RATE = re.compile(r"^\s*\d+\s*(/|per)\s*(\d+\s*)?(second|minute|hour|day|month|year)s?\s*$")


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    # Engine
    knowledge_dir: Path = ROOT / "knowledge"
    index_dir: Path = ROOT / "index"
    model_dir: Path | None = None  # a local sentence-transformers folder; None: the packaged all-MiniLM-L6-v2
    embed_backend: Literal["onnx", "torch"] = "onnx"
    embed_variant: Literal["u8", "fp32"] = "u8"  # quantised ONNX weights (about twice as fast) or float32
    embed_threads: int = Field(0, ge=0)  # ONNX Runtime threads per process (0: one per core)
    model_cache: Path = ROOT / ".cache" / "models"  # where the one-time ONNX export is kept
    answer_cache: int = Field(1024, ge=0)  # answers kept per process for repeated questions (0: off)
    review_months: int = Field(12, ge=1)  # lint warns when a check date is older
    locale: Literal["us", "uk"] = "us"
    mode: Literal["patient", "kiosk", "clinician"] = "patient"
    # Limits, the same for the API, the forms and the engine
    max_question_chars: int = Field(2000, ge=100)
    max_history: int = Field(5, ge=0)  # earlier questions a follow-up may carry
    max_check_chars: int = Field(8000, ge=100)
    max_body_bytes: int = Field(16 * 1024, ge=1024)
    # Web
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(2, ge=1)
    threads: int = Field(4, ge=1)
    timeout: int = Field(60, ge=1)
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    pidfile: Path = ROOT / ".cache" / "run" / "gunicorn.pid"
    kiosk_idle_seconds: int = Field(90, ge=10)
    kiosk_warning_seconds: int = Field(30, ge=20)  # WCAG 2.2.1: at least 20 s to ask for more time
    rate_limit: str = "60 per minute"  # per client address; "" turns it off
    rate_limit_storage: str = "memory://"  # a Flask-Limiter storage URI; redis://... shares one count
    trusted_proxies: int = Field(0, ge=0)  # reverse proxies in front that set X-Forwarded-For
    public_url: str = ""  # the clinic's public deployment (https://...): the kiosk's take-home QR code
    feedback_store: str = str(ROOT / "var" / "feedback.sqlite3")  # "Was this helpful?" counts (bot/feedback.py)
    handoff_db: Path = ROOT / ".cache" / "run" / "kiosk-handoff.sqlite3"  # the no-JavaScript kiosk's hand-off
    # Shared state across workers and machines (rate-limit counts): a Redis URL; "" keeps it per worker
    redis_url: str = Field("", pattern=r"^((redis|rediss|unix)://\S+)?$")
    keepalive: int = Field(75, ge=1, le=3600)  # gunicorn: seconds an idle connection stays open (> the proxy's)
    # Serving behind nginx (make serve, docs/deploy.md): the address nginx listens on
    proxy_host: str = "127.0.0.1"
    proxy_port: int = Field(8080, ge=1, le=65535)

    @field_validator("locale", "mode", "log_level", "embed_backend", "embed_variant", mode="before")
    @classmethod
    def _lower(cls, value):
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        if value.strip() and not all(RATE.match(part) for part in re.split(r"[;,]", value)):
            raise ValueError("must look like '60 per minute' (several joined by ';'), or be empty")
        return value.strip()

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and (not value.startswith(("https://", "http://")) or " " in value):
            raise ValueError("must be an http(s) address such as https://clinic.example.org, or empty")
        return value

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Defaults, then BOT_* variables of `env` (default: os.environ), then overrides that are not None."""
        env = os.environ if env is None else env
        values = {name: env[var] for name in cls.model_fields if (var := PREFIX + name.upper()) in env
                  and not (env[var] == "" and name not in _EMPTY_ALLOWED)}
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            raise SettingsError(_one_line(exc, env)) from None

    def replace(self, **changes) -> Settings:
        """A copy with some fields changed (validated like the original)."""
        try:
            return type(self)(**{**self.model_dump(), **changes})
        except ValidationError as exc:
            raise SettingsError(_one_line(exc, {})) from None


_EMPTY_ALLOWED = {"rate_limit"}


def _one_line(exc: ValidationError, env: Mapping[str, str]) -> str:
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else "?"
    var = PREFIX + name.upper()
    message = error["msg"].removeprefix("Value error, ")
    if var in env:
        return f"{var}={env[var]!r}: {message}"
    return f"{name} ({var}): {message}"
