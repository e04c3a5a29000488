"""What the organisation, report and mechanism pages summarise, and the tables and charts the pages
draw from query results. Everything is computed here on the server, so the pages need no JavaScript:
charts are small inline SVG, tables plain HTML."""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from datetime import date

from fastapi import Request
from markupsafe import Markup
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from jiukg.namespaces import JIU, SPARQL_PREFIXES
from service.describe import _vals, curie
from service.i18n import pick
from service.querying import run_query, sparql_iri

#: Colours of the status categories in charts (acceptance, then implementation).
COLOURS = {"accepted": "#3b7dc4", "not-accepted": "#c44b3b", "under-consideration": "#d8a53a",
           "not-relevant": "#9aa4ae", "implemented": "#2e8b57", "in-progress": "#7fb6e6"}
LABEL_PROPS = "jiu:symbol jiu:acronym skos:prefLabel rdfs:label"


async def select(request: Request, text: str) -> list[dict]:
    r = await run_query(request.app.state.store, SPARQL_PREFIXES + text,
                        timeout=request.app.state.settings.query_timeout, check=False)
    return r.rows


async def labels(request: Request, iris, lang: str) -> dict:
    """A short label for each IRI in the page's language: symbol, acronym, preferred label, label."""
    iris = {i for i in iris if isinstance(i, URIRef)}
    if not iris:
        return {}
    rows = await select(request, f"""SELECT DISTINCT ?s ?p ?l WHERE {{ VALUES ?s {{ {_vals(iris)} }}
        VALUES ?p {{ {LABEL_PROPS} }} ?s ?p ?l }}""")
    by = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by[row["s"]][str(row["p"])].append(row["l"])
    out = {}
    for s, props in by.items():
        for p in (JIU.symbol, JIU.acronym, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
                  URIRef("http://www.w3.org/2000/01/rdf-schema#label")):
            lit = pick(props.get(str(p), []), "en" if p == JIU.acronym else lang)
            if lit is not None:
                out[s] = str(lit)
                break
    return out


def link(request: Request, iri, names: dict) -> dict:
    from service.linkeddata import local_href

    return {"iri": str(iri), "href": local_href(request, iri), "label": names.get(iri) or curie(iri)}


def code(iri) -> str:
    """The last path segment of a vocabulary concept: accepted, in-progress ..."""
    return str(iri).rstrip("/").rsplit("/", 1)[-1] if iri is not None else ""


# --- result tables -------------------------------------------------------------------

NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long, XSD.nonNegativeInteger}
COUNTLIKE = ("count", "total", "rate", "outstanding", "implemented", "issued", "accepted", "n")


async def result_table(request: Request, variables: list[str], rows: list[dict], lang: str) -> dict:
    """Cells people can read: plain values with the datatype on hover, IRIs by label and linked."""
    from service.linkeddata import local_href

    names = await labels(request, {t for row in rows for t in row.values()}, lang)
    out = []
    for row in rows:
        cells = []
        for v in variables:
            t = row.get(v)
            if t is None:
                cells.append({"text": ""})
            elif isinstance(t, URIRef):
                cells.append({"text": names.get(t) or curie(t), "href": local_href(request, t), "title": str(t)})
            elif isinstance(t, BNode):
                cells.append({"text": f"_:{t}"})
            else:
                dt = curie(t.datatype) if isinstance(t, Literal) and t.datatype else None
                num = isinstance(t, Literal) and t.datatype in NUMERIC
                cells.append({"text": str(t), "title": dt, "lang": getattr(t, "language", None), "num": num})
        out.append(cells)
    return {"variables": variables, "rows": out, "chart": result_chart(variables, out)}


def result_chart(variables: list[str], rows: list[list[dict]]) -> Markup | None:
    """A bar chart when a result is a distribution: label columns and a count-like number column
    (a rate first); rows without the number are left out of the chart, not the table."""
    if not rows or len(rows) > 80:
        return None

    def countlike(v: str) -> bool:
        return v.lower() in COUNTLIKE or any(w in v.lower() for w in COUNTLIKE[:-1])

    nums = [i for i, v in enumerate(variables) if countlike(v)
            and all(r[i].get("num") for r in rows if r[i]["text"])
            and sum(1 for r in rows if r[i]["text"]) >= 2]
    labs = [i for i, v in enumerate(variables) if not any(r[i].get("num") for r in rows)
            and v.lower() not in ("source", "doc", "document")]
    if not nums or not labs:
        return None
    n = next((i for i in nums if "rate" in variables[i].lower()), nums[0])
    items = []
    for r in rows:
        if r[n]["text"]:
            label = " · ".join(r[i]["text"] for i in labs[:4] if r[i]["text"])
            items.append((label, float(r[n]["text"])))
    return bars(items, f"{variables[n]} / {', '.join(variables[i] for i in labs[:4])}")


def bars(items: list[tuple[str, float]], caption: str) -> Markup | None:
    """A horizontal bar chart as inline SVG."""
    peak = max((v for _, v in items), default=0)
    if peak <= 0:
        return None
    width, bar, gap, left = 640, 18, 6, 230
    height = len(items) * (bar + gap) + 8
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{html.escape(caption)}">']
    for i, (label, v) in enumerate(items):
        y = 4 + i * (bar + gap)
        w = max(1.0, (width - left - 60) * v / peak)
        short = label if len(label) <= 36 else label[:35] + "…"
        value = f"{v:g}"
        parts.append(f'<text x="{left - 6}" y="{y + bar * .75:.1f}" text-anchor="end">{html.escape(short)}</text>'
                     f'<rect class="bar" x="{left}" y="{y}" width="{w:.1f}" height="{bar}"/>'
                     f'<text x="{left + w + 5:.1f}" y="{y + bar * .75:.1f}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked(groups: list[tuple[str, Counter]], order: list[str], names: dict[str, str], caption: str) -> Markup:
    """One stacked bar per group (a reporting document), split by status, with a legend."""
    width, bar, gap, left = 640, 22, 10, 150
    legend_h = 40
    height = legend_h + len(groups) * (bar + gap) + 6
    peak = max((sum(c.values()) for _, c in groups), default=1) or 1
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{html.escape(caption)}">']
    for j, key in enumerate(order):  # the legend: two rows of three
        x, y = (j % 3) * 210, 4 + (j // 3) * 18
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOURS.get(key, "#888")}"/>'
                     f'<text x="{x + 16}" y="{y + 10}">{html.escape(names.get(key, key))}</text>')
    for i, (label, counts) in enumerate(groups):
        y = legend_h + 4 + i * (bar + gap)
        parts.append(f'<text x="{left - 6}" y="{y + bar * .7:.1f}" text-anchor="end">{html.escape(label)}</text>')
        x = float(left)
        for key in order:
            n = counts.get(key, 0)
            if not n:
                continue
            w = (width - left - 10) * n / peak
            parts.append(f'<rect class="seg" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" '
                         f'fill="{COLOURS.get(key, "#888")}" aria-label="{html.escape(label)} · '
                         f'{html.escape(names.get(key, key))}: {n}"/>')
            if w > 18:
                parts.append(f'<text class="in" x="{x + w / 2:.1f}" y="{y + bar * .7:.1f}" '
                             f'text-anchor="middle">{n}</text>')
            x += w
    parts.append("</svg>")
    return Markup("".join(parts))


# --- organisations ---------------------------------------------------------------------

async def organisation(request: Request, iri: str, lang: str, asof: str | None) -> dict | None:
    """An organisation's recommendations by report, with its status as of each of its reporting
    documents; counts, rates and a chart; its deferrals; overdue ones as of a date; changes."""
    me = sparql_iri(iri)
    rows = await select(request, f"""SELECT DISTINCT ?st ?r ?sym ?n ?asOf ?doc ?acc ?impl ?deadline WHERE {{
        ?st jiu:reportingOrganization {me} ; jiu:aboutRecommendation ?r .
        ?r jiu:inPublication ?pub ; jiu:recommendationNumber ?n . ?pub jiu:symbol ?sym .
        OPTIONAL {{ ?st jiu:asOf ?asOf }} OPTIONAL {{ ?st jiu:reportedIn ?doc }}
        OPTIONAL {{ ?st jiu:acceptance ?acc }} OPTIONAL {{ ?st jiu:implementation ?impl }}
        OPTIONAL {{ ?r jiu:deadline ?deadline }} }} ORDER BY ?sym ?n ?asOf""")
    if not rows:
        return None
    defer = await select(request, f"""SELECT DISTINCT ?st ?r ?mech ?asOf ?pas WHERE {{
        ?st jiu:reportingOrganization {me} ; jiu:aboutRecommendation ?r ; jiu:deferredTo ?mech .
        OPTIONAL {{ ?st jiu:asOf ?asOf }} OPTIONAL {{ ?st prov:wasDerivedFrom ?pas }} }} ORDER BY ?r ?asOf""")
    names = await labels(request, {t for row in rows + defer for t in row.values()}, lang)
    strings = request.app.state.strings[lang]

    # the reporting documents, oldest first: the columns of the status table
    docs = sorted({(str(r.get("asOf", "")), r.get("doc")) for r in rows}, key=lambda x: x[0])
    recs: dict = {}
    for r in rows:
        key = r["r"]
        rec = recs.setdefault(key, {"rec": link(request, key, names), "report": str(r["sym"]), "n": int(r["n"]),
                                    "deadline": str(r["deadline"]) if r.get("deadline") else "", "by_doc": {}})
        rec["rec"]["label"] = f"{r['sym']} · {strings['recommendation']} {r['n']}"
        rec["by_doc"][str(r.get("asOf", ""))] = {"acc": code(r.get("acc")), "impl": code(r.get("impl")),
                                                 "acc_label": names.get(r.get("acc"), code(r.get("acc"))),
                                                 "impl_label": names.get(r.get("impl"), code(r.get("impl"))),
                                                 "st": link(request, r["st"], names)}
    reports = defaultdict(list)
    for rec in sorted(recs.values(), key=lambda x: (x["report"], x["n"])):
        reports[rec["report"]].append(rec)

    # counts and rates as of each reporting document
    periods, groups = [], []
    for as_of, doc in docs:
        states = [rec["by_doc"][as_of] for rec in recs.values() if as_of in rec["by_doc"]]
        acc = Counter(s["acc"] for s in states if s["acc"])
        impl = Counter(s["impl"] for s in states if s["impl"])
        relevant = sum(v for k, v in acc.items() if k != "not-relevant")
        periods.append({"as_of": as_of, "doc": link(request, doc, names) if doc is not None else None,
                        "total": len(states), "accepted": acc.get("accepted", 0),
                        "implemented": impl.get("implemented", 0), "in_progress": impl.get("in-progress", 0),
                        "not_accepted": acc.get("not-accepted", 0),
                        "under_consideration": acc.get("under-consideration", 0),
                        "acceptance_rate": round(100 * acc.get("accepted", 0) / relevant) if relevant else None,
                        "implementation_rate": round(100 * impl.get("implemented", 0) / acc["accepted"])
                        if acc.get("accepted") else None})
        split = Counter(acc)
        split.pop("accepted", None)
        split.update(impl)
        split["accepted"] = acc.get("accepted", 0) - sum(impl.values())
        groups.append((names.get(doc, as_of) if doc is not None else as_of, split))
    order = ["implemented", "in-progress", "accepted", "under-consideration", "not-accepted", "not-relevant"]
    legend = {k: strings.get("status_" + k.replace("-", "_"), k) for k in order}
    chart = stacked(groups, order, legend, strings["chart_statuses"])

    # deferrals and to which mechanisms
    deferrals = defaultdict(lambda: {"mechs": {}, "passages": set()})
    for d in defer:
        item = deferrals[(d["r"], str(d.get("asOf", "")))]
        item["mechs"][d["mech"]] = link(request, d["mech"], names)
        if d.get("pas") is not None:
            item["passages"].add(d["pas"])
    deferral_rows = [{"rec": recs[r]["rec"] if r in recs else link(request, r, names), "as_of": a,
                      "mechanisms": list(v["mechs"].values()),
                      "passages": [link(request, p, {}) | {"label": str(p).rsplit("/", 1)[-1]}
                                   for p in sorted(v["passages"])]}
                     for (r, a), v in sorted(deferrals.items(), key=lambda x: (str(x[0][0]), x[0][1]))]
    by_mech = Counter(m["label"] for row in deferral_rows for m in row["mechanisms"])

    # overdue as of a date: the deadline passed, the latest status before the date not implemented
    day = asof or date.today().isoformat()
    overdue = []
    for rec in recs.values():
        known = [a for a in rec["by_doc"] if a and a <= day]
        if not rec["deadline"] or rec["deadline"] >= day or not known:
            continue
        s = rec["by_doc"][max(known)]
        if s["impl"] != "implemented" and s["acc"] not in ("not-accepted", "not-relevant"):
            overdue.append(rec | {"latest": s, "latest_as_of": max(known)})
    overdue.sort(key=lambda x: (x["deadline"], x["report"], x["n"]))

    # what changed between two consecutive reporting documents
    changes = []
    for (a_old, _), (a_new, doc_new) in zip(docs, docs[1:]):
        for rec in sorted(recs.values(), key=lambda x: (x["report"], x["n"])):
            old, new = rec["by_doc"].get(a_old), rec["by_doc"].get(a_new)
            if new and (old is None or (old["acc"], old["impl"]) != (new["acc"], new["impl"])):
                changes.append({"rec": rec["rec"], "from_as_of": a_old, "to_as_of": a_new, "old": old, "new": new})
    return {"docs": [{"as_of": a, "doc": link(request, d, names) if d is not None else None} for a, d in docs],
            "reports": dict(reports), "periods": periods, "chart": chart, "deferrals": deferral_rows,
            "by_mechanism": sorted(by_mech.items(), key=lambda x: -x[1]), "overdue": overdue, "asof": day,
            "changes": changes, "rec_count": len(recs)}


# --- reports -------------------------------------------------------------------------

async def report(request: Request, iri: str, lang: str) -> dict | None:
    """A JIU publication's recommendations: text, addressee, deadline, each organisation's status
    history (a small timeline) and latest status, and the CEB stance."""
    me = sparql_iri(iri)
    recs = await select(request, f"""SELECT DISTINCT ?r ?n ?text ?addr ?deadline ?dtext ?link WHERE {{
        ?r jiu:inPublication {me} ; jiu:recommendationNumber ?n .
        OPTIONAL {{ ?r jiu:recommendationText ?text }} OPTIONAL {{ ?r jiu:addresseeKind ?addr }}
        OPTIONAL {{ ?r jiu:deadline ?deadline }} OPTIONAL {{ ?r jiu:deadlineText ?dtext }}
        OPTIONAL {{ ?r jiu:jiuLink ?link }} }} ORDER BY ?n""")
    if not recs:
        return None
    sts = await select(request, f"""SELECT DISTINCT ?r ?st ?org ?asOf ?acc ?impl WHERE {{
        ?r jiu:inPublication {me} . ?st jiu:aboutRecommendation ?r ; jiu:reportingOrganization ?org .
        OPTIONAL {{ ?st jiu:asOf ?asOf }} OPTIONAL {{ ?st jiu:acceptance ?acc }}
        OPTIONAL {{ ?st jiu:implementation ?impl }} }} ORDER BY ?r ?org ?asOf""")
    cebs = await select(request, f"""SELECT DISTINCT ?r ?c ?stance WHERE {{
        ?r jiu:inPublication {me} . ?c jiu:commentOn ?r ; jiu:stance ?stance }}""")
    names = await labels(request, {t for row in recs + sts + cebs for t in row.values()}, lang)
    from service.linkeddata import local_href

    out: dict = {}
    texts = defaultdict(list)
    for row in recs:
        if row.get("text") is not None:
            texts[row["r"]].append(row["text"])
        if row["r"] in out:
            continue
        lk = row.get("link")
        out[row["r"]] = {"rec": link(request, row["r"], names), "n": str(row["n"]),
                         "addressee": link(request, row["addr"], names) if row.get("addr") is not None else None,
                         "deadline": str(row.get("deadline") or row.get("dtext") or ""),
                         "jiu_link": str(lk) if lk is not None and local_href(request, lk) else None,
                         "orgs": {}, "ceb": []}
    for r, rec in out.items():
        text = pick(texts.get(r, []), lang)
        rec["text"] = {"text": str(text), "lang": text.language or "zh"} if text is not None else None
    for row in sts:
        org = out[row["r"]]["orgs"].setdefault(row["org"], {"org": link(request, row["org"], names), "history": []})
        org["history"].append({"as_of": str(row.get("asOf", "")), "st": link(request, row["st"], names),
                               "acc": code(row.get("acc")), "impl": code(row.get("impl")),
                               "acc_label": names.get(row.get("acc"), ""),
                               "impl_label": names.get(row.get("impl"), "")})
    for row in cebs:
        out[row["r"]]["ceb"].append({"stance": link(request, row["stance"], names),
                                     "comment": link(request, row["c"], names)})
    for rec in out.values():
        rec["orgs"] = sorted(rec["orgs"].values(), key=lambda o: o["org"]["label"])
        for o in rec["orgs"]:
            o["latest"] = o["history"][-1]
    return {"recommendations": sorted(out.values(), key=lambda x: int(x["n"]) if x["n"].isdigit() else 0)}


# --- mechanisms ------------------------------------------------------------------------

async def mechanism(request: Request, iri: str, lang: str) -> dict:
    """What an inter-agency mechanism is part of (with the passages that say so) and the
    recommendations deferred or channelled to it, by organisation."""
    me = sparql_iri(iri)
    parents = await select(request, f"SELECT DISTINCT ?p WHERE {{ {me} org:subOrganizationOf ?p }}")
    parts = await select(request, f"SELECT DISTINCT ?c WHERE {{ ?c org:subOrganizationOf {me} }}")
    deferred = await select(request, f"""SELECT DISTINCT ?org ?r ?sym ?n ?asOf ?st WHERE {{
        ?st jiu:deferredTo {me} ; jiu:aboutRecommendation ?r ; jiu:reportingOrganization ?org .
        ?r jiu:inPublication/jiu:symbol ?sym ; jiu:recommendationNumber ?n .
        OPTIONAL {{ ?st jiu:asOf ?asOf }} }} ORDER BY ?org ?sym ?n ?asOf""")
    channelled = await select(request, f"""SELECT DISTINCT ?r ?sym ?n WHERE {{
        ?r jiu:toBeImplementedThrough {me} ; jiu:inPublication/jiu:symbol ?sym ; jiu:recommendationNumber ?n }}
        ORDER BY ?sym ?n""")
    names = await labels(request, {t for row in parents + parts + deferred + channelled for t in row.values()},
                         lang)
    word = request.app.state.strings[lang]["recommendation"]
    by_org = defaultdict(list)
    for row in deferred:
        by_org[row["org"]].append({"rec": link(request, row["r"], names) | {"label": f"{row['sym']} · {word} {row['n']}"},
                                   "as_of": str(row.get("asOf", "")), "st": link(request, row["st"], names)})
    return {"parents": [link(request, r["p"], names) for r in parents],
            "parts": sorted((link(request, r["c"], names) for r in parts), key=lambda x: x["label"]),
            "deferred": [{"org": link(request, o, names), "items": items} for o, items in by_org.items()],
            "channelled": [link(request, r["r"], names) | {"label": f"{r['sym']} · {word} {r['n']}"}
                           for r in channelled]}


# --- the flagship question ----------------------------------------------------------------

async def flagship(request: Request, lang: str, org: str = "WIPO", r=None) -> dict:
    """The flagship answer, live from the catalogue's ceb-deferrals query, with each row linked to
    its recommendation and the passage its deferral was read from."""
    from jiukg import catalogue

    q = catalogue.get_query("ceb-deferrals")
    r = r if r is not None else await run_query(request.app.state.store, catalogue.bound_text(q, catalogue.bind(q, {"org": org})),
                        timeout=request.app.state.settings.query_timeout, check=False)
    links = await select(request, f"""SELECT DISTINCT ?r ?sym ?n ?asOf ?pas WHERE {{
        ?st jiu:reportingOrganization ?o ; jiu:deferredTo ?m ; jiu:aboutRecommendation ?r .
        ?o jiu:acronym ?acr FILTER(LCASE(STR(?acr)) = LCASE({_string(org)}))
        ?r jiu:inPublication/jiu:symbol ?sym ; jiu:recommendationNumber ?n .
        OPTIONAL {{ ?st jiu:asOf ?asOf }} OPTIONAL {{ ?st prov:wasDerivedFrom ?pas }} }}""")
    by_key, by_rec = defaultdict(set), {}
    for row in links:
        key = (str(row["sym"]), str(row["n"]))
        by_rec[key] = row["r"]
        if row.get("pas") is not None:
            by_key[key + (str(row.get("asOf", "")),)].add(row["pas"])
    table = await result_table(request, list(r.variables), r.rows, lang)
    word = request.app.state.strings[lang]["recommendation"]
    from service.linkeddata import local_href

    for row, cells in zip(r.rows, table["rows"]):
        key = (str(row.get("report", "")), str(row.get("rec", "")))
        rec = by_rec.get(key)
        pas = sorted(by_key.get(key + (str(row.get("asOf", "")),), ()))
        cells.insert(0, {"text": f"{key[0]} · {word} {key[1]}", "href": local_href(request, rec) if rec else None,
                         "cls": "rec-link"})
        cells.append({"links": [{"text": str(p).rsplit("/", 1)[-1], "href": local_href(request, p)} for p in pas],
                      "cls": "passage-link"})
    strings = request.app.state.strings[lang]
    table["variables"] = [strings["recommendation_col"]] + table["variables"] + [strings["source_passage"]]
    table["chart"] = None
    return {"org": org, "table": table, "query": q.name, "params": {"org": org}}


def _string(s: str) -> str:
    from service.querying import sparql_string

    return sparql_string(s)
