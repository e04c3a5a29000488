"""The ontology, vocabularies and reference data: they parse, speak en and zh, and reason."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from jiukg.namespaces import JIU, VOCAB
from jiukg.ontology import ontology_graph, reference_graph
from jiukg.paths import ONTOLOGY_DIR, ROOT

DEFINED_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
UN_LANGUAGES = {"ar", "zh", "en", "fr", "ru", "es"}


def defined_terms(g: Graph) -> set[URIRef]:
    return {s for t in DEFINED_TYPES for s in g.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(str(JIU))}


def langs(g: Graph, s, p) -> set[str]:
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal)}


def test_every_file_parses():
    for f in list(ONTOLOGY_DIR.glob("*.ttl")) + list((ROOT / "data" / "reference").glob("*.ttl")):
        assert len(Graph().parse(f)) > 0, f


def test_ontology_header():
    g = ontology_graph()
    onts = list(g.subjects(RDF.type, OWL.Ontology))
    assert len(onts) == 1
    assert g.value(onts[0], OWL.versionIRI) is not None
    assert {"en", "zh"} <= langs(g, onts[0], RDFS.label)


def test_terms_are_found():
    # guards the next test against passing on an empty set
    assert len(defined_terms(ontology_graph())) > 60


@pytest.mark.parametrize("prop", [RDFS.label, SKOS.definition])
def test_every_defined_term_has_en_and_zh(prop):
    g = ontology_graph()
    missing = sorted(str(t) for t in defined_terms(g) if not {"en", "zh"} <= langs(g, t, prop))
    assert not missing, f"without {prop} in en and zh: {missing}"


def test_every_used_jiu_term_is_defined():
    """A term used in the ontology, vocabularies or reference data but never declared is a typo."""
    g = ontology_graph() + reference_graph()
    declared = defined_terms(ontology_graph()) | set(ontology_graph().subjects(RDF.type, None))
    used = {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(str(JIU))}
    assert used - declared == set()


def test_concept_schemes():
    g = ontology_graph()
    expected = {
        "acceptance": {"accepted", "not-accepted", "under-consideration", "not-relevant"},
        "implementation": {"implemented", "in-progress", "not-started"},
        "addressee": {"legislative", "executive-head", "secretary-general"},
    }
    for scheme, notations in expected.items():
        s = VOCAB[scheme]
        assert (s, RDF.type, SKOS.ConceptScheme) in g
        members = set(g.subjects(SKOS.inScheme, s))
        assert {str(g.value(c, SKOS.notation)) for c in members} == notations
        for c in members:
            assert langs(g, c, SKOS.prefLabel) >= UN_LANGUAGES, c
    for scheme in ("stance", "document-kind"):
        members = set(g.subjects(SKOS.inScheme, VOCAB[scheme]))
        assert members and all({"en", "zh"} <= langs(g, c, SKOS.prefLabel) for c in members)


def test_reference_data_has_names_in_en_and_zh():
    g = reference_graph()
    subjects = set(g.subjects(SKOS.prefLabel, None))
    assert len(subjects) > 40
    for s in subjects:
        assert {"en", "zh"} <= langs(g, s, SKOS.prefLabel), s
    for acronym in ("WIPO", "UN", "CEB", "HLCM", "HLCP", "UNSDG", "JIU", "OIOS", "BOA", "WIPO-PBC", "HLCM-DTN"):
        assert (URIRef(f"https://w3id.org/jiukg/id/org/{acronym}"), SKOS.prefLabel, None) in g


# --- reasoning with a real reasoner (HermiT through owlready2, on Java) -----

@pytest.fixture(scope="module")
def reasoned(tmp_path_factory):
    if not shutil.which("java"):
        pytest.fail("Java is needed for HermiT: ./dev test installs default-jre-headless")
    import owlready2

    g = ontology_graph() + Graph().parse(ROOT / "tests" / "fixtures" / "reasoning.ttl")
    # HermiT knows only the OWL 2 datatype map, which lacks xsd:date and xsd:gYear;
    # the class logic under test does not depend on them, so they become rdfs:Literal here.
    for p, dt in list(g.subject_objects(RDFS.range)):
        if dt in (XSD.date, XSD.gYear):
            g.remove((p, RDFS.range, dt))
            g.add((p, RDFS.range, RDFS.Literal))
    path = tmp_path_factory.mktemp("owl") / "kb.owl"
    g.serialize(path, format="xml")  # owlready2 reads RDF/XML, not Turtle
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def _individual(world, iri: str):
    ind = world[iri]
    assert ind is not None, iri
    return ind


def test_ontology_is_consistent(reasoned):
    import owlready2

    assert list(reasoned.inconsistent_classes()) == []
    assert owlready2.Nothing not in {c for c in reasoned.classes()}


def test_ceb_level_recommendations_are_classified(reasoned):
    ceb_level = reasoned[str(JIU.CEBLevelRecommendation)]
    base = "https://w3id.org/jiukg/id/doc/JIU/REP/2024/3/rec/"
    assert ceb_level in _individual(reasoned, base + "1").is_a
    assert ceb_level in _individual(reasoned, base + "7").is_a  # through a subclass of mechanism
    assert ceb_level not in _individual(reasoned, base + "3").is_a


def test_deferred_statements_are_classified(reasoned):
    deferred = reasoned[str(JIU.DeferredStatement)]
    assert deferred in _individual(reasoned, "https://w3id.org/jiukg/id/s1").is_a
    assert deferred not in _individual(reasoned, "https://w3id.org/jiukg/id/s2").is_a
