"""The body-parser process: parses RDF sent to the service (jiukg.rdfparse) where it can be stopped.

Why a process: rdflib's parsers are pure Python and cannot be interrupted; a thread parsing a big
or pathological body holds the GIL for as long as it takes. Here the service kills the process
at its time limit (jiukg.store.embedded.QueryPool, the same wire protocol as the query workers)
and its own threads never compete with the parse.

Request: dict(data, fmt, what). Answer: ('ok', quads) with quads a list of (s, p, o, g) rdflib
terms (g None for the default graph), ('err', 'refused', message) for jiukg.rdfparse.RDFRefused,
or ('err', 'syntax', message) for data that does not parse.
"""

import os

from rdflib import Dataset, URIRef

from jiukg import rdfparse
from jiukg.store._worker import serve


def parse(req) -> tuple:
    try:
        parsed = rdfparse.parse(req["data"], req["fmt"], what=req.get("what", "the data"))
    except rdfparse.RDFRefused as e:
        return ("err", "refused", str(e))
    except Exception as e:  # rdflib raises many kinds; all mean the data does not parse
        return ("err", "syntax", str(e) or type(e).__name__)
    if isinstance(parsed, Dataset):
        quads = [(s, p, o, g if isinstance(g, URIRef) and str(g) != "urn:x-rdflib:default" else None)
                 for s, p, o, g in parsed.quads((None, None, None, None))]
    else:
        quads = [(s, p, o, None) for s, p, o in parsed]
    return ("ok", quads)


def main():
    serve(lambda req, send: parse(req))


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        os._exit(0)
