"""The query guard process: does a user's query hold a SERVICE, once parsed?

Why a process: rdflib's SPARQL parser is the one at hand that yields a parse tree in
Python, and it is slow on some inputs (a 79 kB `IN (...)` list took 42 s). Run here,
the parse is bounded by the query's own time limit: the parent kills the process
(jiukg.store.embedded.QueryPool) and starts another, and no thread of the service
keeps computing or holds the GIL. Same wire protocol as _worker.py.

Request: dict(query). Answer: ('ok', verdict) with verdict 'service' (a SERVICE in the
parse tree), 'clean', 'unparsable' (rdflib does not read it: the parent decides) or
'too_deep' (the parser ran out of recursion).
"""

import os
import sys

try:
    from _worker import serve  # started as `python _guard.py`: the sibling script is on the path
except ImportError:  # imported as jiukg.store._guard (doctest collection)
    from jiukg.store._worker import serve


def verdict(sparql: str) -> str:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser

    try:
        tree = parser.parseQuery(sparql)
    except RecursionError:
        return "too_deep"
    except ParseBaseException:
        return "unparsable"
    stack = [tree]
    while stack:
        node = stack.pop()
        if getattr(node, "name", None) == "ServiceGraphPattern":
            return "service"
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)
    return "clean"


def answer(req) -> tuple:
    try:
        return ("ok", verdict(req["query"]))
    except Exception as e:  # reported to the parent, which refuses the query
        return ("err", "store", f"{type(e).__name__}: {e}")


def main():
    from rdflib.plugins.sparql import parser  # noqa: F401  (imported once, before the first query)

    serve(lambda req, send: answer(req))


def _run():
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        os._exit(0)


if __name__ == "__main__":
    import threading

    # rdflib's parser recurses per nesting level: room for the nesting check_query lets through
    sys.setrecursionlimit(20_000)
    threading.stack_size(256 * 1024 * 1024)
    t = threading.Thread(target=_run)
    t.start()
    t.join()
