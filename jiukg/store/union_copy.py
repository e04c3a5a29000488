"""The union graph's triples for the bulk paths, from a second read of their input by a child process.

`load --bulk` and `restore` write their input into a staging store with pyoxigraph's bulk loader, in Rust,
without the GIL. The union graph (store/union.py) needs the same triples again, graph names dropped. Parsed
in a thread of this process, they held the GIL beside the path's critical thread (a load's gate, which
parses and validates in Python): at 1M quads that copy cost the gate's thread 10 s. A child process parses
the input instead and writes N-Triples that the bulk loader reads into the default graph (`load`), in Rust,
beside the gate.

- Triples with a blank node are left out of the files, because the bulk loader gives blank nodes labels of
  its own: `finish` copies those graphs' quads from the store once it holds them, as the bulk loader
  labelled them. A blank node in a triple of no named graph leaves the union graph to a full rebuild
  (`complete` False).
- The files hold `size` triples each: the bulk loader holds a whole call's quads in memory (200,000 take
  0.18 GB, 1M 0.9 GB).
- The child hashes each source as it reads it: a restore compares that with what it loaded.
- Everything the child writes goes in `folder` (a staging store's), which a failed path removes whole;
  `close` removes what is left. The child needs a few MB."""

from __future__ import annotations

import ctypes
import gzip
import hashlib
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pyoxigraph as ox

DEFAULT = ox.DefaultGraph()


class UnionCopy:
    """Starts the child; `load` waits for it and writes its files into a store's default graph."""

    def __init__(self, sources: list[tuple[Path, ox.RdfFormat]], folder: Path, *, size: int = 200_000):
        job = {"sources": [[str(p), f.media_type] for p, f in sources], "folder": str(folder), "size": size,
               "parent": os.getpid()}
        # run by path, not as jiukg.store.union_copy: the package would import rdflib (0.15 s); -P: its folder
        # is not put on the child's import path
        self.proc = subprocess.Popen([sys.executable, "-P", __file__, json.dumps(job)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._lock = threading.Lock()  # a thread that loads and the path's own may both wait for the child
        self.info: dict | None = None

    def result(self) -> dict:
        """Waits for the child: {"files", "blank_graphs", "complete", "sha256"}, or {"error": what could not be
        read, and where}."""
        with self._lock:
            if self.info is None:
                out, err = self.proc.communicate()
                try:
                    self.info = json.loads(out)
                except ValueError:
                    lines = err.decode("utf-8", "replace").strip().splitlines()
                    self.info = {"error": lines[-1] if lines else
                                 f"the process reading the input ended (status {self.proc.returncode})"}
            return self.info

    @property
    def error(self) -> str | None:
        return self.result().get("error")

    @property
    def complete(self) -> bool:
        return self.error is None and self.result()["complete"]

    def load(self, store: ox.Store) -> None:
        """The triples without blank nodes into `store`'s default graph, once the child has written them all
        (loading each file as soon as it was written made a restore of 1M quads slower, 14.3-15.0 s against
        12.8-12.9 s: the two bulk loaders and the child then all compete for two cores). Bulk loader: not transactional;
        for a store no one else sees yet. ValueError if the child could not read the input."""
        if self.error is not None:
            raise ValueError(self.error)
        for name in self.result()["files"]:
            store.bulk_load(path=name, format=ox.RdfFormat.N_TRIPLES, to_graph=DEFAULT)
            Path(name).unlink()

    def finish(self, store: ox.Store) -> None:
        """After the store holds the named graphs: their quads with blank nodes, as the bulk loader labelled them."""
        for g in self.result()["blank_graphs"]:
            store.bulk_extend(
                [ox.Quad(q.subject, q.predicate, q.object)
                 for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))
                 if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)])

    def close(self) -> None:
        """The child stopped if it still runs (it only reads the sources and writes in its folder), and the
        files of a child that finished removed (a path that failed removes the whole folder)."""
        if self.proc.poll() is None:
            self.proc.kill()
        for name in self.result().get("files", ()):
            Path(name).unlink(missing_ok=True)


# ---------------------------------------------------------------- the child


class _Hashed:
    """A file whose raw bytes are hashed as the parser (through gzip) reads them."""

    def __init__(self, f, h):
        self.f, self.h = f, h

    def read(self, n=-1):
        b = self.f.read(n)
        self.h.update(b)
        return b


def _copy(job: dict) -> dict:
    folder, size = Path(job["folder"]), job["size"]
    info = {"files": [], "blank_graphs": [], "complete": True, "sha256": []}
    blank: set[str] = set()

    def triples():
        bnode = ox.BlankNode  # a final class: `type(x) is` is exact (and, with q.triple, 1M quads 5.6 -> 3.5 s)
        for path, media in job["sources"]:
            path, fmt, h = Path(path), ox.RdfFormat.from_media_type(media), hashlib.sha256()
            try:
                with open(path, "rb") as raw:
                    src = gzip.GzipFile(fileobj=_Hashed(raw, h)) if path.suffix == ".gz" else _Hashed(raw, h)
                    for q in ox.parse(src, fmt):
                        t = q.triple
                        if type(t.subject) is bnode or type(t.object) is bnode:
                            if isinstance(q.graph_name, ox.NamedNode):
                                blank.add(q.graph_name.value)
                            else:
                                info["complete"] = False
                            continue
                        yield t
                    while _Hashed(raw, h).read(1 << 20):  # what gzip left unread (the trailer), into the hash
                        pass
            except SyntaxError as e:
                raise ValueError(f"{path.name}: not valid {fmt.name} ({e})") from e
            except (OSError, EOFError, zlib.error) as e:
                raise ValueError(f"{path.name}: cannot be read ({e})") from e
            info["sha256"].append(h.hexdigest())

    found = triples()
    try:
        for first in found:
            info["files"].append(str(folder / f"jiukg-union-copy-{len(info['files']):04d}.nt"))
            ox.serialize(itertools.chain([first], itertools.islice(found, size - 1)), info["files"][-1],
                         ox.RdfFormat.N_TRIPLES)
    except ValueError as e:
        for name in info["files"]:
            Path(name).unlink(missing_ok=True)
        return {"error": str(e)}
    info["blank_graphs"] = sorted(blank)
    return info


def _die_with_parent(parent: int) -> None:
    """Linux: ended by the kernel if the path that started it is killed (its work would serve no one)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the call
        os._exit(1)


if __name__ == "__main__":
    job = json.loads(sys.argv[1])
    _die_with_parent(job["parent"])
    sys.stdout.write(json.dumps(_copy(job)))
