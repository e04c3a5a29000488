"""The channel a recommendation is implemented through is read once, for every loader (loaders.mechanisms).

JIU/REP/2024/4 rec 2 is quoted by WIPO's WO/PBC/38/2 and by the note with the CEB's comments:
"联合国系统各组织行政首长应通过联合国系统行政首长协调理事会……责成相互承认同业交流群……". The
executive heads act through the CEB; the community of practice is what they task. Both documents
must say the CEB, in every language.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from jiukg.namespaces import org_iri, rec_iri
from loaders import load_text, reference
from loaders.base import SourceText
from loaders.mechanisms import implementation_channel

FIXTURES = Path(__file__).parent / "fixtures"
CEB, HLCM = str(org_iri("CEB")), str(org_iri("HLCM"))
UNSPECIFIED = "https://w3id.org/jiukg/ontology#UnspecifiedInterAgencyMechanism"


def _recs(path: Path):
    data = load_text(SourceText.from_file(path)).data
    return data.recommendations if hasattr(data, "recommendations") else data.records


@pytest.mark.parametrize("lang,text,channel,evidence", [
    ("zh", "行政首长应通过管理问题高级别委员会制定准则。", [HLCM], ["通过管理问题高级别委员会"]),
    ("zh", "行政首长作为首协会成员，应请管理问题高级别委员会人力资源网审议。", [CEB], ["作为首协会成员"]),
    # a phrase naming no mechanism is not the CEB (issue 12): the unspecified one
    ("zh", "这项建议应通过适当的机构间机制落实。", [UNSPECIFIED], ["通过适当的机构间机制"]),
    ("zh", "行政首长应请管理问题高级别委员会人力资源网审议。", [], []),
    ("en", "Executive heads should, through the High-level Committee on Management, adopt guidelines.", [HLCM],
     ["through the High-level Committee on Management"]),
    ("en", "Executive heads, as members of the CEB, should request the HLCM Human Resources Network to act.", [CEB],
     ["as members of the CEB"]),
    ("en", "Executive heads should request the HLCM Human Resources Network to act.", [], []),
    ("fr", "Les chefs de secrétariat devraient, par l'intermédiaire du Comité de haut niveau sur la gestion, agir.",
     [HLCM], ["par l'intermédiaire du Comité de haut niveau sur la gestion"]),
    ("fr", "Les chefs de secrétariat, en leur qualité de membres du CCS, devraient agir.", [CEB],
     ["en leur qualité de membres du CCS"]),
])
def test_the_channel_is_the_mechanism_the_phrase_names(lang, text, channel, evidence):
    assert implementation_channel(text, lang) == (channel, evidence)


def test_jiu_rep_2024_4_rec_2_has_the_same_channel_in_both_documents(corpus_dir):
    progress = next(r for r in _recs(corpus_dir / "wipo-pbc38-jiu-progress.zh.txt")
                    if (r.report, r.number) == ("JIU/REP/2024/4", 2))
    note = next(r for r in _recs(corpus_dir / "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt") if r.number == 2)
    # both texts also name the community of practice: it is not the channel
    for r in (progress, note):
        assert str(org_iri("MR-COP")) in {str(iri) for _, iri in reference.names_in(r.text)}, r.text
    assert progress.channel == note.channel == [CEB]
    assert progress.channel_evidence == note.channel_evidence == ["通过联合国系统行政首长协调理事会"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_fixtures_name_the_ceb_though_the_text_names_a_body_under_it(lang):
    """Rec 2 of the note (through the CEB … the community of practice) and JIU/REP/2023/8 rec 7 of the progress
    report (as members of the CEB … request the HLCM Human Resources Network): the CEB, in both kinds."""
    note = next(r for r in _recs(FIXTURES / f"ceb_comments.{lang}.txt") if r.number == 2)
    assert note.channel == [CEB] and all(e in note.text for e in note.channel_evidence)
    recs = {(r.report, r.number): r for r in _recs(FIXTURES / f"progress_report.{lang}.txt")}
    for key in [("JIU/REP/2024/3", 2), ("JIU/REP/2023/8", 7)]:
        if key in recs:
            assert recs[key].channel == [CEB], key
    if lang == "en":
        r = recs[("JIU/REP/2023/8", 7)]
        assert str(org_iri("HLCM-HR")) in {str(iri) for _, iri in reference.names_in(r.text)}


def test_every_recommendation_quoted_twice_has_one_channel_in_the_store(built_store):
    rows = built_store.query("""
        PREFIX jiu: <https://w3id.org/jiukg/ontology#>
        SELECT ?g ?r ?m WHERE { GRAPH ?g { ?r a jiu:Recommendation . OPTIONAL { ?r jiu:toBeImplementedThrough ?m } } }
    """).rows
    per: dict = defaultdict(lambda: defaultdict(set))
    for row in rows:
        if "m" in row:
            per[row["r"]][row["g"]].add(row["m"])
        else:
            per[row["r"]].setdefault(row["g"], set())
    twice = {r: graphs for r, graphs in per.items() if len(graphs) > 1}
    assert rec_iri("JIU/REP/2024/4", 2) in twice
    for r, graphs in twice.items():
        assert len({frozenset(ms) for ms in graphs.values()}) == 1, (r, dict(graphs))
    assert {str(m) for m in next(iter(twice[rec_iri("JIU/REP/2024/4", 2)].values()))} == {CEB}
