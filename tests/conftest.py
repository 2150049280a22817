import os
import shutil
from pathlib import Path

import pytest

from bot.engine import Engine, build_index
from bot.search.retrieve import RetrievalConfig
from bot.settings import Settings
from tests.fakes import HashEmbedder, KeywordRouter
from web import create_app

DATA = Path(__file__).parent / "data"
FIXTURE_KNOWLEDGE = DATA / "knowledge"

# The fake embedder's cosines run lower than the real model's, so unit tests use a lower bar.
FAKE_BAR = 0.2


@pytest.fixture(scope="session", autouse=True)
def web_state_in_a_temporary_folder(tmp_path_factory):
    """Feedback counts and the kiosk's hand-off go to a temporary folder, never var/ or .cache/."""
    folder = tmp_path_factory.mktemp("web-state")
    saved = {name: os.environ.get(name) for name in ("BOT_FEEDBACK_STORE", "BOT_HANDOFF_DB")}
    os.environ["BOT_FEEDBACK_STORE"] = str(folder / "feedback.sqlite3")
    os.environ["BOT_HANDOFF_DB"] = str(folder / "kiosk-handoff.sqlite3")
    yield folder
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def knowledge_copy(tmp_path) -> Path:
    """A writable copy of the tiny knowledge fixture."""
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KNOWLEDGE, target)
    return target


@pytest.fixture(scope="session")
def fake_settings(tmp_path_factory) -> Settings:
    index_dir = tmp_path_factory.mktemp("fixture") / "index"
    settings = Settings(knowledge_dir=FIXTURE_KNOWLEDGE, index_dir=index_dir)
    build_index(settings, HashEmbedder())
    return settings


@pytest.fixture(scope="session")
def engine(fake_settings) -> Engine:
    engine = Engine(fake_settings, HashEmbedder(), RetrievalConfig(min_similarity=FAKE_BAR))
    engine.router = KeywordRouter.like(engine.router)
    return engine


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> Settings:
    """The real knowledge and the real model, indexed once per test session (about a minute)."""
    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("real") / "index")
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def real_engine(real_settings) -> Engine:
    return Engine(real_settings)


@pytest.fixture
def client(engine):
    """A test client of the web app over the fake engine, rate limit off."""
    return create_app({"ENGINE": engine, "TESTING": True, "RATE_LIMIT": ""}).test_client()


@pytest.fixture
def not_ready_client(tmp_path):
    """A test client of an app whose index does not exist."""
    app = create_app({"KNOWLEDGE_DIR": FIXTURE_KNOWLEDGE, "INDEX_DIR": tmp_path / "no-index",
                      "EMBEDDER": HashEmbedder(), "TESTING": True})
    return app.test_client()
