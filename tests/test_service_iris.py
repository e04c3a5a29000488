"""Every IRI the bundled graph mints under https://w3id.org/jiukg/ dereferences on the running service.

Subjects, predicates, objects and graph names of the built corpus, each asked for as text/html and as
text/turtle at its path below the service: 200, or a redirect that ends in 200. A fragment (ontology#Term)
is never sent over HTTP, so the document before the '#' must resolve.
"""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, URIRef

from _service_server import serve
from jiukg.namespaces import BASE

MINTED = f"""SELECT DISTINCT ?x WHERE {{
  {{ GRAPH ?g {{ ?x ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?x ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p ?x }} }}
  UNION {{ GRAPH ?x {{ ?s ?p ?o }} }}
  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}")) }}"""


@pytest.fixture(scope="module")
def minted(built_store) -> list[str]:
    iris = {str(r["x"]) for r in built_store.query(MINTED).rows} | {str(g) for g in built_store.graphs()}
    assert any("/graph/" in i for i in iris) and any("/ontology/" in i for i in iris)  # graph names, versionIRI
    return sorted(iris)


@pytest.fixture(scope="module")
def client(built_store):
    with serve(built_store) as base, httpx.Client(base_url=base, timeout=60, follow_redirects=True) as c:
        yield c


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_every_minted_iri_dereferences(client, minted, accept):
    assert len(minted) > 500
    failed = []
    for iri in minted:
        document = iri.split("#")[0]
        r = client.get("/" + document[len(BASE):], headers={"Accept": accept})
        if r.status_code != 200 or not r.headers["content-type"].startswith(accept):
            failed.append((iri, r.status_code, r.headers.get("content-type"), r.text[:120]))
            continue
        if accept == "text/turtle":
            g = Graph().parse(data=r.content, format="turtle")
            described = "#" not in iri and "/graph/" not in iri
            if len(g) == 0 or (described and not ((URIRef(iri), None, None) in g or (None, None, URIRef(iri)) in g)):
                failed.append((iri, "turtle does not describe it", len(g)))
    assert failed == [], f"{len(failed)} of {len(minted)} IRIs do not resolve as {accept}: {failed[:20]}"
