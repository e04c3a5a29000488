"""Writes by SPARQL Update (/update), the Graph Store Protocol (/store) and POST /data with tokens scoped to an
organisation: a token writes its organisation's graphs only (403 and the store unchanged otherwise), every
change passes the SHACL gate, and every accepted write is in the catalogue graph with its token's organisation,
time and triple counts."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import httpx
import pytest

from jiukg.auth import Token, TokenConfigError, Tokens, bearer, digest, new_token, parse_config
from jiukg.config import Settings
from jiukg.namespaces import CATALOGUE_GRAPH, GRAPH, STATUS_ORDER_GRAPHS
from tests._service_server import free_port, serve, static_store

WIPO, ILO, ADMIN = "wipo-secret-token", "ilo-secret-token", "admin-secret-token"
WIPO_G = str(GRAPH["WO/PBC/99/1"])
ILO_G = str(GRAPH["GB/399/1"])
CONFIG = {
    "organisations": {"WIPO": {"graphs": [str(GRAPH["WO/"])]}, "ILO": {"graphs": [str(GRAPH["GB/"])]}},
    "tokens": [
        {"name": "wipo-publisher", "organisation": "WIPO", "hash": f"sha256:{digest(WIPO)}"},
        {"name": "ilo-publisher", "organisation": "ILO", "hash": f"sha256:{digest(ILO)}"},
        {"name": "steward", "admin": True, "hash": f"sha256:{digest(ADMIN)}"},
    ],
}
TTL = "text/turtle"
UPDATE = "application/sparql-update"
BAD = """@prefix jiu: <https://w3id.org/jiukg/ontology#> .
<https://w3id.org/jiukg/id/doc/JIU/REP/2099/1/rec/1> a jiu:Recommendation ; jiu:recommendationNumber "one" .
"""


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def dump(url: str) -> list[bytes]:
    return sorted(httpx.get(f"{url}/dump", params={"format": "nquads"}, timeout=30).content.splitlines())


def triples(n: int, who: str = "wipo") -> str:
    return "".join(f'<http://example.org/{who}/r{i}> <http://purl.org/dc/terms/title> "{who} {i}"@en .\n'
                   for i in range(n))


def ask(url: str, query: str) -> bool:
    r = httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def activity(url: str, iri: str) -> dict:
    """The catalogue's record of one write."""
    q = f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX jiu: <https://w3id.org/jiukg/ontology#>
    SELECT ?p ?o WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ <{iri}> ?p ?o }} }}"""
    r = httpx.get(f"{url}/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    out: dict = {}
    for b in r.json()["results"]["bindings"]:
        out.setdefault(b["p"]["value"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], []).append(b["o"]["value"])
    return out


@pytest.fixture
def service(tmp_path):
    st = static_store(tmp_path / "store")
    with serve(st, settings=Settings(write_tokens=json.dumps(CONFIG), update_timeout=5)) as url:
        yield url
    st.close()


# --- scopes ---------------------------------------------------------------------------------------

def test_an_organisation_writes_its_own_graphs(service):
    r = httpx.put(f"{service}/store", params={"graph": WIPO_G}, content=triples(3), headers={"Content-Type": TTL,
                                                                                          **auth(WIPO)})
    assert r.status_code == 201, r.text
    r = httpx.post(f"{service}/update", content=f'INSERT DATA {{ GRAPH <{WIPO_G}> {{ <http://example.org/x> '
                   f'<http://purl.org/dc/terms/title> "x" }} }}', headers={"Content-Type": UPDATE, **auth(WIPO)})
    assert r.status_code == 200 and r.json()["written"] is True, r.text
    g = httpx.get(f"{service}/store", params={"graph": WIPO_G}, headers={"Accept": "application/n-triples"})
    assert g.status_code == 200 and len(g.text.strip().splitlines()) == 4


@pytest.mark.parametrize("how", ["gsp-put", "gsp-post", "gsp-delete", "update", "update-both", "data", "default"])
def test_a_token_cannot_write_another_organisation_s_graph(service, how):
    """403, and the whole store exactly as before (its export compared), whichever way the write comes."""
    for token, graph, who in ((WIPO, WIPO_G, "wipo"), (ILO, ILO_G, "ilo")):
        r = httpx.put(f"{service}/store", params={"graph": graph}, content=triples(2, who),
                      headers={"Content-Type": TTL, **auth(token)})
        assert r.status_code == 201, r.text
    before = dump(service)
    h = auth(WIPO)
    if how in ("gsp-put", "gsp-post"):
        r = httpx.request(how[4:].upper(), f"{service}/store", params={"graph": ILO_G}, content=triples(1),
                          headers={"Content-Type": TTL, **h})
    elif how == "gsp-delete":
        r = httpx.delete(f"{service}/store", params={"graph": ILO_G}, headers=h)
    elif how == "update":
        r = httpx.post(f"{service}/update", content=f"DROP GRAPH <{ILO_G}>", headers={"Content-Type": UPDATE, **h})
    elif how == "update-both":  # its own graph too: all or nothing
        r = httpx.post(f"{service}/update", content=f"CLEAR GRAPH <{WIPO_G}> ; CLEAR GRAPH <{ILO_G}>",
                       headers={"Content-Type": UPDATE, **h})
    elif how == "data":
        trig = f"<{ILO_G}> {{ {triples(1)} }}"
        r = httpx.post(f"{service}/data", content=trig, headers={"Content-Type": "application/trig", **h})
    else:
        r = httpx.put(f"{service}/store?default", content=triples(1), headers={"Content-Type": TTL, **h})
    assert r.status_code == 403, r.text
    assert (ILO_G in r.text) or how == "default"
    assert dump(service) == before


def test_writes_need_a_valid_token(service):
    before = dump(service)
    for headers in ({}, auth("not-a-token"), {"Authorization": f"Basic {WIPO}"}):
        r = httpx.put(f"{service}/store", params={"graph": WIPO_G}, content=triples(1),
                      headers={"Content-Type": TTL, **headers})
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        r = httpx.post(f"{service}/update", content=f"DROP GRAPH <{WIPO_G}>", headers={"Content-Type": UPDATE,
                                                                                      **headers})
        assert r.status_code == 401
    assert dump(service) == before
    # the scheme is case-insensitive (RFC 9110)
    r = httpx.put(f"{service}/store", params={"graph": WIPO_G}, content=triples(1),
                  headers={"Content-Type": TTL, "Authorization": f"bearer {WIPO}"})
    assert r.status_code == 201


def test_nobody_writes_the_catalogue_graph(service):
    before = dump(service)
    r = httpx.put(f"{service}/store", params={"graph": str(CATALOGUE_GRAPH)}, content=triples(1),
                  headers={"Content-Type": TTL, **auth(ADMIN)})
    assert r.status_code == 403
    r = httpx.post(f"{service}/update", content=f"INSERT DATA {{ GRAPH <{CATALOGUE_GRAPH}> {{ {triples(1)} }} }}",
                   headers={"Content-Type": UPDATE, **auth(ADMIN)})
    assert r.status_code == 403
    assert dump(service) == before


def test_nobody_writes_the_status_order(service):
    """graph/status-order/… is derived by jiukg on every write: refused to an admin by every protocol, even
    for an organisation that has no such graph yet."""
    order = f"{STATUS_ORDER_GRAPHS}WIPO"
    before = dump(service)
    r = httpx.put(f"{service}/store", params={"graph": order}, content=triples(1),
                  headers={"Content-Type": TTL, **auth(ADMIN)})
    assert r.status_code == 403, r.text
    r = httpx.post(f"{service}/update", content=f"INSERT DATA {{ GRAPH <{order}> {{ {triples(1)} }} }}",
                   headers={"Content-Type": UPDATE, **auth(ADMIN)})
    assert r.status_code == 403, r.text
    r = httpx.delete(f"{service}/store", params={"graph": order}, headers=auth(ADMIN))
    assert r.status_code in (403, 404), r.text
    assert dump(service) == before


def test_the_query_endpoint_stays_read_only(service):
    before = dump(service)
    r = httpx.post(f"{service}/sparql", content=f"DROP GRAPH <{GRAPH['reference']}>",
                   headers={"Content-Type": UPDATE, **auth(ADMIN)})
    assert r.status_code == 403
    r = httpx.post(f"{service}/sparql", data={"update": "DROP ALL"}, headers=auth(ADMIN))
    assert r.status_code == 403
    assert dump(service) == before


# --- the gate and the refusals ----------------------------------------------------------------------

def test_an_update_breaking_the_shapes_is_refused_with_the_report(service):
    before = dump(service)
    bad = (f"PREFIX jiu: <https://w3id.org/jiukg/ontology#> INSERT DATA {{ GRAPH <{WIPO_G}> {{ "
           '<https://w3id.org/jiukg/id/doc/JIU/REP/2099/1/rec/1> a jiu:Recommendation ; jiu:recommendationNumber "one" '
           "} }")
    r = httpx.post(f"{service}/update", content=bad, headers={"Content-Type": UPDATE, **auth(WIPO)})
    assert r.status_code == 422, r.text
    focus = {res["focusNode"] for res in r.json()["report"]["results"] if res["severity"] == "Violation"}
    assert "https://w3id.org/jiukg/id/doc/JIU/REP/2099/1/rec/1" in focus
    r = httpx.put(f"{service}/store", params={"graph": WIPO_G}, content=BAD, headers={"Content-Type": TTL,
                                                                                   **auth(WIPO)})
    assert r.status_code == 422 and r.json()["written"] is False
    assert dump(service) == before


@pytest.mark.parametrize("update", [
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "INSERT { GRAPH <https://w3id.org/jiukg/graph/WO/x> { ?s ?p ?o } } "
    "WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "PREFIX SERVICE: <http://x/> INSERT { GRAPH <https://w3id.org/jiukg/graph/WO/x> { ?s ?p ?o } } "
    "WHERE { SERVICE:x ?p ?o }",
    r"\u004cOAD <http://127.0.0.1:9/x.ttl>",
])
def test_updates_that_would_fetch_are_refused(service, update):
    before = dump(service)
    r = httpx.post(f"{service}/update", content=update, headers={"Content-Type": UPDATE, **auth(ADMIN)})
    assert r.status_code == 400 and "refused" in r.text
    assert dump(service) == before


def test_a_slow_update_is_stopped_and_writes_nothing(service):
    before = dump(service)
    slow = (f"INSERT {{ GRAPH <{WIPO_G}> {{ ?a <http://example.org/p> ?i }} }} WHERE {{ ?a ?b ?c . ?d ?e ?f . "
            "?g ?h ?i . ?j ?k ?l }")
    r = httpx.post(f"{service}/update", content=slow, headers={"Content-Type": UPDATE, **auth(WIPO)}, timeout=60)
    assert r.status_code == 503 and "time limit" in r.text
    assert dump(service) == before


def test_graph_store_answers(service):
    h = {"Content-Type": TTL, **auth(WIPO)}
    assert httpx.get(f"{service}/store", params={"graph": WIPO_G}).status_code == 404
    assert httpx.delete(f"{service}/store", params={"graph": WIPO_G}, headers=auth(WIPO)).status_code == 404
    assert httpx.put(f"{service}/store", params={"graph": WIPO_G}, content="<a> <b", headers=h).status_code == 400
    assert httpx.put(f"{service}/store", params={"graph": WIPO_G}, content=triples(1),
                     headers={**h, "Content-Type": "application/x-unknown"}).status_code == 415
    assert httpx.put(f"{service}/store", params={"graph": WIPO_G}, content=triples(1), headers=h).status_code == 201
    assert httpx.put(f"{service}/store", params={"graph": WIPO_G}, content=triples(2), headers=h).status_code == 204
    created = httpx.post(f"{service}/store", content=triples(1, "new"), headers=h)
    assert created.status_code == 201
    assert created.headers["location"].startswith(f"{service}/store/WO/")  # under the token's first prefix
    assert httpx.get(created.headers["location"], headers={"Accept": TTL}).status_code == 200
    assert httpx.delete(f"{service}/store", params={"graph": WIPO_G}, headers=auth(WIPO)).status_code == 204
    assert httpx.get(f"{service}/store", params={"graph": WIPO_G}).status_code == 404


# --- the catalogue's record -------------------------------------------------------------------------

def test_every_accepted_write_is_recorded_with_organisation_time_and_counts(service):
    t0 = datetime.now(timezone.utc)
    h = auth(WIPO)
    writes = []
    r = httpx.put(f"{service}/store", params={"graph": WIPO_G}, content=triples(3), headers={"Content-Type": TTL, **h})
    writes.append((r.json()["activity"], 3, 0, "Graph Store Protocol PUT"))
    r = httpx.post(f"{service}/update", headers={"Content-Type": UPDATE, **h}, content=(
        f"PREFIX dcterms: <http://purl.org/dc/terms/> "
        f'DELETE DATA {{ GRAPH <{WIPO_G}> {{ <http://example.org/wipo/r0> dcterms:title "wipo 0"@en }} }} ;'
        f'INSERT DATA {{ GRAPH <{WIPO_G}> {{ <http://example.org/wipo/r7> dcterms:title "7", "8" }} }}'))
    assert r.status_code == 200, r.text
    writes.append((r.json()["activity"], 2, 1, "SPARQL Update"))
    r = httpx.post(f"{service}/data", content=f"<{GRAPH['WO/PBC/99/2']}> {{ {triples(4)} }}",
                   headers={"Content-Type": "application/trig", **h})
    assert r.status_code == 200, r.text
    writes.append((r.json()["activity"], 4, 0, "upload"))
    r = httpx.delete(f"{service}/store", params={"graph": WIPO_G}, headers=h)
    assert r.status_code == 204
    t1 = datetime.now(timezone.utc)
    for iri, added, removed, operation in writes:
        rec = activity(service, iri)
        assert rec["type"] == ["http://www.w3.org/ns/prov#Activity"]
        assert "https://w3id.org/jiukg/id/org/WIPO" in rec["wasAssociatedWith"]
        assert "https://w3id.org/jiukg/id/token/wipo-publisher" in rec["wasAssociatedWith"]
        assert rec["triplesAdded"] == [str(added)] and rec["triplesRemoved"] == [str(removed)]
        assert rec["label"] == [f"{operation} by wipo-publisher (WIPO)"]
        ended = datetime.fromisoformat(rec["endedAtTime"][0])
        assert t0 <= ended <= t1
        assert rec["generated"]
    # the delete: the graph invalidated, its 4 triples (3 - 1 + 2) removed, its catalogue entry gone
    assert ask(service, f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX jiu: <https://w3id.org/jiukg/ontology#>
        ASK {{ GRAPH <{CATALOGUE_GRAPH}> {{ ?a prov:invalidated <{WIPO_G}> ; jiu:triplesRemoved 4 ;
                                           prov:wasAssociatedWith <https://w3id.org/jiukg/id/org/WIPO> }} }}""")
    assert not ask(service, f"ASK {{ GRAPH <{CATALOGUE_GRAPH}> {{ <{WIPO_G}> ?p ?o }} }}")
    # a written graph's own entry names the write and the organisation
    assert ask(service, f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        ASK {{ GRAPH <{CATALOGUE_GRAPH}> {{ <{GRAPH['WO/PBC/99/2']}> prov:wasGeneratedBy <{writes[2][0]}> ;
                                           prov:wasAttributedTo <https://w3id.org/jiukg/id/org/WIPO> }} }}""")


def test_refused_writes_leave_no_record(service):
    n = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ ?a a <http://www.w3.org/ns/prov#Activity> }} }}"
    count = lambda: int(httpx.get(f"{service}/sparql", params={"query": n},  # noqa: E731
                                  headers={"Accept": "application/sparql-results+json"}).json()
                        ["results"]["bindings"][0]["n"]["value"])
    before = count()
    httpx.put(f"{service}/store", params={"graph": ILO_G}, content=triples(1), headers={"Content-Type": TTL,
                                                                                     **auth(WIPO)})
    httpx.put(f"{service}/store", params={"graph": WIPO_G}, content=BAD, headers={"Content-Type": TTL, **auth(WIPO)})
    assert count() == before


# --- the token configuration ------------------------------------------------------------------------

def test_a_new_token_from_the_cli_authenticates_by_its_hash_only(tmp_path):
    out = subprocess.run([sys.executable, "-m", "jiukg.cli", "token", "--org", "WIPO", "--name", "ci"],
                         capture_output=True, text=True, check=True)
    secret = out.stderr.split("token:", 1)[1].strip()
    assert secret not in out.stdout  # only the hash goes into the configuration
    config = f'[organisations.WIPO]\ngraphs = ["{GRAPH["WO/"]}"]\n\n' + out.stdout
    (tmp_path / "tokens.toml").write_text(config)
    tokens = Tokens.from_settings(Settings(write_tokens_file=str(tmp_path / "tokens.toml")))
    t = tokens.find(secret)
    assert t is not None and t.name == "ci" and t.organisation == "WIPO"
    assert t.may_write(GRAPH["WO/PBC/1/1"]) and not t.may_write(GRAPH["WOX/1"]) and not t.may_write(ILO_G)
    assert tokens.find(secret + "x") is None and tokens.find(None) is None


def test_the_old_write_token_is_an_admin_token():
    t = Tokens.from_settings(Settings(write_token="old")).find("old")
    assert t.admin and t.may_write(GRAPH["anything"]) and not t.may_write(CATALOGUE_GRAPH)


@pytest.mark.parametrize("bad", [
    {"tokens": [{"name": "a", "organisation": "WIPO", "hash": "sha256:" + "0" * 64}]},  # no organisation table
    {"tokens": [{"name": "a", "hash": "sha256:" + "0" * 64}]},  # neither organisation nor admin
    {"tokens": [{"name": "a", "admin": True, "hash": "plain-token"}]},  # not hashed
    {"organisations": {"WIPO": {"graphs": ["https://w3id.org/jiukg/graph/WO"]}},  # prefix would grant WOX too
     "tokens": [{"name": "a", "organisation": "WIPO", "hash": "sha256:" + "0" * 64}]},
])
def test_a_malformed_configuration_is_an_error(bad):
    with pytest.raises(TokenConfigError):
        parse_config(bad, "test")


def test_token_names_and_hashes_are_unique():
    one = {"name": "a", "admin": True, "hash": f"sha256:{digest('x')}"}
    for other in ({**one, "hash": f"sha256:{digest('y')}"}, {**one, "name": "b"}):
        with pytest.raises(TokenConfigError):
            Tokens.from_settings(Settings(write_tokens=json.dumps({"tokens": [one, other]})))
    with pytest.raises(TokenConfigError):
        Tokens.from_settings(Settings(write_tokens="{not json"))


def test_bearer_parsing():
    assert bearer("Bearer abc") == "abc" and bearer("BEARER abc ") == "abc"
    assert bearer("Basic abc") is None and bearer("Bearer ") is None and bearer(None) is None
    token, hashed = new_token()
    assert Token("x", hashed.split(":")[1], admin=True).digest == digest(token)


def test_a_malformed_token_file_stops_the_service_from_starting(tmp_path):
    (tmp_path / "tokens.toml").write_text('[[tokens]]\nname = "x"\nhash = "nope"\n')
    static_store(tmp_path / "store").close()
    r = subprocess.run([sys.executable, "-m", "jiukg.cli", "serve", "--store", str(tmp_path / "store"),
                        "--port", str(free_port()), "--write-tokens-file", str(tmp_path / "tokens.toml")],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False)
    assert r.returncode != 0 and "sha256" in (r.stderr + r.stdout)

