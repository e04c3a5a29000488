"""The one small interface every loader implements: recognise → extract → emit.

A loader is one module per document kind. It recognises its kind from the
content (never the file name), extracts records (plain dataclasses, easy to
compare in tests) and emits RDF into the document's own named graph, with
provenance to the passage each record came from.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef


class UnrecognisedDocument(Exception):
    """No loader recognises the text; the message names the file and why."""


class IncompleteDocument(UnrecognisedDocument):
    """A loader recognised the document but found it incomplete (e.g. truncated):
    loading it would replace good data with less, so it is refused."""


@dataclass(frozen=True)
class LoadWarning:
    """Something a steward should look at: a count that does not match, a record
    parsed only in part. Never a silent loss."""

    document: str  # symbol of the document, or the file name when unknown
    line: int | None
    message: str
    fatal: bool = False  # the document is incomplete (e.g. truncated): it must not replace what the store holds

    def __str__(self) -> str:
        where = f"{self.document}:{self.line}" if self.line else self.document
        return f"{where}: {self.message}"


@dataclass
class SourceText:
    """A source file's text exactly as read, with line/offset helpers for provenance.

    `raw` is never altered: offsets and line numbers refer to it. Loaders work
    on normalised copies (loaders.text) and map positions back through lines.
    """

    raw: str
    name: str = "<text>"  # for messages only; nothing may depend on it

    def __post_init__(self):
        self.sha256 = hashlib.sha256(self.raw.encode("utf-8")).hexdigest()
        self.lines = self.raw.split("\n")
        self._starts = [0]
        for line in self.lines[:-1]:
            self._starts.append(self._starts[-1] + len(line) + 1)

    @classmethod
    def from_file(cls, path: str | Path) -> "SourceText":
        p = Path(path)
        data = p.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            if e.end == len(data) and e.reason == "unexpected end of data":
                # UTF-8 text that stops inside a character: a copy cut short, not some other kind of file
                raise IncompleteDocument(f"{p.name}: the document is incomplete, so it was not loaded: the file "
                                         f"stops inside a character at byte {e.start}, cut short") from e
            raise UnrecognisedDocument(f"{p.name}: not UTF-8 text ({e.reason} at byte {e.start})") from e
        return cls(text.replace("\r\n", "\n"), name=p.name)

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return bisect_right(self._starts, offset)

    def line_start(self, line: int) -> int:
        return self._starts[line - 1]

    def span(self, start_line: int, end_line: int) -> tuple[str, int, int]:
        """Text and [start, end) offsets of lines start_line..end_line (1-based, inclusive)."""
        start = self._starts[start_line - 1]
        end = self._starts[end_line - 1] + len(self.lines[end_line - 1])
        return self.raw[start:end], start, end


@dataclass
class Extraction:
    """What a loader got from one document: its graph, counts and warnings."""

    symbol: str  # the document's official symbol; its named graph derives from it
    kind: str  # notation in the document-kind scheme
    graph: Graph
    records: Counter = field(default_factory=Counter)  # e.g. {'recommendation': 35}
    warnings: list[LoadWarning] = field(default_factory=list)
    data: Any = None  # the extracted records themselves, for tests and checks

    @property
    def graph_iri(self) -> URIRef:
        from jiukg.namespaces import graph_iri

        return graph_iri(self.symbol)


class Loader(ABC):
    """One document kind."""

    kind: str  # notation in the document-kind scheme, e.g. 'progress-report'

    @abstractmethod
    def recognise(self, text: SourceText) -> bool:
        """Is this text a document of my kind? Decide from content only."""

    @abstractmethod
    def extract(self, text: SourceText) -> Any:
        """Read the records. Incomplete records are kept, with warnings."""

    @abstractmethod
    def emit(self, text: SourceText, records: Any) -> Extraction:
        """Write the records as RDF, with provenance."""

    def load(self, text: SourceText) -> Extraction:
        return self.emit(text, self.extract(text))
