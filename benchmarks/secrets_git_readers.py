"""How ``iamwarden secrets scan --history`` should read git: the ``git`` command, pygit2 or dulwich, measured.

    /tmp/secrets-peers/bin/pip install pygit2 dulwich orjson     # in the peers' virtualenv, not ours
    /tmp/secrets-peers/bin/python benchmarks/secrets_git_readers.py REPO [--rounds 3]

(make REPO with ``benchmarks/secrets_scan.py --keep REPO``). For each reader, the two things a history scan needs, each
timed apart (best of ``--rounds``, CPU time of the process and its children, and wall time):

* **blobs**: the content of every blob object in the repository (packed or loose, reachable or not);
* **introductions**: for every commit of every ref, the blobs its tree changes introduce, with their paths (a walk
  over the commits and a tree diff against the first parent).

The ``git`` reader is the code ``iamwarden`` runs (:mod:`iamwarden.collect.secrets.git`); pygit2 and dulwich are
driven through their documented APIs (``Repository.odb``, ``Repository.walk``, ``Tree.diff_to_tree``;
``object_store``, ``get_walker``, ``WalkEntry.changes``). docs/secrets.md gives the figures and the choice.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from iamwarden.collect.secrets.git import _all_blobs, _introductions, _read_blobs
from iamwarden.collect.secrets.sources import ScanStats


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(task: Callable[[], int], rounds: int) -> tuple[float, float, int]:
    best = (float("inf"), float("inf"), 0)
    for _ in range(rounds):
        c, w = cpu(), time.perf_counter()
        n = task()
        best = min(best, (cpu() - c, time.perf_counter() - w, n))
    return best


def git_blobs(repo: Path) -> int:
    stats = ScanStats()
    ids = list(_all_blobs(repo, stats))
    return sum(len(data) for _, data in _read_blobs(repo, ids, stats, {}))


def git_introductions(repo: Path) -> int:
    return len(_introductions(repo, None, ScanStats()))


def pygit2_blobs(repo: Path) -> int:
    import pygit2  # type: ignore[import-not-found]

    odb = pygit2.Repository(str(repo)).odb
    total = 0
    for oid in odb:
        kind, data = odb.read(oid)
        if kind == pygit2.enums.ObjectType.BLOB:
            total += len(data)
    return total


def pygit2_introductions(repo: Path) -> int:
    import pygit2

    r = pygit2.Repository(str(repo))
    seen: set[Any] = set()
    blobs: set[Any] = set()
    for ref in r.references:
        target = r.references[ref].peel(pygit2.Commit).id
        for commit in r.walk(target, pygit2.enums.SortMode.NONE):
            if commit.id in seen:
                continue
            seen.add(commit.id)
            parent = commit.parents[0].tree if commit.parents else None
            diff = (
                commit.tree.diff_to_tree(parent, swap=True)
                if parent is not None
                else commit.tree.diff_to_tree(swap=True)
            )
            for delta in diff.deltas:
                blobs.add((delta.new_file.id, delta.new_file.path))
    return len({b for b, _ in blobs})


def dulwich_blobs(repo: Path) -> int:
    from dulwich.objects import Blob  # type: ignore[import-not-found]
    from dulwich.repo import Repo  # type: ignore[import-not-found]

    store = Repo(str(repo)).object_store
    total = 0
    for sha in store:
        obj = store[sha]
        if isinstance(obj, Blob):
            total += len(obj.data)
    return total


def dulwich_introductions(repo: Path) -> int:
    from dulwich.repo import Repo

    r = Repo(str(repo))
    heads = [sha for ref, sha in r.get_refs().items() if ref != b"HEAD"]
    blobs: set[bytes] = set()
    for entry in r.get_walker(include=heads):
        for change in entry.changes():
            changes = change if isinstance(change, list) else [change]
            for c in changes:
                if c.new is not None and c.new.sha is not None:
                    blobs.add(c.new.sha)
    return len(blobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    readers: dict[str, tuple[Callable[[Path], int], Callable[[Path], int]]] = {
        "git (iamwarden)": (git_blobs, git_introductions),
        "pygit2": (pygit2_blobs, pygit2_introductions),
        "dulwich": (dulwich_blobs, dulwich_introductions),
    }
    print(f"{'reader':<18} {'blobs CPU s':>12} {'wall s':>8} {'MB':>7} {'intro CPU s':>12} {'wall s':>8} {'blobs':>7}")
    for name, (blobs, intros) in readers.items():
        try:
            b = measure(lambda read=blobs: read(args.repo), args.rounds)  # type: ignore[misc]
            i = measure(lambda read=intros: read(args.repo), args.rounds)  # type: ignore[misc]
        except ImportError as exc:
            print(f"{name:<18} skipped: {exc}")
            continue
        print(f"{name:<18} {b[0]:>12.2f} {b[1]:>8.2f} {b[2] / 1e6:>7.1f} {i[0]:>12.2f} {i[1]:>8.2f} {i[2]:>7}")


if __name__ == "__main__":
    main()
