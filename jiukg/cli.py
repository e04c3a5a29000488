"""The `jiukg` command: build, load, validate, query, serve, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

import jiukg

app = typer.Typer(help="jiukg: a knowledge graph of JIU recommendations, organisations' status and CEB comments.",
                  no_args_is_help=True, add_completion=False)

StoreOpt = typer.Option(None, "--store", help="Store: a directory (embedded Oxigraph, default var/store) or a SPARQL query URL.",
                        envvar="JIUKG_STORE", show_default=False)
UpdateOpt = typer.Option(None, "--update-url", help="SPARQL 1.1 Update URL of a remote store.", envvar="JIUKG_UPDATE_URL")
GspOpt = typer.Option(None, "--gsp-url", help="Graph Store Protocol URL of a remote store.", envvar="JIUKG_GSP_URL")
QuietOpt = typer.Option(False, "--quiet", "-q", help="Only the summary lines (and the violations when refused).")
ReplaceOpt = typer.Option(False, "--replace", help="Replace documents even if that removes records the store holds "
                                                    "(without it, such a write is refused with the list).")


def _version(value: bool):
    if value:
        typer.echo(f"jiukg {jiukg.__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version.")):
    """jiukg command line."""


def _open(store, update_url=None, gsp_url=None, *, read: bool = False, queries: bool = True):
    """The store; `read`: a command that only reads may read through the `jiukg serve` holding it.
    `queries=False`: a command that runs no queries through the store's workers (restore) opens a named
    on-disk store without reading the settings, whose import alone is a tenth of a second."""
    from jiukg.store import StoreBusy, StoreError, open_store

    try:
        if not queries and store and not store.startswith(("http://", "https://")):
            return open_store(store)
        from jiukg.config import settings, store_options

        s = settings(store=store, update_url=update_url, gsp_url=gsp_url)
        return open_store(s.store, **store_options(s))
    except StoreBusy as e:
        url = e.holder.get("url")
        if read and url:
            return _served_copy(e, url)
        pid = e.holder.get("pid")
        todo = (f"stop it first (kill -TERM {pid}), then run this again" if pid else "wait for it to end")
        if read:
            _fail(f"{e}, which serves no URL to read it through: {todo}", 2)
        if url:
            todo += (f"; or write through the running service, with -H \"Authorization: Bearer $JIUKG_WRITE_TOKEN\": "
                     f"curl -X POST --data-binary @FILE -H 'Content-Type: text/plain' {url}/data (RDF: its own "
                     f"Content-Type; add ?replace=true to replace), or curl -X DELETE '{url}/data?document=SYMBOL'")
        _fail(f"{e}; this command writes, and only one process may write the store: {todo}", 2)
    except StoreError as e:
        _fail(str(e), 2)


def _served_copy(busy, url: str):
    """The store `jiukg serve` holds, read through that service: its whole dump (N-Quads) in an
    in-memory store. RocksDB lets no second process open a store that is being written safely."""
    import httpx
    import pyoxigraph as ox

    from jiukg.store import open_store
    from jiukg.store.sparql import from_ox

    typer.echo(f"note: {busy}; reading it through {url}", err=True)
    try:
        r = httpx.get(f"{url}/dump", params={"format": "nquads"}, timeout=600)
        r.raise_for_status()
    except httpx.HTTPError as e:
        _fail(f"{busy}, which did not answer at {url}/dump ({e})", 2)
    st = open_store(":memory:")
    st.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name))
           for q in ox.parse(r.content, format=ox.RdfFormat.N_QUADS))
    return st


def _fail(message: str, code: int = 1):
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _progress(quiet: bool):
    return (lambda s: None) if quiet else (lambda s: typer.echo(s, err=True))


def _report_table(report, *, violations_only: bool = False) -> str:
    """The validation table without its closing count line (the summary prints that);
    with violations_only, just the results that refused the write."""
    import dataclasses

    from jiukg.validation import render_text

    if report is None:
        return ""
    shown = dataclasses.replace(report, results=[r for r in report.results if r.severity == "Violation"]) \
        if violations_only else report
    if not shown.results:
        return ""
    text = render_text(shown)
    return text[: -len(shown.summary())].rstrip() if text.endswith(shown.summary()) else text


def _report_write(error, quiet: bool = False):
    """A refused write: the results that refused it (all of them unless quiet), then one error line."""
    from jiukg.pipeline import WouldRemove

    if isinstance(error, WouldRemove):
        for line in error.lines(examples=0 if quiet else 5):
            typer.echo(f"would remove: {line}", err=True)
    if error.report is not None:
        table = _report_table(error.report, violations_only=quiet)
        if table:
            typer.echo(table, err=True)
        typer.echo(f"validation report: {error.report.summary()}", err=True)
    _fail(str(error))


@app.command()
def build(corpus: Path = typer.Option(None, "--corpus", help="Folder of source documents (default data/corpus)."),
          store: Optional[str] = StoreOpt, update_url: Optional[str] = UpdateOpt, gsp_url: Optional[str] = GspOpt,
          quiet: bool = QuietOpt, replace: bool = ReplaceOpt):
    """Load a whole corpus into the store, each document in its own named graph."""
    from jiukg import pipeline
    from jiukg.paths import CORPUS_DIR
    from jiukg.store import StoreError
    from loaders import UnrecognisedDocument

    corpus = corpus or CORPUS_DIR
    if not corpus.is_dir():
        _fail(f"{corpus}: not a folder", 2)
    with _open(store, update_url, gsp_url) as st:
        try:
            summary = pipeline.build(st, corpus, progress=_progress(quiet), replace=replace)
        except pipeline.WriteRefused as e:
            _report_write(e, quiet)
        except (StoreError, UnrecognisedDocument) as e:
            _fail(str(e))
    _print_summary(summary, quiet)


@app.command()
def load(files: List[Path] = typer.Argument(..., help="Source texts or RDF files (Turtle, N-Triples, JSON-LD, TriG, N-Quads), "
                                                 "or filled-in status templates (CSV, its CSVW metadata, XLSX)."),
         store: Optional[str] = StoreOpt, update_url: Optional[str] = UpdateOpt, gsp_url: Optional[str] = GspOpt,
         quiet: bool = QuietOpt, replace: bool = ReplaceOpt,
         org: Optional[str] = typer.Option(None, "--org", help="Status templates: the organisation you submit for "
                                           "(needed for a CSV without its metadata file)."),
         lang: Optional[str] = typer.Option(None, "--lang", help="Status templates: language of the errors "
                                            "(zh, en, fr, es, ru, ar; default: the template's)."),
         bulk: Optional[bool] = typer.Option(None, "--bulk/--no-bulk", show_default=False,
                                             help="Parse with pyoxigraph, validate in batches and write with the bulk "
                                                  "loader (on-disk store; N-Quads, N-Triples, TriG, Turtle, optionally "
                                                  "gzipped). Default: for files over 20 MB together, into an empty "
                                                  "store or with --replace.")):
    """Add or replace documents; nothing is written if any file is refused or breaks a shape, or would
    remove records the store holds (unless --replace)."""
    from jiukg import bulk as bulk_path
    from jiukg import pipeline
    from jiukg.store import StoreError
    from jiukg.store.embedded import EmbeddedStore
    from loaders import UnrecognisedDocument

    with _open(store, update_url, gsp_url) as st:
        fast = bulk is not False and isinstance(st, EmbeddedStore) and st.path is not None \
            and bulk_path.eligible(files, force=bool(bulk))
        if bulk and not fast:
            _fail("--bulk needs an on-disk store and RDF files it reads (.nq, .nt, .trig, .ttl, optionally .gz)", 2)
        if fast and not replace and not st._is_empty():
            # the bulk path replaces whole graphs without listing what that removes: only when asked
            if bulk:
                _fail("--bulk into a store that holds data replaces whole graphs: add --replace to mean it", 2)
            fast = False
        try:
            if fast:
                summary = bulk_path.load(st, files, progress=_progress(quiet))
            else:
                summary = pipeline.load(st, files, progress=_progress(quiet), replace=replace, org=org, lang=lang)
        except UnrecognisedDocument as e:
            _fail(f"refused {e}; the store was not changed", 2)
        except pipeline.WriteRefused as e:
            _report_write(e, quiet)
        except StoreError as e:
            _fail(str(e))
    _print_summary(summary, quiet)


@app.command()
def delete(documents: List[str] = typer.Argument(..., help="Document symbols (A/80/263/Add.1) or named graph IRIs."),
           store: Optional[str] = StoreOpt, update_url: Optional[str] = UpdateOpt, gsp_url: Optional[str] = GspOpt,
           quiet: bool = QuietOpt):
    """Remove whole documents (their named graphs); refused if other documents would point at nothing."""
    from jiukg import pipeline
    from jiukg.store import StoreError

    with _open(store, update_url, gsp_url) as st:
        try:
            report = pipeline.delete(st, documents, progress=_progress(quiet))
        except pipeline.WriteRefused as e:
            _report_write(e, quiet)
        except StoreError as e:
            _fail(str(e))
        typer.echo(f"deleted {len(documents)} document{'s' * (len(documents) != 1)}; the store holds {st.count()} triples")
    if not quiet and report is not None:
        table = _report_table(report)
        if table:
            typer.echo(table, err=True)


@app.command()
def restore(release: Path = typer.Argument(..., help="A `jiukg release` folder (or N-Quads dumps with a SHA256SUMS)."),
            store: Optional[str] = StoreOpt,
            validate: bool = typer.Option(False, "--validate/--no-validate",
                                          help="Validate again (a release was validated when it was made)."),
            quiet: bool = QuietOpt):
    """Replace the whole on-disk store with a release, checksums verified; all or nothing."""
    from jiukg import bulk
    from jiukg.store import StoreError
    from jiukg.store.embedded import EmbeddedStore

    with _open(store, queries=False) as st:
        if not isinstance(st, EmbeddedStore) or st.path is None:
            _fail("restore needs an on-disk embedded store", 2)
        try:
            n = bulk.restore(st, release, validate=validate, progress=_progress(quiet))
        except StoreError as e:
            _fail(str(e))
        except Exception as e:  # the pipeline (and its imports) only when a revalidation refused the release
            from jiukg import pipeline

            if not isinstance(e, pipeline.WriteRefused):
                raise
            _report_write(e, quiet)
    typer.echo(f"restored {n} quads from {release}")


def _print_summary(summary, quiet: bool = False):
    """Loader warnings and the validation table (unless quiet), then the summary lines."""
    if not quiet:
        for w in summary.warnings:
            typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)
        table = _report_table(summary.validation)
        if table:
            typer.echo(table, err=True)
    for line in summary.lines():
        typer.echo(line)


@app.command()
def validate(files: List[Path] = typer.Argument(None, help="RDF files to validate; none: the store."),
             store: Optional[str] = StoreOpt,
             lang: str = typer.Option("en", "--lang", help="Language of the messages (en, zh)."),
             fmt: str = typer.Option("table", "--format", help="table, turtle or json."),
             shapes: List[Path] = typer.Option([], "--shapes", help="A shapes file (Turtle or N-Triples) of "
                                               "your own, added to the project's shapes; repeatable."),
             only_shapes: bool = typer.Option(False, "--only-shapes", help="Use only the --shapes files, "
                                              "not the project's shapes.")):
    """Validate data against the SHACL shapes.

    Exit 0: no violations (warnings and infos may be listed; the standard report's sh:conforms is
    false whenever there is any result), 1: violations, 2: unusable input, or a store that does not
    exist or cannot be read. Large RDF files (over 20 MB together, .nq/.nt/.trig/.ttl) checked against
    no store, or an empty one, are parsed by pyoxigraph and validated in one pass, as `load --bulk` does."""
    from jiukg import validation

    code = validation.cli(files or [], store=store, lang=lang, fmt=fmt, opener=lambda: _open(store, read=True),
                          shapes_files=shapes, only_shapes=only_shapes)
    raise typer.Exit(code)


@app.command()
def query(name: Optional[str] = typer.Argument(None, help="A catalogue query name (`jiukg query --list` lists them), "
                                                           "or a .rq file with a '# title:' header line."),
          param: List[str] = typer.Option([], "--param", "-p", help="k=v, repeatable."),
          fmt: str = typer.Option("table", "--format", help="table, csv or json."),
          list_: bool = typer.Option(False, "--list", "-l", help="List the catalogue's queries and their parameters."),
          store: Optional[str] = StoreOpt):
    """Run a named query of the catalogue, or a .rq file."""
    from jiukg import catalogue

    if list_:
        name = "list"
    if not name:
        _fail("name a catalogue query or a .rq file (`jiukg query --list` lists the catalogue)", 2)
    try:
        code = catalogue.cli(name, param, fmt, opener=lambda: _open(store, read=True))
    except catalogue.CatalogueError as e:  # e.g. a .rq file without its '# title:' header line
        _fail(str(e), 2)
    except (OSError, UnicodeDecodeError) as e:
        _fail(f"{name}: cannot be read ({e})", 2)
    raise typer.Exit(code)


@app.command()
def serve(store: Optional[str] = StoreOpt, update_url: Optional[str] = UpdateOpt, gsp_url: Optional[str] = GspOpt,
          host: str = typer.Option(None, "--host", envvar="JIUKG_HOST"),
          port: int = typer.Option(None, "--port", envvar="JIUKG_PORT"),
          query_timeout: float = typer.Option(None, "--query-timeout", envvar="JIUKG_QUERY_TIMEOUT",
                                              help="Seconds a user query may run (default 10)."),
          query_workers: int = typer.Option(None, "--query-workers", envvar="JIUKG_QUERY_WORKERS",
                                            help="Embedded store: most user queries running at once (default 4)."),
          write_tokens_file: Optional[Path] = typer.Option(
              None, "--write-tokens-file", envvar="JIUKG_WRITE_TOKENS_FILE",
              help="TOML or JSON file of hashed write tokens scoped to organisations (`jiukg token`).")):
    """Serve SPARQL, linked data and the web page (builds the bundled corpus on first run)."""
    from jiukg.auth import TokenConfigError
    from jiukg.store import StoreError
    from service.app import run

    try:
        run(store=store, update_url=update_url, gsp_url=gsp_url, host=host, port=port,
            query_timeout=query_timeout, query_workers=query_workers,
            write_tokens_file=str(write_tokens_file) if write_tokens_file else None)
    except (StoreError, TokenConfigError) as e:
        _fail(str(e))


@app.command()
def token(name: str = typer.Option("publisher", "--name", help="The token's name, recorded with its writes."),
          organisation: Optional[str] = typer.Option(None, "--organisation", "--org",
                                                     help="Its organisation's acronym (omit with --admin)."),
          admin: bool = typer.Option(False, "--admin", help="A token that may write every graph.")):
    """Make a new write token: prints the token (give it to its holder; it is shown once) and the lines to
    paste into the tokens file, which keeps only its hash."""
    from jiukg.auth import new_token

    if not admin and not organisation:
        _fail("give --organisation ORG (or --admin)", 2)
    secret, hashed = new_token()
    typer.echo(f"token: {secret}", err=True)
    lines = ["[[tokens]]", f'name = "{name}"']
    if organisation:
        lines.append(f'organisation = "{organisation}"')
    if admin:
        lines.append("admin = true")
    lines.append(f'hash = "{hashed}"')
    typer.echo("\n".join(lines))


EXPORT_FORMATS = ("nquads", "trig", "turtle", "nt", "json-ld")


@app.command()
def export(fmt: str = typer.Option("nquads", "--format", help="nquads, trig, turtle, nt or json-ld."),
           output: Path = typer.Option(None, "--output", "-o", help="File to write (default: standard output)."),
           store: Optional[str] = StoreOpt):
    """Write the whole store in a standard RDF syntax."""
    from jiukg.store import StoreError

    if fmt not in EXPORT_FORMATS:
        _fail(f"--format {fmt}: use one of {', '.join(EXPORT_FORMATS)}", 2)
    with _open(store, read=True) as st:
        try:
            data = st.export(fmt)
        except StoreError as e:
            _fail(str(e))
    if output:
        try:
            output.write_bytes(data)
        except OSError as e:
            _fail(f"{output}: {e.strerror or e}")
    else:
        sys.stdout.buffer.write(data)


@app.command()
def release(out: Path = typer.Option(None, "--out", help="Folder of releases (default JIUKG_RELEASES or var/releases); "
                                                        "the release goes into a new folder below it."),
            version: str = typer.Option(None, "--version", help="Release version (default: today's date, UTC)."),
            base_url: str = typer.Option(None, "--base-url", help="Public URL of the releases folder, for the "
                                         "download links (default https://w3id.org/jiukg/releases/)."),
            store: Optional[str] = StoreOpt, update_url: Optional[str] = UpdateOpt, gsp_url: Optional[str] = GspOpt):
    """Write a dated, immutable release: gzipped dumps (whole and per graph) described in DCAT and VoID."""
    from jiukg.config import settings
    from jiukg.paths import DEFAULT_RELEASES
    from jiukg.release import ReleaseError, make_release
    from jiukg.store import StoreError

    folder = out or Path(settings().releases or DEFAULT_RELEASES)
    with _open(store, update_url, gsp_url) as st:
        try:
            target = make_release(st, folder, version=version, base_url=base_url)
        except ReleaseError as e:
            _fail(str(e))
        except (StoreError, OSError) as e:
            _fail(f"nothing was released: {e}")
    typer.echo(f"release written to {target}")
    for f in sorted(p for p in target.rglob("*") if p.is_file()):
        typer.echo(f"  {f.relative_to(target)}  {f.stat().st_size} bytes")


@app.command()
def template(org: str = typer.Option(..., "--org", help="The organisation: acronym (ILO), name or IRI."),
             report: str = typer.Option(..., "--report", help="The JIU report or note, e.g. JIU/REP/2024/4."),
             lang: str = typer.Option("en", "--lang", help="Language of the titles, labels and instructions: "
                                      "zh, en, fr, es, ru or ar."),
             fmt: str = typer.Option("csv", "--format", help="csv (with its CSVW metadata file beside it) or xlsx."),
             out: Optional[Path] = typer.Option(None, "--out", help="File to write (default: ORG-REPORT-LANG.csv "
                                                "or .xlsx here); a CSV's metadata goes to OUT-metadata.json."),
             store: Optional[str] = StoreOpt, update_url: Optional[str] = UpdateOpt, gsp_url: Optional[str] = GspOpt):
    """Write the status-reporting template of an organisation for a report, pre-filled from the graph."""
    import json

    from jiukg import template as tpl
    from jiukg.store import StoreError

    if fmt not in ("csv", "xlsx"):
        _fail(f"unknown format {fmt!r}: csv or xlsx", 2)
    with _open(store, update_url, gsp_url) as st:
        try:
            t = tpl.build(st, org, report, lang)
        except tpl.TemplateRequestError as e:
            _fail(str(e), 2)
        except StoreError as e:
            _fail(str(e))
    path = out or Path(f"{t.file_stem()}.{fmt}")
    if fmt == "xlsx":
        path.write_bytes(tpl.to_xlsx(t))
        typer.echo(f"wrote {path} ({len(t.rows)} recommendations)")
        return
    md = tpl.csvw_metadata(t, path.name)  # the metadata names the CSV beside it (CSVW: NAME.csv-metadata.json)
    path.write_text(tpl.to_csv(t), encoding="utf-8", newline="")
    meta = path.with_name(path.name + "-metadata.json")
    meta.write_text(json.dumps(md, ensure_ascii=False, indent=2), encoding="utf-8")
    typer.echo(f"wrote {path} ({len(t.rows)} recommendations) and {meta}")


if __name__ == "__main__":
    app()
