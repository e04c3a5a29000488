"""Inter-agency mechanisms as the lexicons name them, and the channel a recommendation goes through.

The channel is read in one place for every loader, so that the same recommendation met in two
documents (a WIPO progress report and the note with the CEB's comments both quote JIU/REP/2024/4
rec 2) gets the same jiu:toBeImplementedThrough. It is the mechanism named in the phrase that says
so, the lexicon's common.toml [channel] patterns ("through / as members of / in the framework of
{mechanism}"), never another body the recommendation happens to name: in "the executive heads should,
through the CEB, task the community of practice" the channel is the CEB; the community of practice
is what the CEB is asked to task. A phrase naming no mechanism ("通过适当机构间机制", "through the
appropriate inter-agency mechanisms") gives jiu:UnspecifiedInterAgencyMechanism: the CEB only when the
words say so.

Every other mechanism a text names (the community of practice the CEB is asked to task, the UNSDG a
recommendation says to consult) is a mention (`mentions`), kept apart from the channel and from an
organisation's deferral, with the clause that names it as evidence.
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
UNSPECIFIED = JIU.UnspecifiedInterAgencyMechanism
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
    none ("through the appropriate inter-agency mechanisms") gives jiu:UnspecifiedInterAgencyMechanism.

    >>> implementation_channel("行政首长应通过联合国系统行政首长协调理事会，责成相互承认同业交流群协调", "zh")
    (['https://w3id.org/jiukg/id/org/CEB'], ['通过联合国系统行政首长协调理事会'])
    >>> implementation_channel("应在 2024 年底前通过适当机构间机制进行协商", "zh")
    (['https://w3id.org/jiukg/ontology#UnspecifiedInterAgencyMechanism'], ['通过适当机构间机制'])
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
        iri: URIRef | None = reference.lookup(name) if name else UNSPECIFIED
        if iri is None:
            continue
        if str(iri) not in mechanisms:
            mechanisms.append(str(iri))
        if m.group(0).strip() not in evidence:
            evidence.append(m.group(0).strip())
    return mechanisms, evidence


_CLAUSE_END = "。；;！？!?\n"


def _clause(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end]: from the previous sentence end to the next one."""
    a = max(text.rfind(c, 0, start) for c in _CLAUSE_END) + 1
    ends = [i for c in _CLAUSE_END if (i := text.find(c, end)) >= 0]
    b = min(ends) if ends else len(text)
    return text[a:b].strip()


def mentions(text: str) -> list[tuple[str, str]]:
    """Every inter-agency mechanism the text names, in text order, each once, with the sentence
    naming it: [(IRI, sentence)]. A name inside a longer one ("管理问题高级别委员会" inside
    "管理问题高级别委员会人力资源网") is the longer one's, not a mention of its own.

    >>> [(i.rsplit("/", 1)[-1], e) for i, e in mentions("应请管理问题高级别委员会人力资源网审查。另议。")]
    [('HLCM-HR', '应请管理问题高级别委员会人力资源网审查')]
    """
    folded = text.casefold()
    spans: list[tuple[int, int, URIRef]] = []
    for at, name, iri in reference.find_names(text, JIU.InterAgencyMechanism):
        # every occurrence, so a short name first met inside a long one is still found standing alone
        for m in re.finditer(re.escape(name), folded):
            s, e = m.start(), m.end()
            if any(s >= a and e <= b and (s, e) != (a, b) for a, b, _ in spans):
                continue
            spans = [(a, b, i) for a, b, i in spans if not (a >= s and b <= e and (a, b) != (s, e))]
            spans.append((s, e, iri))
    # a name inside a longer name found later (the loop runs longest names first) is dropped above;
    # shorter names found first are removed when the longer one arrives
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for s, e, iri in sorted(spans, key=lambda t: t[0]):
        if str(iri) in seen:
            continue
        seen.add(str(iri))
        out.append((str(iri), _clause(text, s, e)))
    return out


def add_mentions(g, subject: URIRef, text: str, lang: str, doc_symbol: str, passage: URIRef | None = None) -> int:
    """Write a jiu:MechanismMention for every mechanism `text` names (see `mentions`): the subject
    jiu:namesMechanism it, the mention node holds the sentence, derived from the subject's passage.
    The node's IRI names the document too: a recommendation quoted by two documents (in two
    translations) gets one mention from each, each with its own words and passage. Returns how many."""
    from rdflib import Literal
    from rdflib.namespace import PROV

    from jiukg.namespaces import slug

    n = 0
    for iri, sentence in mentions(text):
        mech = URIRef(iri)
        node = URIRef(f"{subject}/mention/{slug(iri.rsplit('/', 1)[-1])}/{slug(doc_symbol)}")
        g.add((subject, JIU.namesMechanism, mech))
        g.add((node, RDF.type, JIU.MechanismMention))
        g.add((node, JIU.mentionedIn, subject))
        g.add((node, JIU.mentionedMechanism, mech))
        g.add((node, JIU.mentionEvidence, Literal(sentence, lang=lang)))
        if passage is not None:
            g.add((node, PROV.wasDerivedFrom, passage))
        n += 1
    return n
