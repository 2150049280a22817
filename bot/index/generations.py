"""Index generations: immutable folders named by the hash of their manifest, and a `current` pointer.

    index/
      current  -> generations/<id>   the generation every worker serves (a symlink, replaced atomically)
      previous -> generations/<id>   the one before it, kept for a roll-back
      generations/<id>/              manifest.json, the index files, README.md, and knowledge/: a copy of
                                     the knowledge it was built from, so what is served never depends
                                     on knowledge files edited since (with the router's labelled
                                     question sets, at their paths from the project folder); read-only
                                     once published
      set-aside.json                 the last generation set aside as damaged, and why

<id> is the first 16 hex digits of the SHA-256 of the generation's manifest.json, and the manifest
holds the SHA-256 of every other file: the name alone says whether a folder is intact. A build (or
an installed artifact) is verified, then moved into generations/, then `current` is swapped; old
generations are removed, except the current and the previous one and any a process is reading.
No pickle, no database: folders, a symlink and flock(2).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

CURRENT, PREVIOUS, GENERATIONS, KNOWLEDGE = "current", "previous", "generations", "knowledge"
ID_LENGTH = 16
SET_ASIDE = "set-aside.json"
MANIFEST = "manifest.json"


class Damaged(Exception):
    """A generation's files are not what its manifest says (missing, edited, truncated)."""


def generation_id(manifest_bytes: bytes) -> str:
    return hashlib.sha256(manifest_bytes).hexdigest()[:ID_LENGTH]


def checksum(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def is_generation(folder: Path) -> bool:
    """A folder inside generations/ named like a generation (its name is checked against its manifest)."""
    return folder.parent.name == GENERATIONS and len(folder.name) == ID_LENGTH and \
        all(c in "0123456789abcdef" for c in folder.name)


def resolve(index_dir) -> Path | None:
    """The folder to serve: generations/<id> named by `current`; a plain index folder (an unpacked
    artifact, or an index built before generations) as it is; None when there is no index."""
    index_dir = Path(index_dir)
    pointer = index_dir / CURRENT
    try:
        target = os.readlink(pointer)
    except FileNotFoundError:
        return index_dir if (index_dir / MANIFEST).exists() else None
    except OSError:  # not a symlink
        return pointer if pointer.is_dir() else None
    return index_dir / target


def pointer_id(index_dir, name: str = CURRENT) -> str | None:
    try:
        return Path(os.readlink(Path(index_dir) / name)).name
    except OSError:
        return None


def stamp(index_dir):
    """A cheap value that changes whenever what `resolve` returns may have changed (one syscall or two)."""
    index_dir = Path(index_dir)
    try:
        return ("pointer", os.readlink(index_dir / CURRENT))
    except OSError:
        pass
    try:
        st = os.stat(index_dir / MANIFEST)
    except OSError:
        return None
    return ("manifest", st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def verify(folder: Path) -> dict:
    """Raise Damaged unless every file of the generation is as its manifest says; return the manifest."""
    folder = Path(folder)
    path = folder / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise Damaged(f"{path} is missing") from None
    except OSError as exc:
        raise Damaged(f"{path} cannot be read ({exc.strerror})") from None
    if is_generation(folder) and generation_id(raw) != folder.name:
        raise Damaged(f"the manifest of generation {folder.name} does not match its name (edited or corrupt)")
    try:
        manifest = json.loads(raw)
        files = dict(manifest["files"])
        files.update({f"{KNOWLEDGE}/{name}": value for name, value in manifest.get("knowledge_files", {}).items()})
        files.update(manifest.get("training_files", {}))
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
        raise Damaged(f"{path} is corrupt") from None
    for name, expected in files.items():
        try:
            blob = (folder / name).read_bytes()
        except FileNotFoundError:
            raise Damaged(f"index file {folder / name} is missing") from None
        except OSError as exc:
            raise Damaged(f"index file {folder / name} cannot be read ({exc.strerror})") from None
        if checksum(blob) != expected:
            raise Damaged(f"index file {folder / name} is corrupt (checksum differs)")
    return manifest


def damage(folder: Path) -> str | None:
    """Why the generation is damaged, or None when every file checks out."""
    try:
        verify(folder)
    except Damaged as exc:
        return str(exc)
    return None


def copy_knowledge(source: Path, target: Path) -> dict[str, str]:
    """Copy the knowledge folder (hidden files left out) into `target`; {relative path: sha256}."""
    sums = {}
    for path in sorted(Path(source).rglob("*")):
        rel = path.relative_to(source)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts) or not path.is_file():
            continue
        blob = path.read_bytes()
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_bytes(blob)
        sums[rel.as_posix()] = checksum(blob)
    return sums


def new_folder(index_dir, prefix: str = ".build-") -> Path:
    """An empty folder inside generations/ to write a generation into (same file system: rename works)."""
    gens = Path(index_dir) / GENERATIONS
    gens.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=gens))


def publish(folder: Path, index_dir) -> tuple[str, str | None]:
    """Move a complete, verified folder into generations/ and make it current in one atomic step.

    Returns (its id, the previous id). The caller holds the build lock. Publishing a generation that
    is already there keeps the existing copy (when intact). Then old generations are cleaned up.
    """
    index_dir = Path(index_dir)
    gens = index_dir / GENERATIONS
    gen_id = generation_id((folder / MANIFEST).read_bytes())
    target = gens / gen_id
    if target.exists() and damage(target) is None:
        remove(folder)
    else:
        if target.exists():
            remove(target)
        os.rename(folder, target)
    read_only(target)
    os.sync()  # the files reach the disk before the pointer names them (a power cut mid-update)
    with pointer_lock(index_dir):
        old = pointer_id(index_dir)
        if old != gen_id:
            if old is not None and (gens / old).is_dir():
                point(index_dir, PREVIOUS, old)
            point(index_dir, CURRENT, gen_id)
        (index_dir / SET_ASIDE).unlink(missing_ok=True)
    os.sync()
    _remove_legacy(index_dir)
    cleanup(index_dir)
    return gen_id, pointer_id(index_dir, PREVIOUS)


def point(index_dir: Path, name: str, gen_id: str) -> None:
    """Make index_dir/name a symlink to generations/<gen_id>, replacing the old one atomically."""
    tmp = index_dir / f".{name}-{os.getpid()}-{os.urandom(4).hex()}"
    os.symlink(f"{GENERATIONS}/{gen_id}", tmp)
    os.replace(tmp, index_dir / name)


def roll_back(index_dir, bad_id: str, reason: str) -> str | None:
    """Point `current` back at `previous` when the current generation is damaged and the previous
    one is intact, so every process serves the same, intact generation. Returns the id now current,
    or None when there is nothing to roll back to (or the folder cannot be written)."""
    index_dir = Path(index_dir)
    try:
        with pointer_lock(index_dir):
            now = pointer_id(index_dir)
            if now != bad_id:
                return now  # moved already (another process rolled back, or a new build)
            previous = pointer_id(index_dir, PREVIOUS)
            if previous is None or previous == bad_id or damage(index_dir / GENERATIONS / previous) is not None:
                return None
            point(index_dir, CURRENT, previous)
            (index_dir / PREVIOUS).unlink(missing_ok=True)
            note = {"generation": bad_id, "reason": reason, "serving": previous,
                    "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
            tmp = index_dir / f".{SET_ASIDE}-{os.getpid()}"
            tmp.write_text(json.dumps(note))
            os.replace(tmp, index_dir / SET_ASIDE)
            return previous
    except OSError:
        return None


def set_aside(index_dir) -> dict | None:
    """The note left by the last roll-back (cleared by the next publish), or None."""
    try:
        note = json.loads((Path(index_dir) / SET_ASIDE).read_text())
    except (OSError, ValueError):
        return None
    return note if isinstance(note, dict) else None


def cleanup(index_dir) -> list[str]:
    """Remove generations other than the current and previous ones, unless a process is reading
    them; also folders of builds that crashed. The caller holds the build lock."""
    index_dir = Path(index_dir)
    gens = index_dir / GENERATIONS
    keep = {pointer_id(index_dir), pointer_id(index_dir, PREVIOUS)}
    removed = []
    for entry in sorted(gens.iterdir()) if gens.is_dir() else ():
        if entry.name.startswith((".build-", ".incoming-")):
            remove(entry)  # no build is running but ours (build lock), and ours is published
        elif entry.is_dir() and entry.name not in keep:
            with _exclusive(gens / f".{entry.name}.lock") as free:
                if free:
                    remove(entry)
                    removed.append(entry.name)
    for lock in gens.glob(".*.lock") if gens.is_dir() else ():
        if not (gens / lock.name[1:-5]).exists():
            lock.unlink(missing_ok=True)
    return removed


@contextmanager
def pinned(folder: Path) -> Iterator[None]:
    """Hold a shared lock on a generation while reading it, so cleanup leaves it alone meanwhile."""
    folder = Path(folder)
    if not is_generation(folder):
        yield
        return
    lock = folder.parent / f".{folder.name}.lock"
    fd = None
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
        try:
            fd = os.open(lock, flags, 0o644)
            break
        except OSError:
            continue
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        if fd is not None:
            os.close(fd)


@contextmanager
def _exclusive(lock: Path) -> Iterator[bool]:
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


@contextmanager
def pointer_lock(index_dir: Path) -> Iterator[None]:
    """Held briefly around every change of the pointers."""
    fd = os.open(Path(index_dir) / ".pointer.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextmanager
def build_lock(index_dir) -> Iterator[None]:
    """One build or install at a time per index folder."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / ".build.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def read_only(folder: Path) -> None:
    """Files 0444 and folders 0555: a published generation is not edited in place by accident."""
    for dirpath, _, filenames in os.walk(folder, topdown=False):
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o444)
        os.chmod(dirpath, 0o555)


def remove(folder: Path) -> None:
    for dirpath, _, _ in os.walk(folder):
        with suppress(OSError):
            os.chmod(dirpath, 0o755)
    shutil.rmtree(folder, ignore_errors=True)


def _remove_legacy(index_dir: Path) -> None:
    """An index built before generations kept its files in index/ itself: remove them (not README.md)."""
    path = index_dir / MANIFEST
    if not path.exists():
        return
    try:
        names = list(json.loads(path.read_text()).get("files", {}))
    except (OSError, ValueError, AttributeError):
        names = []
    for name in [*names, MANIFEST]:
        if "/" not in name and name != "README.md":
            (index_dir / name).unlink(missing_ok=True)
