"""Facts typed by hand from reading WO/PBC/38/2, independent of the loaders' expected files.

The loader tests compare every field with expected records; this table was
written separately, straight from the source text, so that a loader and its
expected file cannot agree on a mistake unnoticed.
"""

from __future__ import annotations

from jiukg.namespaces import normalize_symbol
from loaders import SourceText, load_text

L, E = "legislative", "executive-head"
A, NA, UC, NR = "accepted", "not-accepted", "under-consideration", "not-relevant"
I, P = "implemented", "in-progress"

# (report, rec, addressee, acceptance, implementation) in the order the annexes print them
WO_PBC_38_2 = [
    # Annex I: to legislative organs (9)
    ("JIU/REP/2024/3", 2, L, A, I), ("JIU/REP/2024/3", 3, L, A, I), ("JIU/REP/2024/2", 2, L, A, I),
    ("JIU/REP/2023/6", 4, L, A, I), ("JIU/REP/2023/4", 3, L, A, I), ("JIU/REP/2023/3", 1, L, A, P),
    ("JIU/REP/2023/3", 2, L, UC, None), ("JIU/REP/2023/2", 5, L, A, P), ("JIU/REP/2020/7", 6, L, A, I),
    # Annex II: to the executive head (20)
    ("JIU/REP/2024/4", 1, E, UC, None), ("JIU/REP/2024/4", 2, E, UC, None), ("JIU/REP/2024/4", 3, E, UC, None),
    ("JIU/REP/2024/3", 1, E, NR, None), ("JIU/REP/2024/2", 3, E, NR, None), ("JIU/REP/2024/2", 5, E, A, I),
    ("JIU/REP/2024/2", 6, E, A, I), ("JIU/REP/2023/9", 2, E, A, I), ("JIU/REP/2023/9", 5, E, A, I),
    ("JIU/REP/2023/8", 1, E, UC, None), ("JIU/REP/2023/8", 2, E, NR, None), ("JIU/REP/2023/8", 7, E, NR, None),
    ("JIU/REP/2023/6", 2, E, A, I), ("JIU/REP/2023/4", 2, E, A, I), ("JIU/REP/2023/4", 9, E, NA, None),
    ("JIU/REP/2023/4", 10, E, A, I), ("JIU/REP/2023/3", 3, E, NA, None), ("JIU/REP/2023/3", 4, E, NR, None),
    ("JIU/REP/2023/3", 5, E, NR, None), ("JIU/REP/2019/5", 1, E, A, P),
    # Annex III: from a note, to the executive head (6)
    ("JIU/NOTE/2022/1 Rev.1", 1, E, NR, None), ("JIU/NOTE/2022/1 Rev.1", 2, E, NA, None),
    ("JIU/NOTE/2022/1 Rev.1", 3, E, A, I), ("JIU/NOTE/2022/1 Rev.1", 4, E, NR, None),
    ("JIU/NOTE/2022/1 Rev.1", 5, E, NA, None), ("JIU/NOTE/2022/1 Rev.1", 6, E, A, I),
]

# the management assessments that hand the matter to an inter-agency mechanism
DEFERRED = {("JIU/REP/2024/3", 1), ("JIU/REP/2024/2", 3), ("JIU/REP/2023/8", 7), ("JIU/REP/2023/3", 4),
            ("JIU/REP/2023/3", 5), ("JIU/NOTE/2022/1/Rev.1", 1), ("JIU/NOTE/2022/1/Rev.1", 4)}


def _rows(built_store, query):
    return [{k: str(v) for k, v in row.items()} for row in built_store.query(query).rows]


def test_every_wo_pbc_38_2_status_as_typed_from_the_source(built_store):
    rows = _rows(built_store, """
        PREFIX jiu: <https://w3id.org/jiukg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?report ?n ?addr ?acc ?impl WHERE {
          ?s jiu:reportedIn ?d ; jiu:aboutRecommendation ?r ; jiu:acceptance/skos:notation ?acc .
          ?d jiu:symbol "WO/PBC/38/2" .
          ?r jiu:inPublication/jiu:symbol ?report ; jiu:recommendationNumber ?n ; jiu:addresseeKind/skos:notation ?addr .
          OPTIONAL { ?s jiu:implementation/skos:notation ?impl }
        }""")
    got = sorted((r["report"], int(r["n"]), r["addr"], r["acc"], r.get("impl")) for r in rows)
    typed = sorted((normalize_symbol(rep), n, a, acc, impl) for rep, n, a, acc, impl in WO_PBC_38_2)
    assert got == typed


def test_deferrals_in_wo_pbc_38_2(built_store):
    rows = _rows(built_store, """
        PREFIX jiu: <https://w3id.org/jiukg/ontology#>
        SELECT DISTINCT ?report ?n WHERE {
          ?s jiu:reportedIn/jiu:symbol "WO/PBC/38/2" ; jiu:deferredTo ?m ; jiu:aboutRecommendation ?r .
          ?r jiu:inPublication/jiu:symbol ?report ; jiu:recommendationNumber ?n .
        }""")
    assert {(r["report"], int(r["n"])) for r in rows} == DEFERRED


def test_stated_counts_hold():
    """Paragraphs 2, 3 and 5 state 9, 20 and 6 recommendations; the typed table agrees with them."""
    assert [sum(1 for r in WO_PBC_38_2[a:b]) for a, b in ((0, 9), (9, 29), (29, 35))] == [9, 20, 6]
    from jiukg.paths import CORPUS_DIR

    raw = next(p for p in CORPUS_DIR.iterdir() if "WO/PBC/38/2" in p.read_text(encoding="utf-8")[:200])
    ex = load_text(SourceText.from_file(raw))
    assert ex.records["recommendation"] == len(WO_PBC_38_2)


# A/76/644 paragraphs 90-92, typed from the text:
# (body, issued, implemented or closed, outstanding, implementation rate %)
A_76_644_FIGURES = {
    ("OIOS", 12075, 11139, 936, "92.2"),  # 90 (a), January 2010 to June 2021
    ("OIOS", 11179, 10003, 1176, "89.5"),  # 90 (a), January 2010 to June 2020
    ("OIOS", 1202, 1188, 14, "99"),  # 90 (b), critical recommendations
    ("OIOS", 1195, 1159, 36, "97"),
    ("BOA", 1397, 1019, 378, "73"),  # 91, volumes I and II, 2010-2020
}


def test_a_76_644_oversight_figures_as_typed_from_the_source(built_store):
    rows = _rows(built_store, """
        PREFIX jiu: <https://w3id.org/jiukg/ontology#>
        PREFIX qb: <http://purl.org/linked-data/cube#>
        SELECT DISTINCT ?body ?issued ?done ?open ?rate WHERE {
          ?o a qb:Observation ; jiu:oversightBody ?b ; jiu:recommendationsIssued ?issued ;
             jiu:recommendationsImplemented ?done ; jiu:recommendationsOutstanding ?open ; jiu:implementationRate ?rate .
          BIND(STRAFTER(STR(?b), "/id/org/") AS ?body)
        }""")
    got = {(r["body"], int(r["issued"]), int(r["done"]), int(r["open"]), r["rate"]) for r in rows}
    assert A_76_644_FIGURES <= got
    # paragraph 92: the JIU's recommendations 2011-2020, acceptance 62.2 %, implementation of accepted 85.5 %
    jiu = _rows(built_store, """
        PREFIX jiu: <https://w3id.org/jiukg/ontology#>
        SELECT ?a ?i WHERE { ?o jiu:oversightBody <https://w3id.org/jiukg/id/org/JIU> ; jiu:acceptanceRate ?a .
                             ?o2 jiu:oversightBody <https://w3id.org/jiukg/id/org/JIU> ; jiu:implementationRate ?i ;
                                 jiu:refPeriod ?p . ?o jiu:refPeriod ?p }""")
    assert {(r["a"], r["i"]) for r in jiu} >= {("62.2", "85.5")}


# The note transmitting CEB comments on JIU/REP/2024/4, read paragraph by paragraph:
# rec 1 "并非所有组织都支持" (5), rec 2 "部分支持" (6), rec 3 "总体上支持" (11),
# recs 4 and 5 only note whom they are addressed to (16, 18).
CEB_STANCES = {1: "divided", 2: "partially-supported", 3: "supported", 4: "noted", 5: "noted"}


def test_ceb_stances_on_jiu_rep_2024_4(built_store):
    rows = _rows(built_store, """
        PREFIX jiu: <https://w3id.org/jiukg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?n ?stance WHERE {
          ?c a jiu:CEBComment ; jiu:commentOn ?r ; jiu:stance/skos:notation ?stance .
          ?r jiu:inPublication/jiu:symbol "JIU/REP/2024/4" ; jiu:recommendationNumber ?n .
        }""")
    assert {int(r["n"]): r["stance"] for r in rows} == CEB_STANCES
