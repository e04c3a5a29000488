"""SHACL validation: the write gate, whole-store checks and readable reports.

The parts, each a module, with the dependency one way (top uses bottom):

    command   `jiukg validate` (reads files through the pipeline)
    gate      the write gate and whole-store validation: what to validate, with which context
    engine    validate one data graph: the compiled engine, or the hand-over to pyshacl
    core      the compiled SHACL Core engine        sparql    the SPARQL-based constraints
    handover  pyshacl, for what the compiled engine does not run
    report    results, verdicts and the report in its formats (graph, JSON, text)
    shapes    the shapes graph                      words     the shapes in words (ontology page)

The shapes are every file in shapes/ (one graph). Data is validated together
with what it refers to: the ontology and reference data, and the store's
descriptions (in other named graphs) of the resources the new data mentions,
so a status statement in one document can be checked against a recommendation
described in another. The write gate also checks what a write could break
elsewhere: the resources whose description it changes or removes, and the
records of other graphs that point at them, as the store would be after the
write (see gate.py). Only sh:Violation refuses a write; warnings and infos are
shown to the steward.

Engine ("compiled", the default): the shapes are read once into plain objects
and the SHACL Core constraints they use are evaluated in Python over the data
graph's indexes; the SPARQL-based constraints run in an in-memory Oxigraph
store with their variables pre-bound. A shapes graph using anything the
compiled engine does not implement goes to pyshacl as a whole, decided before
validation (the report's `engine` says so and why); `engine="pyshacl"` runs
plain pyshacl. tests/test_w3c_shacl.py runs the W3C SHACL test suite through
both; tests/test_shapes.py checks that they agree on the project's shapes;
bench/bench_validation.py times them (figures in bench/README.md).

JSON report shape (`--format json`, `POST /validate` with Accept: application/json).
"conforms" is jiukg's verdict, no violation (what `jiukg validate` exits 0 on
and the gate accepts); "shaclConforms" is SHACL's sh:conforms, no result at all.
"values" lists, where SHACL gives no sh:value (sh:uniqueLang), the values in
conflict:

    {"conforms": bool, "shaclConforms": bool,
     "summary": {"violations": int, "warnings": int, "infos": int,
                 "focusNodes": int, "triples": int, "seconds": float,
                 "engine": "compiled" | "pyshacl" | "pyshacl (hand-over: why)",
                 "shapes": "shapes/" | "shapes/ + my.ttl" | "my.ttl"},
     "results": [{"focusNode": IRI, "focusLabel": str | null,
                  "severity": "Violation" | "Warning" | "Info",
                  "path": IRI | null, "value": str | null,
                  "valueTerm": {"type": "uri" | "literal" | "bnode", "value": str,
                                "datatype"?: IRI, "language"?: str} | null,
                  "message": {"en": str, "zh": str},
                  "sourceShape": IRI | null, "shape": IRI | "_:label",
                  "shapeLabel": {"en": str, "zh": str},
                  "constraint": IRI, "values": [valueTerm, ...]}]}

"sourceShape" is the named node shape a result belongs to (a blank property
shape's parent); "shape" is SHACL's sh:sourceShape, the shape whose constraint
produced the result. A severity of the shapes' own (not sh:Violation, sh:Warning
or sh:Info) is given as its IRI and counted with the infos: it never refuses data.
"triples" counts the graph that was validated: its graphs merged (a triple in
two named graphs counts once), with the ontology, the reference data and, for
the write gate, what the store says about the resources the data mentions.
`jiukg build` and /dataset count the store's quads instead (a triple in two
graphs counts twice).

`--format turtle` gives the standard sh:ValidationReport graph (SHACL 1.0 §3.6).
"""

from __future__ import annotations

from .command import cli
from .engine import ENGINES, handover_reasons, validate_graph
from .gate import WriteJob, check_store, check_write, context, store_triples, validate_store, validate_write, write_job
from .report import (
    LANGS,
    SEVERITIES,
    SEVERITY_LABELS,
    Result,
    ValidationReport,
    render,
    render_text,
    short,
    show_value,
)
from .shapes import SHAPES_NS, Shapes, ShapesError, axioms, load_shapes, project_shapes, shape_labels, shapes_graph
from .words import SHAPE_DOC_TEXT, constraint_words, describe_shapes, shape_name

__all__ = [
    "ENGINES", "Shapes", "ShapesError", "WriteJob", "check_store", "check_write", "store_triples", "write_job", "handover_reasons", "load_shapes", "project_shapes",
    "LANGS", "SEVERITIES", "SEVERITY_LABELS", "SHAPES_NS", "SHAPE_DOC_TEXT", "Result", "ValidationReport", "axioms",
    "cli", "constraint_words", "context", "describe_shapes", "render", "render_text", "shape_labels", "shape_name",
    "shapes_graph", "short", "show_value", "validate_graph", "validate_store", "validate_write",
]
