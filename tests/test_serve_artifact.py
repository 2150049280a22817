"""The index as an artifact named by its hash: built once, shipped to every app node, checked there.

    python -m bot build --export dist/          (on the build machine: dist/index-<id>.tar.gz)
    python -m bot build --from dist/index-<id>.tar.gz   (on each node: checked, then made current)
"""

from __future__ import annotations

import io
import tarfile

import pytest

import bot.engine
from bot.cli import main
from bot.index import generations
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.fakes import HashEmbedder


@pytest.fixture
def fake_model(monkeypatch):
    monkeypatch.setattr(bot.engine, "default_embedder", lambda settings: HashEmbedder())


def build_and_export(tmp_path, capsys) -> tuple[str, str]:
    assert main(["build", "--knowledge", str(FIXTURE_KNOWLEDGE), "--index", str(tmp_path / "built"),
                 "--export", str(tmp_path / "dist")]) == 0
    gen = generations.pointer_id(tmp_path / "built")
    assert f"exported {tmp_path / 'dist' / f'index-{gen}.tar.gz'}" in capsys.readouterr().out
    return gen, str(tmp_path / "dist" / f"index-{gen}.tar.gz")


def install(tmp_path, archive, node="node") -> int:
    return main(["build", "--from", str(archive), "--knowledge", str(tmp_path / "not-needed"),
                 "--index", str(tmp_path / node / "index")])


def test_an_exported_generation_installs_on_other_nodes_as_the_same_generation(tmp_path, capsys, fake_model):
    gen, archive = build_and_export(tmp_path, capsys)
    for node in ("node-a", "node-b"):
        assert install(tmp_path, archive, node) == 0
        assert f"generation {gen} (current)" in capsys.readouterr().out
        index = tmp_path / node / "index"
        assert generations.pointer_id(index) == gen and generations.damage(generations.resolve(index)) is None
    # Served from its own knowledge: the node needs no knowledge folder at all.
    assert main(["ask", "does ketamine help fibro", "--json", "--knowledge",
                 str(tmp_path / "node-a" / "index" / "current" / "knowledge"),
                 "--index", str(tmp_path / "node-a" / "index")]) == 0


def test_installing_the_same_artifact_twice_changes_nothing(tmp_path, capsys, fake_model):
    gen, archive = build_and_export(tmp_path, capsys)
    assert install(tmp_path, archive) == 0 and install(tmp_path, archive) == 0
    index = tmp_path / "node" / "index"
    assert generations.pointer_id(index) == gen and generations.pointer_id(index, "previous") is None
    assert [p.name for p in (index / "generations").iterdir() if p.is_dir()] == [gen]


def repack(archive: str, target, change) -> None:
    """A copy of the artifact with one file changed by `change(name, bytes) -> bytes`."""
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read() if info.isfile() else None
            if data is not None:
                data = change(info.name, data)
                info.size = len(data)
            dst.addfile(info, io.BytesIO(data) if data is not None else None)


@pytest.mark.parametrize("damage,reason", [
    (lambda name, data: data[:100] if name.endswith("vectors.faiss") else data, "vectors.faiss is corrupt"),
    (lambda name, data: data + b" " if name.endswith("manifest.json") else data, "not named by the hash"),
    (lambda name, data: b"edited" if name.endswith("lexicon.yaml") else data, "lexicon.yaml is corrupt"),
])
def test_a_damaged_artifact_is_refused_and_the_node_keeps_its_generation(tmp_path, capsys, fake_model, damage, reason):
    gen, archive = build_and_export(tmp_path, capsys)
    assert install(tmp_path, archive) == 0
    bad = tmp_path / "bad.tar.gz"
    repack(archive, bad, damage)
    capsys.readouterr()
    assert install(tmp_path, bad) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: not installed") and reason in err and err.count("\n") == 1
    index = tmp_path / "node" / "index"
    assert generations.pointer_id(index) == gen
    assert not [p for p in (index / "generations").iterdir() if p.name.startswith(".incoming-")]


def test_an_artifact_for_another_model_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(bot.engine, "default_embedder", lambda settings: HashEmbedder(model_id="build-machine-model"))
    _, archive = build_and_export(tmp_path, capsys)
    monkeypatch.setattr(bot.engine, "default_embedder", lambda settings: HashEmbedder())
    assert install(tmp_path, archive) == 1
    assert "built with model build-machine-model" in capsys.readouterr().err
    assert generations.resolve(tmp_path / "node" / "index") is None


def test_an_archive_with_links_or_paths_outside_is_refused(tmp_path, capsys, fake_model):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("0123456789abcdef/manifest.json")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    assert install(tmp_path, evil) == 1
    assert "not installed" in capsys.readouterr().err
