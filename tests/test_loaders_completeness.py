"""A copy cut short is refused, whatever the kind of document, and the store is left as it was.

Each corpus document is cut at several points (a share of its characters, back to a line
boundary) and loaded with `jiukg load` into a store holding the full build: the load must be
refused with a message naming the file and what is missing, and the store's N-Quads export must
not change by one byte. What each loader expects comes from the document itself (the annexes and
sections it announces, its closing line, the recommendations it quotes): loaders.completeness.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from jiukg import pipeline
from jiukg.cli import app
from jiukg.store import open_store
from loaders import load_text
from loaders.base import IncompleteDocument, SourceText

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
CUTS = (10, 33, 50, 75, 90)

# What each cut copy lacks, as the document announces it (read from the texts): every cut copy's
# refusal must say so. The progress reports close with their own last annex's line; A/76/644's
# summary announces Annexes I-III; an annual overview closes with its conclusions (结论); the
# note's comments on the five recommendations run to its last line.
DOCUMENTS = {
    "wipo-pbc38-jiu-progress.zh.txt": {pct: "before “[附件四和文件完]”" for pct in CUTS},
    "wipo-pbc35-jiu-progress.zh.md": {pct: "before “[附件三和文件完]”" for pct in CUTS},
    "sg-accountability-report-11.zh.txt": {**{pct: "附件三 is announced in the summary but is not in the text"
                                             for pct in CUTS},
                                          97: "附件三 is announced in the summary but is not in the text"},
    "ceb-annual-overview-2022.zh.txt": {**{pct: "before the section '结论'" for pct in CUTS},
                                       97: "before the section '结论'"},
    "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt": {
        10: "the section '关于具体建议的评论', which every note of this kind has, is not in the text",
        33: "nor is the symbol under which the report was circulated",  # footnote 1 is further on
        50: "stops in mid-sentence",
        75: "stops in mid-sentence",
        90: "recommendation 5 is quoted but no comment on it follows",
        97: "stops in mid-sentence",
    },
}
CASES = [(name, pct, what) for name, cuts in DOCUMENTS.items() for pct, what in sorted(cuts.items())]

runner = CliRunner()


def cut(raw: str, pct: int) -> str:
    """The text up to `pct` % of its characters, back to the last line boundary."""
    head = raw[: len(raw) * pct // 100]
    return head[: head.rfind("\n") + 1]


def export(store: str) -> bytes:
    out = runner.invoke(app, ["export", "--store", store])
    assert out.exit_code == 0, out.output
    return out.stdout_bytes


@pytest.fixture(scope="module")
def store(tmp_path_factory, corpus_dir) -> str:
    path = str(tmp_path_factory.mktemp("completeness") / "store")
    with open_store(path) as st:
        pipeline.build(st, corpus_dir)
    return path


@pytest.mark.parametrize("name,pct,what", CASES, ids=[f"{n.split('.')[0]}-{p}%" for n, p, _ in CASES])
def test_a_cut_copy_is_refused_and_the_store_is_unchanged(name, pct, what, store, corpus_dir, tmp_path):
    raw = (corpus_dir / name).read_text(encoding="utf-8")
    path = tmp_path / f"cut-{pct}-{name}"
    path.write_text(cut(raw, pct), encoding="utf-8")
    before = export(store)
    out = runner.invoke(app, ["load", "--store", store, str(path)])
    assert out.exit_code == 2, out.output
    assert out.exception is None or isinstance(out.exception, SystemExit), out.exception
    message = out.stderr
    assert path.name in message and "the document is incomplete" in message, message
    assert what in message, message
    assert "the store was not changed" in message
    assert export(store) == before


def test_the_full_documents_are_complete(corpus_dir):
    for name in DOCUMENTS:
        ex = load_text(SourceText.from_file(corpus_dir / name))
        assert not [w for w in ex.warnings if w.fatal], name


def test_the_closing_line_cited_is_the_documents_own(corpus_dir):
    """WO/PBC/35/2 ends with “[附件三和文件完]”, WO/PBC/38/2 with “[附件四和文件完]”; the English and French
    fixtures with their own lines: a truncated copy is told the line its own annexes call for."""
    sources = {corpus_dir / "wipo-pbc35-jiu-progress.zh.md": "[附件三和文件完]",
               corpus_dir / "wipo-pbc38-jiu-progress.zh.txt": "[附件四和文件完]",
               FIXTURES / "progress_report.en.txt": "[End of Annex IV and of document]",
               FIXTURES / "progress_report.fr.txt": "[Fin de l'annexe III et du document]"}
    for path, closing in sources.items():
        raw = path.read_text(encoding="utf-8")
        assert raw.count(closing) == 1, path.name  # the document does print it
        ex = load_text(SourceText(raw.replace(closing, ""), name=path.name))
        fatal = [w.message for w in ex.warnings if w.fatal]
        assert len(fatal) == 1 and f"before “{closing}”, the line that closes the document" in fatal[0], fatal


@pytest.mark.parametrize("name", ["progress_report.en.txt", "progress_report.fr.txt", "ceb_comments.en.txt",
                                  "ceb_comments.fr.txt", "ceb_overview.en.txt", "ceb_overview.fr.txt",
                                  "sg_accountability.en.txt", "sg_accountability.fr.txt"])
def test_fixtures_are_complete_and_their_cut_copies_are_not(name):
    """The checks are lexicon data: the English and French fixtures load whole, and half of one is refused."""
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    assert not [w for w in load_text(SourceText(raw, name=name)).warnings if w.fatal]
    half = load_text(SourceText(cut(raw, 50), name=name))
    assert [w for w in half.warnings if w.fatal], name


def test_the_ceb_note_without_its_footnote_gets_no_made_up_symbol(corpus_dir, store, tmp_path):
    """Without footnote 1 (the report's circulation symbol) the note's symbol cannot be established:
    it is refused, not stored a second time under an invented 'JIU/REP/2024/4/CEB-comments'."""
    raw = (corpus_dir / "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt").read_text(encoding="utf-8")
    footnote = " 1 以文号 A/80/263 向大会分发。 \n"
    assert raw.count(footnote) == 1
    path = tmp_path / "note-without-footnote.txt"
    path.write_text(raw.replace(footnote, "").replace("https://docs.un.org/zh/A/80/263\n", ""), encoding="utf-8")
    ex = load_text(SourceText.from_file(path))
    fatal = [str(w) for w in ex.warnings if w.fatal]
    assert fatal == ["note-without-footnote.txt: incomplete: the note's own symbol is printed nowhere, nor is the "
                     "symbol under which the report was circulated (the footnote the note's symbol is derived "
                     "from); a symbol is never invented"]
    assert "CEB-comments" not in ex.symbol
    before = export(store)
    out = runner.invoke(app, ["load", "--store", store, str(path)])
    assert out.exit_code == 2 and "a symbol is never invented" in out.stderr
    assert export(store) == before


def test_a_file_cut_inside_a_character_is_incomplete_not_unknown(corpus_dir, tmp_path):
    data = (corpus_dir / "wipo-pbc35-jiu-progress.zh.md").read_bytes()
    at = next(i for i in range(len(data) // 2, len(data)) if data[i] >= 0xC0)  # a multi-byte character starts
    path = tmp_path / "cut.md"
    path.write_bytes(data[: at + 1])
    with pytest.raises(IncompleteDocument, match=r"cut\.md: .*stops inside a character"):
        SourceText.from_file(path)
