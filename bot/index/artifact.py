"""An index generation as a file to ship: `python -m bot build --export DIR` writes the served
generation as DIR/index-<id>.tar.gz; `--from FILE` unpacks one into generations/ (no links or paths
outside it) and checks it is whole and named by its manifest before anyone publishes it.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from bot.index.generations import MANIFEST, Damaged, generation_id, new_folder, remove, verify


def export(folder: Path, target_dir: Path) -> Path:
    """The generation as an artifact, target_dir/index-<id>.tar.gz (one folder, <id>/, inside)."""
    folder = Path(folder)
    gen_id = generation_id((folder / MANIFEST).read_bytes())
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / f"index-{gen_id}.tar.gz"
    tmp = target_dir / f".{path.name}.{os.getpid()}"
    with tarfile.open(tmp, "w:gz") as tar:
        tar.add(folder, arcname=gen_id, filter=_plain)
    os.replace(tmp, path)
    return path


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o755 if info.isdir() else 0o644
    return info


def unpack(archive: Path, index_dir) -> Path:
    """Unpack an artifact made by `export` into a new folder inside generations/ and check it is whole
    and named by its manifest; returns the folder (the caller verifies it further, then publishes it).
    Raises Damaged for anything else."""
    tmp = new_folder(index_dir, ".incoming-")
    try:
        with tarfile.open(archive, "r:*") as tar:
            names = {name.split("/", 1)[0] for name in tar.getnames()}
            if len(names) != 1:
                raise Damaged(f"{archive} holds {len(names)} folders, not one index generation")
            tar.extractall(tmp, filter="data")  # no links out, no absolute paths, no devices
        folder = tmp / names.pop()
        raw = (folder / MANIFEST).read_bytes() if (folder / MANIFEST).exists() else b""
        if not raw or generation_id(raw) != folder.name:
            raise Damaged(f"{archive}: the folder inside is not named by the hash of its manifest")
        verify(folder)
        return folder
    except (OSError, tarfile.TarError) as exc:
        remove(tmp)
        raise Damaged(f"{archive} cannot be unpacked ({exc})") from None
    except Damaged:
        remove(tmp)
        raise
