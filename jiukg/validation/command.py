"""`jiukg validate`: files (through the pipeline's reading) or the whole store."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, URIRef

from .engine import handover_reasons
from .gate import validate_store, validate_write
from .shapes import ShapesError, load_shapes
from .report import LANGS, render

def _input_error(path: Path, e: Exception) -> str:
    """A one-line reason naming the file and, where the parser says, the line."""
    from jiukg.pipeline import RefusedRDF

    if isinstance(e, RefusedRDF):  # parsed fine, refused for what it asks (a fetch, a DTD): say that
        return str(e)
    cause = e.__cause__ or e
    text = str(cause)
    m = re.search(r"line (\d+)", text)
    line = int(m.group(1)) if m else None
    if line is None and path.suffix.lower() in (".nt", ".nq"):
        line = _first_bad_line(path)
    first = ""
    for part in text.splitlines():
        part = part.strip()
        if part and not part.startswith("at line"):
            first = part
            break
    m2 = re.search(r"Bad syntax \(([^)]*)\)", text)
    if m2:
        first = m2.group(1)
    if cause is e:
        return text
    where = f"{path.name}" + (f", line {line}" if line else "")
    fmt = str(e).split(": not valid ", 1)[-1].split(" (", 1)[0] if ": not valid " in str(e) else "RDF"
    return f"{where}: not valid {fmt}: {first}"


def _first_bad_line(path: Path) -> int | None:
    fmt = "nt" if path.suffix.lower() == ".nt" else "nquads"
    from rdflib import Dataset

    for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            (Graph() if fmt == "nt" else Dataset()).parse(data=line + "\n", format=fmt)
        except Exception:
            return i
    return None


def _err(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)


def _store_location(store: str | None) -> tuple[str, bool]:
    """Where the store is (--store, else JIUKG_STORE or jiukg.env, else var/store) and whether it was named."""
    from jiukg.config import settings
    from jiukg.paths import DEFAULT_STORE

    named = settings(store=store).store
    return named or str(DEFAULT_STORE), named is not None


def _store_error(location: str, e: Exception) -> str:
    """One line naming the store and what failed (the store's own message usually names it)."""
    text = " ".join(str(e).split())
    return f"cannot read the store: {text}" if location in text else f"cannot read the store {location}: {text}"


def _missing_store(location: str) -> bool:
    """An embedded store that is not there (opening it would create an empty one)."""
    if location == ":memory:" or location.startswith(("http://", "https://")):
        return False
    return not Path(location).exists()


def _one_pass(files: list[Path], opener, location: str, named: bool) -> bool:
    """Whether to validate large RDF files as `jiukg load` would gate them in bulk (parsed by pyoxigraph,
    validated in one pass on an in-memory Oxigraph store): files the bulk path reads, together over its
    size threshold, and no store whose records they would be checked against (none, or an empty one)."""
    from jiukg import bulk

    if not bulk.eligible(files):
        return False
    if opener is None or _missing_store(location):
        return not named
    try:
        with opener() as st:
            empty = getattr(st, "_is_empty", None)  # the embedded store answers without counting
            return empty() if empty is not None else st.count() == 0
    except Exception:  # unreadable here: the ordinary path says why
        return False


def cli(files, *, store, lang: str = "en", fmt: str = "table", opener: Callable | None = None,
        shapes_files=(), only_shapes: bool = False) -> int:
    """`jiukg validate [FILE...] [--shapes FILE...] [--only-shapes]`: 0 no violation (warnings and
    infos may be listed), 1 violations, 2 unusable input (data or shapes, or shapes SHACL says to
    refuse) or a store that does not exist or cannot be read.

    `shapes_files`: a steward's shapes, added to the project's (`only_shapes`: instead of them)."""
    import logging

    from jiukg.store import StoreError

    # rdflib logs a traceback for every ill-typed literal it parses; the report says it better
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    if fmt not in ("table", "turtle", "json"):
        _err(f"--format {fmt}: use table, turtle or json")
        return 2
    if lang not in LANGS:
        _err(f"--lang {lang}: use en or zh")
        return 2
    files = [Path(f) for f in files or []]
    if only_shapes and not shapes_files:
        _err("--only-shapes needs at least one --shapes FILE")
        return 2
    shapes = None
    if shapes_files:
        try:
            shapes = load_shapes([Path(f) for f in shapes_files], project=not only_shapes)
            handover_reasons(shapes)  # read the whole graph now: a refusal is about the shapes, not the data
        except (ShapesError, OSError) as e:
            _err(f"shapes: {e}")
            return 2
    location, named = _store_location(store)
    if files and shapes is None and _one_pass(files, opener, location, named):
        from jiukg import bulk

        try:
            report = bulk.validate_files(files)
        except bulk.BulkError as e:
            _err(str(e))
            return 2
        if report is None:
            _err("the files hold no data to validate")
            return 2
    elif files:
        from jiukg import pipeline

        graphs: dict[URIRef, Graph] = {}
        for f in files:
            try:
                pr = pipeline.prepare(f)
            except Exception as e:  # unrecognised, unparsable, unreadable: all unusable input
                _err(_input_error(f, e))
                return 2
            for gid, g in pr.graphs.items():
                if gid in graphs:
                    graphs[gid] += g
                else:
                    graphs[gid] = g
        st = None
        if opener is not None and _missing_store(location):
            if named:  # a store asked for by name and not there: never validate against an empty one made up
                _err(f"the store {location} does not exist; nothing was validated "
                     f"(`jiukg build --store {location}` makes one)")
                return 2
        elif opener is not None:
            try:
                st = opener()
            except Exception as e:  # the store cannot be opened (e.g. a running server holds it)
                if named:
                    if isinstance(e, StoreError):
                        _err(_store_error(location, e))
                    return 2  # the opener has said why
                print(f"note: the store {location} could not be opened; validating the files without it",
                      file=sys.stderr)
        try:
            report = validate_write(st, graphs, shapes=shapes)
        except ShapesError as e:
            _err(f"shapes: {e}")
            return 2
        except StoreError as e:
            _err(_store_error(location, e))
            return 2
        finally:
            if st is not None:
                st.close()
    else:
        if opener is None:
            _err("no files and no store to validate")
            return 2
        if _missing_store(location):
            _err(f"the store {location} does not exist (`jiukg build --store {location}` makes one)")
            return 2
        try:
            with opener() as st:
                report = validate_store(st, shapes=shapes)
        except ShapesError as e:
            _err(f"shapes: {e}")
            return 2
        except StoreError as e:
            _err(_store_error(location, e))
            return 2
    out = render(report, fmt, lang)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0 if report.conforms else 1
