"""Loaders: one module per document kind, all behind loaders.base.Loader.

`recognise(text)` picks the loader from the content; `load_text(text)` runs it.
"""

from __future__ import annotations

from .base import Extraction, Loader, LoadWarning, SourceText, UnrecognisedDocument


def registry() -> list[Loader]:
    """All loaders, most specific first. Imported lazily so one broken loader
    module names itself in the error instead of breaking the package."""
    from .progress_report import ProgressReportLoader
    from .ceb_comments import CEBCommentsLoader
    from .sg_accountability import SGAccountabilityLoader
    from .ceb_overview import CEBOverviewLoader

    return [ProgressReportLoader(), CEBCommentsLoader(), SGAccountabilityLoader(), CEBOverviewLoader()]


def recognise(text: SourceText) -> Loader:
    if not text.raw.strip():
        raise UnrecognisedDocument(f"{text.name}: the file is empty")
    found = [loader for loader in registry() if loader.recognise(text)]
    if not found:
        raise UnrecognisedDocument(
            f"{text.name}: not a document kind jiukg knows (a progress report on JIU "
            "recommendations, a note transmitting CEB comments, an SG accountability report, "
            "a CEB annual overview) nor an RDF file"
        )
    return found[0]


def load_text(text: SourceText) -> Extraction:
    return recognise(text).load(text)


__all__ = ["Extraction", "Loader", "LoadWarning", "SourceText", "UnrecognisedDocument", "recognise", "load_text", "registry"]
