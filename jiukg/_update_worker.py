"""Runs one SPARQL Update on an in-memory copy of the store and says which graphs it changed.

Started as a plain script (`python _update_worker.py`), importing only pyoxigraph,
so the parent can kill it when the update runs past its time limit (pyoxigraph
cannot stop an update from inside). The store itself is never touched here: the
parent hands what changed to the gated write pipeline.

Request (a pickle on stdin): dict(nquads, update, base_iri, default_graph, exclude), `exclude`
the graphs left out of the copy (the catalogue and the status order: jiukg writes them).
The copy's default graph starts as the union of all named graphs, as on the
query endpoint; what the update adds to the default graph goes to the named
graph `default_graph`, what it deletes from the default graph is deleted from
that graph. Answer (a pickle on stdout): ('ok', [changed graph IRIs], nquads of
their new content) or ('err', 'syntax' | 'store', message).
"""

import pickle
import sys

import pyoxigraph as ox


def _by_graph(store):
    graphs, default = {}, set()
    for q in store:
        t = ox.Triple(q.subject, q.predicate, q.object)
        if isinstance(q.graph_name, ox.DefaultGraph):
            default.add(t)
        else:
            graphs.setdefault(q.graph_name.value, set()).add(t)
    return graphs, default


def run(req):
    store = ox.Store()
    store.load(req["nquads"], format=ox.RdfFormat.N_QUADS)
    for g in req["exclude"]:
        store.remove_graph(ox.NamedNode(g))
    store.extend([ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in store])
    before, default_before = _by_graph(store)
    try:
        store.update(req["update"], base_iri=req["base_iri"])
    except SyntaxError as e:
        return ("err", "syntax", str(e))
    except (OSError, ValueError, RuntimeError) as e:
        return ("err", "store", str(e))
    after, default_after = _by_graph(store)
    d = req["default_graph"]
    added, removed = default_after - default_before, default_before - default_after
    if added or removed:
        after[d] = (after.get(d, set()) - removed) | added
    changed = sorted(g for g in set(before) | set(after) if before.get(g, set()) != after.get(g, set()))
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g in changed for t in after.get(g, ())]
    return ("ok", changed, ox.serialize(quads, format=ox.RdfFormat.N_QUADS) if quads else b"")


def main():
    req = pickle.load(sys.stdin.buffer)
    answer = run(req)
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
