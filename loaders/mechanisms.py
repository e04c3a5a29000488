"""Inter-agency mechanisms as the lexicons name them, and the channel a recommendation goes through.

The channel is read in one place for every loader, so that the same recommendation met in two
documents (a WIPO progress report and the note with the CEB's comments both quote JIU/REP/2024/4
rec 2) gets the same jiu:toBeImplementedThrough. It is the mechanism named in the phrase that says
so, the lexicon's common.toml [channel] patterns ("through / as members of / in the framework of
{mechanism}"), never another body the recommendation happens to name: in "the executive heads should,
through the CEB, task the community of practice" the channel is the CEB; the community of practice
is what the CEB is asked to task.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from jiukg.namespaces import JIU, org_iri
from jiukg.ontology import reference_graph, subclasses

from . import reference
from .ceb_common import load_lexicon

CEB = org_iri("CEB")
_ARTICLES = r"(?:(?:the|le|la|les|du|de la|des)\s+)?"
_BRACKETED = r"(?:\s*[（(][^）)]{1,40}[）)])?"


@lru_cache(maxsize=1)
def mechanism_names() -> str:
    """Regex alternation of every name of an inter-agency mechanism in the reference data, longest first."""
    g = reference_graph()
    allowed = subclasses(JIU.InterAgencyMechanism)
    names = set()
    for s in set(g.subjects(RDF.type, None)):
        if not any(t in allowed for t in g.objects(s, RDF.type)):
            continue
        for p in (SKOS.prefLabel, SKOS.altLabel, JIU.acronym):
            names.update(str(o) for o in g.objects(s, p))
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if len(n) >= 2)


def mechanism_pattern(pattern: str, *, group: str | None = None) -> str:
    """A lexicon pattern with {mechanism} expanded: any mechanism name, with an optional article before
    it and a bracketed short name after it ("行政首长协调理事会（首协会）"); with `group`, the name
    itself is captured under that group name."""
    name = f"(?P<{group}>{mechanism_names()})" if group else f"(?:{mechanism_names()})"
    return pattern.replace("{mechanism}", rf"{_ARTICLES}{name}(?![A-Za-z]){_BRACKETED}")


@lru_cache(maxsize=8)
def _channel_patterns(lang: str) -> tuple[re.Pattern, ...]:
    lex = load_lexicon("common", lang) or {}
    flags = re.M if lang == "zh" else re.I | re.M
    return tuple(re.compile(mechanism_pattern(p, group="mechanism"), flags)
                 for p in lex.get("channel", {}).get("patterns", []))


def implementation_channel(text: str, lang: str) -> tuple[list[str], list[str]]:
    """The mechanisms a recommendation is to be carried out through, and the phrases that say so,
    both in text order and without repeats. Each phrase gives the mechanism it names; one naming
    none ("through the appropriate inter-agency mechanisms") gives the CEB, at the head of the
    machinery.

    >>> implementation_channel("行政首长应通过联合国系统行政首长协调理事会，责成相互承认同业交流群协调", "zh")
    (['https://w3id.org/jiukg/id/org/CEB'], ['通过联合国系统行政首长协调理事会'])
    """
    found: list[tuple[int, int, re.Match]] = []
    for p in _channel_patterns(lang):
        for m in p.finditer(text):
            if not any(m.start() < e and s < m.end() for s, e, _ in found):
                found.append((m.start(), m.end(), m))
    mechanisms: list[str] = []
    evidence: list[str] = []
    for _, _, m in sorted(found, key=lambda t: t[0]):
        name = m.groupdict().get("mechanism")
        iri: URIRef | None = reference.lookup(name) if name else CEB
        if iri is None:
            continue
        if str(iri) not in mechanisms:
            mechanisms.append(str(iri))
        if m.group(0).strip() not in evidence:
            evidence.append(m.group(0).strip())
    return mechanisms, evidence
