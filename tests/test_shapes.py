"""Every SHACL shape: data that breaks it (focus node, path and severity reported) and data that passes.

tests/data/shapes/base.ttl holds one record of every kind the loaders write and
conforms to every shape without a single result. Each case below breaks one
rule with a SPARQL Update on a copy of it and says what the report must hold.
Meta-tests check that every constraint component of every shape (node-level and
of each property shape) is broken by some case, and that base.ttl gives every
property shape values to check, so that its passing is not vacuous.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS

from jiukg import validation
from jiukg.validation import core, gate
from jiukg.namespaces import GRAPH, ID, PREFIXES, REFERENCE_GRAPH, SH

DATA = Path(__file__).parent / "data" / "shapes"
JSH = "https://w3id.org/jiukg/shapes#"
HEADER = "BASE <https://w3id.org/jiukg/id/>\n" + "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + \
    "PREFIX acc: <https://w3id.org/jiukg/vocab/acceptance/>\nPREFIX impl: <https://w3id.org/jiukg/vocab/implementation/>\n" \
    "PREFIX addr: <https://w3id.org/jiukg/vocab/addressee/>\nPREFIX stance: <https://w3id.org/jiukg/vocab/stance/>\n" \
    "PREFIX dockind: <https://w3id.org/jiukg/vocab/document-kind/>\nPREFIX iso: <http://id.loc.gov/vocabulary/iso639-1/>\n"
TEST_GRAPH = GRAPH["test"]

PR = "doc/WO/PBC/38/2"
REP = "doc/JIU/REP/2024/4"
REC1, REC2 = REP + "/rec/1", REP + "/rec/2"
ST = REC2 + "/status/WIPO/WO-PBC-38-2"
COM = REP + "/ceb-comment/rec/2/A-80-263-Add.1"
MEN = REC2 + "/mention/MR-COP/WO-PBC-38-2"
NOTE = "doc/A/80/263/Add.1"
SUBM = "doc/JIUKG/STATUS/ILO/JIU/REP/2024/4/2025-06-30"
LST = PR + "/active-report/JIU-REP-2024-4"
FU = "doc/A/76/644/follow-up/A-RES-75-253"
OBS = "dataset/oversight/A-76-644/JIU/2020"
P1 = PR + "/passage/L1-L1"
SES = "org/WIPO-PBC/session/38"
I1, IY = "instant/2025-05-19", "instant/2020"
BN = object()  # "the focus node is a blank node"


def upd(delete: str = "", insert: str = "", where: str = "") -> str:
    return f"DELETE {{ {delete} }} INSERT {{ {insert} }} WHERE {{ {where or delete} }}" if delete else \
        f"INSERT DATA {{ {insert} }}"


def sub(node: str, prop: str, new: str) -> str:
    """Replace all values of prop on node by new."""
    return f"DELETE {{ <{node}> {prop} ?o }} INSERT {{ <{node}> {prop} {new} }} WHERE {{ <{node}> {prop} ?o }}"


def drop(node: str, prop: str) -> str:
    return f"DELETE WHERE {{ <{node}> {prop} ?o }}"


def add(node: str, prop: str, value: str) -> str:
    return f"INSERT DATA {{ <{node}> {prop} {value} }}"


ORG_OK = 'skos:prefLabel "Test organization"@en , "测试组织"@zh'

# (id, update, focus, path, severity, node shape, constraint component)
CASES = [
    # documents
    ("doc-iri", add("https://example.org/doc/X", "a", "jiu:Resolution") + ' ; INSERT DATA { <https://example.org/doc/X> jiu:symbol "A/RES/1/1" ; dcterms:type dockind:resolution }',
     URIRef("https://example.org/doc/X"), None, "Violation", "DocumentShape", "Pattern"),
    ("doc-symbol-missing", drop("doc/E/2023/55", "jiu:symbol"), "doc/E/2023/55", "jiu:symbol", "Violation", "DocumentShape", "MinCount"),
    ("doc-symbol-spaces", sub("doc/JIU/NOTE/2022/1/Rev.1", "jiu:symbol", '"JIU/NOTE/2022/1 Rev.1"'), "doc/JIU/NOTE/2022/1/Rev.1", "jiu:symbol", "Violation", "DocumentShape", "Pattern"),
    ("doc-symbol-two", add("doc/E/2023/55", "jiu:symbol", '"E/2023/56"'), "doc/E/2023/55", "jiu:symbol", "Violation", "DocumentShape", "MaxCount"),
    ("doc-kind-value", sub("doc/E/2023/55", "dcterms:type", "acc:accepted"), "doc/E/2023/55", "dcterms:type", "Violation", "DocumentShape", "In"),
    ("doc-kind-missing", drop("doc/E/2023/55", "dcterms:type"), "doc/E/2023/55", "dcterms:type", "Warning", "DocumentKindShape", "SPARQL"),
    ("doc-issued-string", sub(PR, "dcterms:issued", '"2025-03-31"'), PR, "dcterms:issued", "Violation", "DocumentShape", "Datatype"),
    ("doc-issued-bad-date", sub(PR, "dcterms:issued", '"2025-02-30"^^xsd:date'), PR, "dcterms:issued", "Violation", "DocumentShape", "Datatype"),
    ("doc-title-no-lang", sub(REP, "dcterms:title", '"审查"'), REP, "dcterms:title", "Violation", "DocumentShape", "Datatype"),
    ("doc-title-two", add(REP, "dcterms:title", '"另一个标题"@zh'), REP, "dcterms:title", "Warning", "DocumentTitleAgreementShape", "UniqueLang"),
    ("doc-session-class", sub(PR, "jiu:session", "<org/WIPO>"), PR, "jiu:session", "Violation", "DocumentShape", "Class"),
    ("doc-preparedby", sub(PR, "jiu:preparedBy", f"<{REP}>"), PR, "jiu:preparedBy", "Violation", "DocumentShape", "Or"),
    ("doc-submittedto", sub(PR, "jiu:submittedTo", "<org/WIPO-DG>"), PR, "jiu:submittedTo", "Violation", "DocumentShape", "Class"),
    ("doc-references", add(PR, "dcterms:references", "<doc/A/RES/99/999>"), PR, "dcterms:references", "Warning", "DocumentShape", "Class"),
    ("doc-circulatedas", sub(REP, "jiu:circulatedAs", "<doc/A/80/999>"), REP, "jiu:circulatedAs", "Violation", "DocumentShape", "Class"),
    ("doc-language", sub(PR, "dcterms:language", '"zh"'), PR, "dcterms:language", "Violation", "DocumentShape", "NodeKind"),
    ("doc-original-language", sub(PR, "jiu:originalLanguage", "<https://example.org/english>"), PR, "jiu:originalLanguage", "Violation", "DocumentShape", "Pattern"),
    ("doc-checksum", sub(PR, "jiu:sourceChecksum", '"ABC"'), PR, "jiu:sourceChecksum", "Violation", "DocumentShape", "Pattern"),
    ("doc-agenda-item", sub(PR, "jiu:agendaItem", "8"), PR, "jiu:agendaItem", "Violation", "DocumentShape", "Datatype"),
    ("source-doc-issued", drop(NOTE, "dcterms:issued"), NOTE, "dcterms:issued", "Warning", "SourceDocumentShape", "MinCount"),
    ("jiu-report-symbol", sub(REP, "jiu:symbol", '"JIU/REP/24/4"'), REP, "jiu:symbol", "Violation", "JIUReportShape", "Pattern"),
    ("jiu-report-kind", sub(REP, "dcterms:type", "dockind:jiu-note"), REP, "dcterms:type", "Violation", "JIUReportShape", "In"),
    ("jiu-note-symbol", sub("doc/JIU/NOTE/2022/1/Rev.1", "jiu:symbol", '"JIU/NOTE/2022/1/Add.1"'), "doc/JIU/NOTE/2022/1/Rev.1", "jiu:symbol", "Violation", "JIUNoteShape", "Pattern"),
    ("jiu-note-kind", sub("doc/JIU/NOTE/2022/1/Rev.1", "dcterms:type", "dockind:jiu-report"), "doc/JIU/NOTE/2022/1/Rev.1", "dcterms:type", "Violation", "JIUNoteShape", "In"),
    ("progress-report-kind", sub(PR, "dcterms:type", "dockind:sg-report"), PR, "dcterms:type", "Violation", "ProgressReportShape", "In"),
    ("progress-report-series", sub(PR, "jiu:symbol", '"ILO/GB/38/2"'), PR, "jiu:symbol", "Warning", "ProgressReportSeriesShape", "Pattern"),
    ("progress-report-session", drop(PR, "jiu:session"), PR, "jiu:session", "Warning", "ProgressReportSessionShape", "SPARQL"),
    ("ceb-note-symbol", sub(NOTE, "jiu:symbol", '"CEB/2022/5"'), NOTE, "jiu:symbol", "Warning", "CEBCommentsNoteShape", "Pattern"),
    ("ceb-note-kind", sub(NOTE, "dcterms:type", "dockind:sg-report"), NOTE, "dcterms:type", "Violation", "CEBCommentsNoteShape", "In"),
    ("submission-symbol", sub(SUBM, "jiu:symbol", '"JIUKG/STATUS/ILO/2025"'), SUBM, "jiu:symbol", "Violation", "StatusSubmissionShape", "Pattern"),
    ("submission-kind", sub(SUBM, "dcterms:type", "dockind:progress-report"), SUBM, "dcterms:type", "Violation", "StatusSubmissionShape", "In"),
    ("submission-by-missing", drop(SUBM, "jiu:preparedBy"), SUBM, "jiu:preparedBy", "Violation", "StatusSubmissionShape", "MinCount"),
    ("submission-by-two", add(SUBM, "jiu:preparedBy", "<org/WIPO>"), SUBM, "jiu:preparedBy", "Violation", "StatusSubmissionShape", "MaxCount"),
    ("submission-by-body", sub(SUBM, "jiu:preparedBy", "<org/WIPO-PBC>"), SUBM, "jiu:preparedBy", "Violation", "StatusSubmissionShape", "Class"),
    ("sg-report-symbol", sub("doc/A/76/644", "jiu:symbol", '"ST/SGB/2018/3"'), "doc/A/76/644", "jiu:symbol", "Warning", "SecretaryGeneralReportShape", "Pattern"),
    ("sg-report-kind", sub("doc/A/76/644", "dcterms:type", "dockind:resolution"), "doc/A/76/644", "dcterms:type", "Violation", "SecretaryGeneralReportShape", "In"),
    ("ceb-overview-symbol", sub("doc/E/2023/55", "jiu:symbol", '"CEB/2022/2/Add.1"'), "doc/E/2023/55", "jiu:symbol", "Warning", "CEBAnnualOverviewShape", "Pattern"),
    ("ceb-overview-kind", sub("doc/E/2023/55", "dcterms:type", "dockind:sg-report"), "doc/E/2023/55", "dcterms:type", "Violation", "CEBAnnualOverviewShape", "In"),
    ("resolution-symbol", sub("doc/A/RES/75/253", "jiu:symbol", '"A/75/253"'), "doc/A/RES/75/253", "jiu:symbol", "Warning", "ResolutionShape", "Pattern"),
    ("resolution-kind", sub("doc/A/RES/75/253", "dcterms:type", "dockind:decision"), "doc/A/RES/75/253", "dcterms:type", "Violation", "ResolutionShape", "In"),
    ("resolution-adopted-by", sub("doc/A/RES/75/253", "jiu:adoptedBy", f"<{PR}>"), "doc/A/RES/75/253", "jiu:adoptedBy", "Violation", "ResolutionShape", "Class"),
    ("decision-kind", sub("doc/A/DEC/76/548", "dcterms:type", "dockind:resolution"), "doc/A/DEC/76/548", "dcterms:type", "Violation", "DecisionShape", "In"),
    ("decision-adopted-by", sub("doc/A/DEC/76/548", "jiu:adoptedBy", "<org/UN-SG>"), "doc/A/DEC/76/548", "jiu:adoptedBy", "Violation", "DecisionShape", "Class"),
    ("session-iri", 'INSERT DATA { [] a jiu:Session ; jiu:sessionNumber 1 ; jiu:sessionOf <org/WIPO-PBC> }', BN, None, "Violation", "SessionShape", "NodeKind"),
    ("session-number", sub("org/WIPO-PBC/session/38", "jiu:sessionNumber", '"38"'), "org/WIPO-PBC/session/38", "jiu:sessionNumber", "Violation", "SessionShape", "Datatype"),
    ("session-of", drop("org/WIPO-PBC/session/38", "jiu:sessionOf"), "org/WIPO-PBC/session/38", "jiu:sessionOf", "Violation", "SessionShape", "MinCount"),
    ("session-number-missing", drop(SES, "jiu:sessionNumber"), SES, "jiu:sessionNumber", "Violation", "SessionShape", "MinCount"),
    ("session-number-two", add(SES, "jiu:sessionNumber", "39"), SES, "jiu:sessionNumber", "Violation", "SessionShape", "MaxCount"),
    ("session-number-zero", sub(SES, "jiu:sessionNumber", "0"), SES, "jiu:sessionNumber", "Violation", "SessionShape", "MinInclusive"),
    ("session-of-class", sub(SES, "jiu:sessionOf", f"<{PR}>"), SES, "jiu:sessionOf", "Violation", "SessionShape", "Class"),
    ("session-of-two", add(SES, "jiu:sessionOf", "<org/UN-GA>"), SES, "jiu:sessionOf", "Violation", "SessionShape", "MaxCount"),
    ("doc-iri-blank", 'INSERT DATA { [] a jiu:Resolution ; jiu:symbol "A/RES/1/1" ; dcterms:type dockind:resolution }', BN, None, "Violation", "DocumentShape", "NodeKind"),
    ("doc-symbol-datatype", sub("doc/E/2023/55", "jiu:symbol", '"E/2023/55"^^xsd:token'), "doc/E/2023/55", "jiu:symbol", "Violation", "DocumentShape", "Datatype"),
    ("doc-kind-two", add("doc/E/2023/55", "dcterms:type", "dockind:sg-report"), "doc/E/2023/55", "dcterms:type", "Violation", "DocumentShape", "MaxCount"),
    ("doc-issued-two", add(PR, "dcterms:issued", '"2025-04-01"^^xsd:date'), PR, "dcterms:issued", "Violation", "DocumentShape", "MaxCount"),
    ("doc-session-two", add(PR, "jiu:session", "<org/WIPO-PBC/session/39>"), PR, "jiu:session", "Violation", "DocumentShape", "MaxCount"),
    ("doc-language-pattern", sub(PR, "dcterms:language", "<http://id.loc.gov/vocabulary/iso639-2/chi>"), PR, "dcterms:language", "Violation", "DocumentShape", "Pattern"),
    ("doc-original-language-two", add(PR, "jiu:originalLanguage", "iso:fr"), PR, "jiu:originalLanguage", "Violation", "DocumentShape", "MaxCount"),
    ("doc-original-language-literal", sub(PR, "jiu:originalLanguage", '"en"'), PR, "jiu:originalLanguage", "Violation", "DocumentShape", "NodeKind"),
    ("doc-checksum-datatype", sub(PR, "jiu:sourceChecksum", f'"{"0" * 64}"^^xsd:hexBinary'), PR, "jiu:sourceChecksum", "Violation", "DocumentShape", "Datatype"),
    ("doc-checksum-two", add(PR, "jiu:sourceChecksum", f'"{"1" * 64}"'), PR, "jiu:sourceChecksum", "Violation", "DocumentShape", "MaxCount"),
    ("doc-agenda-item-empty", sub(PR, "jiu:agendaItem", '""'), PR, "jiu:agendaItem", "Violation", "DocumentShape", "MinLength"),
    # recommendations
    ("rec-iri", f'INSERT DATA {{ <{REP}/recommendation/3> a jiu:Recommendation ; jiu:inPublication <{REP}> ; jiu:recommendationNumber 3 }}', REP + "/recommendation/3", None, "Violation", "RecommendationShape", "Pattern"),
    ("rec-publication", sub(REC2, "jiu:inPublication", "<doc/A/80/263>"), REC2, "jiu:inPublication", "Violation", "RecommendationShape", "Class"),
    ("rec-publication-missing", drop(REC2, "jiu:inPublication"), REC2, "jiu:inPublication", "Violation", "RecommendationShape", "MinCount"),
    ("rec-number", sub(REC2, "jiu:recommendationNumber", '"2"'), REC2, "jiu:recommendationNumber", "Violation", "RecommendationShape", "Datatype"),
    ("rec-number-zero", sub(REC2, "jiu:recommendationNumber", "0"), REC2, "jiu:recommendationNumber", "Violation", "RecommendationShape", "MinInclusive"),
    ("rec-text-no-lang", sub(REC2, "jiu:recommendationText", '"建议"'), REC2, "jiu:recommendationText", "Violation", "RecommendationShape", "Datatype"),
    ("rec-text-empty", sub(REC2, "jiu:recommendationText", '""@zh'), REC2, "jiu:recommendationText", "Violation", "RecommendationShape", "MinLength"),
    ("rec-text-missing", drop(REC1, "jiu:recommendationText"), REC1, "jiu:recommendationText", "Warning", "RecommendationTextPresent", "MinCount"),
    ("rec-text-disagree", add(REC1, "jiu:recommendationText", '"另一案文"@zh'), REC1, "jiu:recommendationText", "Warning", "RecommendationTextPresent", "UniqueLang"),
    ("rec-addressee", sub(REC2, "jiu:addresseeKind", "acc:accepted"), REC2, "jiu:addresseeKind", "Violation", "RecommendationShape", "In"),
    ("rec-addressee-two", add(REC2, "jiu:addresseeKind", "addr:legislative"), REC2, "jiu:addresseeKind", "Violation", "RecommendationShape", "MaxCount"),
    ("rec-deadline", sub(REC2, "jiu:deadline", '"2025"^^xsd:gYear'), REC2, "jiu:deadline", "Violation", "RecommendationShape", "Datatype"),
    ("rec-deadline-text", sub(REC2, "jiu:deadlineText", '"by 2025"'), REC2, "jiu:deadlineText", "Violation", "RecommendationShape", "Datatype"),
    ("rec-channel", sub(REC2, "jiu:toBeImplementedThrough", "<org/WIPO>"), REC2, "jiu:toBeImplementedThrough", "Violation", "RecommendationShape", "Class"),
    # a mechanism named in a text (jiu:MechanismMention)
    ("mention-in-missing", drop(MEN, "jiu:mentionedIn"), MEN, "jiu:mentionedIn", "Violation", "MechanismMentionShape", "MinCount"),
    ("mention-in-two", add(MEN, "jiu:mentionedIn", f"<{REC1}>"), MEN, "jiu:mentionedIn", "Violation", "MechanismMentionShape", "MaxCount"),
    ("mention-in-literal", sub(MEN, "jiu:mentionedIn", '"rec 2"'), MEN, "jiu:mentionedIn", "Violation", "MechanismMentionShape", "NodeKind"),
    ("mention-mechanism-missing", drop(MEN, "jiu:mentionedMechanism"), MEN, "jiu:mentionedMechanism", "Violation", "MechanismMentionShape", "MinCount"),
    ("mention-mechanism-two", add(MEN, "jiu:mentionedMechanism", "<org/CEB>"), MEN, "jiu:mentionedMechanism", "Violation", "MechanismMentionShape", "MaxCount"),
    ("mention-mechanism-class", sub(MEN, "jiu:mentionedMechanism", "<org/WIPO>"), MEN, "jiu:mentionedMechanism", "Violation", "MechanismMentionShape", "Class"),
    ("mention-evidence-missing", drop(MEN, "jiu:mentionEvidence"), MEN, "jiu:mentionEvidence", "Violation", "MechanismMentionShape", "MinCount"),
    ("mention-evidence-lang", sub(MEN, "jiu:mentionEvidence", '"CEB"'), MEN, "jiu:mentionEvidence", "Violation", "MechanismMentionShape", "Datatype"),
    ("rec-channel-evidence-lang", sub(REC2, "jiu:implementationChannelEvidence", '"via CEB"'), REC2, "jiu:implementationChannelEvidence", "Violation", "RecommendationShape", "Datatype"),
    ("rec-channel-evidence", drop(REC2, "jiu:implementationChannelEvidence"), REC2, "jiu:toBeImplementedThrough", "Warning", "RecommendationChannelEvidenceShape", "SPARQL"),
    ("rec-iri-blank", f'INSERT DATA {{ [] a jiu:Recommendation ; jiu:inPublication <{REP}> ; jiu:recommendationNumber 3 ; jiu:recommendationText "x"@zh ; prov:wasDerivedFrom <{P1}> }}', BN, None, "Violation", "RecommendationShape", "NodeKind"),
    ("rec-publication-two", add(REC2, "jiu:inPublication", "<doc/JIU/NOTE/2022/1/Rev.1>"), REC2, "jiu:inPublication", "Violation", "RecommendationShape", "MaxCount"),
    ("rec-number-missing", drop(REC2, "jiu:recommendationNumber"), REC2, "jiu:recommendationNumber", "Violation", "RecommendationShape", "MinCount"),
    ("rec-number-two", add(REC2, "jiu:recommendationNumber", "3"), REC2, "jiu:recommendationNumber", "Violation", "RecommendationShape", "MaxCount"),
    ("rec-number-unique", f'DELETE WHERE {{ <{REC1}> jiu:recommendationNumber ?n }} ; INSERT DATA {{ <{REC1}> jiu:recommendationNumber 2 }}', REC1, "jiu:recommendationNumber", "Violation", "RecommendationNumberUniqueShape", "SPARQL"),
    ("rec-iri-number", sub(REC1, "jiu:recommendationNumber", "3"), REC1, "jiu:recommendationNumber", "Violation", "RecommendationIriShape", "SPARQL"),
    # CEB comments
    ("comment-iri", f'INSERT DATA {{ [] a jiu:CEBComment ; jiu:commentOn <{REC2}> ; jiu:commentText "x"@zh ; jiu:reportedIn <{NOTE}> ; prov:wasDerivedFrom <{P1}> }}', BN, None, "Violation", "CEBCommentShape", "NodeKind"),
    ("comment-on-missing", drop(COM, "jiu:commentOn"), COM, "jiu:commentOn", "Violation", "CEBCommentShape", "MinCount"),
    ("comment-on-org", sub(COM, "jiu:commentOn", "<org/WIPO>"), COM, "jiu:commentOn", "Violation", "CEBCommentShape", "Or"),
    ("comment-text", drop(COM, "jiu:commentText"), COM, "jiu:commentText", "Violation", "CEBCommentShape", "MinCount"),
    ("comment-stance", sub(COM, "jiu:stance", "acc:accepted"), COM, "jiu:stance", "Violation", "CEBCommentShape", "In"),
    ("comment-stance-evidence", sub(COM, "jiu:stanceEvidence", '"supports"'), COM, "jiu:stanceEvidence", "Violation", "CEBCommentShape", "Datatype"),
    ("comment-reported-in", drop(COM, "jiu:reportedIn"), COM, "jiu:reportedIn", "Violation", "CEBCommentShape", "MinCount"),
    ("comment-on-two", add(COM, "jiu:commentOn", f"<{REC1}>"), COM, "jiu:commentOn", "Violation", "CEBCommentShape", "MaxCount"),
    ("comment-text-no-lang", sub(COM, "jiu:commentText", '"The organizations support it."'), COM, "jiu:commentText", "Violation", "CEBCommentShape", "Datatype"),
    ("comment-text-two", add(COM, "jiu:commentText", '"各组织支持。"@zh'), COM, "jiu:commentText", "Violation", "CEBCommentShape", "UniqueLang"),
    ("comment-text-empty", sub(COM, "jiu:commentText", '""@zh'), COM, "jiu:commentText", "Violation", "CEBCommentShape", "MinLength"),
    ("comment-stance-two", add(COM, "jiu:stance", "stance:noted"), COM, "jiu:stance", "Violation", "CEBCommentShape", "MaxCount"),
    ("comment-reported-in-class", sub(COM, "jiu:reportedIn", "<org/WIPO>"), COM, "jiu:reportedIn", "Violation", "CEBCommentShape", "Class"),
    ("comment-reported-in-two", add(COM, "jiu:reportedIn", f"<{PR}>"), COM, "jiu:reportedIn", "Violation", "CEBCommentShape", "MaxCount"),
    ("comment-stance-missing", drop(COM, "jiu:stance"), COM, "jiu:stance", "Warning", "CommentStancePresentShape", "SPARQL"),
    # status statements
    ("status-iri", f'INSERT DATA {{ [] a jiu:StatusStatement ; jiu:aboutRecommendation <{REC2}> }}', BN, None, "Violation", "StatusStatementShape", "NodeKind"),
    ("status-recommendation", sub(ST, "jiu:aboutRecommendation", f"<{REP}>"), ST, "jiu:aboutRecommendation", "Violation", "StatusStatementShape", "Class"),
    ("status-organization", drop(ST, "jiu:reportingOrganization"), ST, "jiu:reportingOrganization", "Violation", "StatusStatementShape", "MinCount"),
    ("status-organization-class", sub(ST, "jiu:reportingOrganization", "<org/WIPO-DG>"), ST, "jiu:reportingOrganization", "Violation", "StatusStatementShape", "Class"),
    ("status-asof", sub(ST, "jiu:asOf", '"28 February 2025"'), ST, "jiu:asOf", "Violation", "StatusStatementShape", "Datatype"),
    ("status-reported-in", add(ST, "jiu:reportedIn", f"<{NOTE}>"), ST, "jiu:reportedIn", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-acceptance-missing", drop(ST, "jiu:acceptance"), ST, "jiu:acceptance", "Violation", "StatusStatementShape", "MinCount"),
    ("status-acceptance-value", sub(ST, "jiu:acceptance", "impl:implemented"), ST, "jiu:acceptance", "Violation", "StatusStatementShape", "In"),
    ("status-implementation", sub(ST, "jiu:implementation", "acc:accepted"), ST, "jiu:implementation", "Violation", "StatusStatementShape", "In"),
    ("status-previous-acceptance", sub(ST, "jiu:previousAcceptance", "impl:implemented"), ST, "jiu:previousAcceptance", "Violation", "StatusStatementShape", "In"),
    ("status-previous-implementation", sub(ST, "jiu:previousImplementation", "acc:accepted"), ST, "jiu:previousImplementation", "Violation", "StatusStatementShape", "In"),
    ("status-qualifier", sub(ST, "jiu:acceptanceQualifier", '"not solely"'), ST, "jiu:acceptanceQualifier", "Violation", "StatusStatementShape", "Datatype"),
    ("status-official", add(ST, "jiu:responsibleOfficial", '"司长"@zh'), ST, "jiu:responsibleOfficial", "Violation", "StatusStatementShape", "UniqueLang"),
    ("status-assessment-lang", sub(ST, "jiu:managementAssessment", '"text"'), ST, "jiu:managementAssessment", "Violation", "StatusStatementShape", "Datatype"),
    ("status-change-note", sub(ST, "jiu:statusChangeNote", "<org/WIPO>"), ST, "jiu:statusChangeNote", "Violation", "StatusStatementShape", "Datatype"),
    ("status-deferral-evidence-lang", sub(ST, "jiu:deferralEvidence", '"with the CoP"'), ST, "jiu:deferralEvidence", "Violation", "StatusStatementShape", "Datatype"),
    ("status-unchanged", sub(ST, "jiu:statusUnchanged", '"no"'), ST, "jiu:statusUnchanged", "Violation", "StatusStatementShape", "Datatype"),
    ("status-assessment-updated", sub(ST, "jiu:assessmentUpdated", "1"), ST, "jiu:assessmentUpdated", "Violation", "StatusStatementShape", "Datatype"),
    ("status-is-new", sub(ST, "jiu:isNew", '"true"'), ST, "jiu:isNew", "Violation", "StatusStatementShape", "Datatype"),
    ("status-proposed", add(ST, "jiu:proposedForApproval", "false"), ST, "jiu:proposedForApproval", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-recommendation-missing", drop(ST, "jiu:aboutRecommendation"), ST, "jiu:aboutRecommendation", "Violation", "StatusStatementShape", "MinCount"),
    ("status-recommendation-two", add(ST, "jiu:aboutRecommendation", f"<{REC1}>"), ST, "jiu:aboutRecommendation", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-organization-two", add(ST, "jiu:reportingOrganization", "<org/ILO>"), ST, "jiu:reportingOrganization", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-asof-missing", drop(ST, "jiu:asOf"), ST, "jiu:asOf", "Violation", "StatusAsOfKnownShape", "SPARQL"),
    ("status-asof-two", add(ST, "jiu:asOf", '"2025-01-31"^^xsd:date'), ST, "jiu:asOf", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-reported-in-missing", drop(ST, "jiu:reportedIn"), ST, "jiu:reportedIn", "Violation", "StatusStatementShape", "MinCount"),
    ("status-reported-in-class", sub(ST, "jiu:reportedIn", "<org/WIPO>"), ST, "jiu:reportedIn", "Violation", "StatusStatementShape", "Class"),
    ("status-acceptance-two", add(ST, "jiu:acceptance", "acc:not-accepted"), ST, "jiu:acceptance", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-implementation-two", add(ST, "jiu:implementation", "impl:implemented"), ST, "jiu:implementation", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-previous-acceptance-two", add(ST, "jiu:previousAcceptance", "acc:not-accepted"), ST, "jiu:previousAcceptance", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-previous-implementation-two", add(ST, "jiu:previousImplementation", "impl:in-progress"), ST, "jiu:previousImplementation", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-official-no-lang", sub(ST, "jiu:responsibleOfficial", '"ADG"'), ST, "jiu:responsibleOfficial", "Violation", "StatusStatementShape", "Datatype"),
    ("status-assessment-two", add(ST, "jiu:managementAssessment", '"另一评估。"@zh'), ST, "jiu:managementAssessment", "Violation", "StatusStatementShape", "UniqueLang"),
    ("status-unchanged-two", add(ST, "jiu:statusUnchanged", "true"), ST, "jiu:statusUnchanged", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-assessment-updated-two", add(ST, "jiu:assessmentUpdated", "false"), ST, "jiu:assessmentUpdated", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-is-new-two", add(ST, "jiu:isNew", "true"), ST, "jiu:isNew", "Violation", "StatusStatementShape", "MaxCount"),
    ("status-proposed-datatype", sub(ST, "jiu:proposedForApproval", '"yes"'), ST, "jiu:proposedForApproval", "Violation", "StatusStatementShape", "Datatype"),
    ("status-assessment-missing", drop(ST, "jiu:managementAssessment"), ST, "jiu:managementAssessment", "Warning", "StatusAssessmentShape", "MinCount"),
    ("status-assessment-empty", sub(ST, "jiu:managementAssessment", '" "@zh'), ST, "jiu:managementAssessment", "Warning", "StatusAssessmentShape", "Pattern"),
    ("status-implementation-not-accepted", sub(ST, "jiu:acceptance", "acc:under-consideration"), ST, "jiu:implementation", "Violation", "StatusImplementationNeedsAcceptanceShape", "SPARQL"),
    ("status-asof-after-issued", sub(ST, "jiu:asOf", '"2025-04-30"^^xsd:date'), ST, "jiu:asOf", "Violation", "StatusAsOfShape", "SPARQL"),
    ("status-deferral-not-mechanism", sub(ST, "jiu:deferredTo", "<org/WIPO>"), ST, "jiu:deferredTo", "Violation", "StatusDeferralShape", "SPARQL"),
    ("status-deferral-evidence", drop(ST, "jiu:deferralEvidence"), ST, "jiu:deferredTo", "Warning", "StatusDeferralEvidenceShape", "SPARQL"),
    ("status-iri-mismatch", sub(ST, "jiu:aboutRecommendation", f"<{REC1}>"), ST, "jiu:aboutRecommendation", "Violation", "StatusIriShape", "SPARQL"),
    ("status-accepted-no-implementation", drop(ST, "jiu:implementation"), ST, "jiu:implementation", "Warning", "StatusAcceptedNoImplementationShape", "SPARQL"),
    ("status-past-deadline", sub(REC2, "jiu:deadline", '"2024-12-31"^^xsd:date'), ST, "jiu:implementation", "Info", "StatusPastDeadlineShape", "SPARQL"),
    # organisations
    ("org-iri", f'INSERT DATA {{ <https://example.org/org/X> a jiu:ParticipatingOrganization ; {ORG_OK} }}', URIRef("https://example.org/org/X"), None, "Violation", "OrganizationShape", "Pattern"),
    ("org-label-missing", 'INSERT DATA { <org/XYZ> a jiu:ParticipatingOrganization }', "org/XYZ", "skos:prefLabel", "Violation", "OrganizationShape", "MinCount"),
    ("org-label-two", f'INSERT DATA {{ <org/XYZ> a jiu:OversightBody ; {ORG_OK} , "另一个"@zh }}', "org/XYZ", "skos:prefLabel", "Violation", "OrganizationShape", "UniqueLang"),
    ("org-acronym", f'INSERT DATA {{ <org/XYZ> a jiu:OversightBody ; {ORG_OK} ; jiu:acronym "XYZ" }}', "org/XYZ", "jiu:acronym", "Violation", "OrganizationShape", "Datatype"),
    ("org-no-zh", 'INSERT DATA { <org/XYZ> a jiu:OversightBody ; skos:prefLabel "Test"@en }', "org/XYZ", "skos:prefLabel", "Warning", "OrganizationLabelLanguagesShape", "QualifiedMinCount"),
    ("org-iri-blank", f'INSERT DATA {{ [] a jiu:ParticipatingOrganization ; {ORG_OK} }}', BN, None, "Violation", "OrganizationShape", "NodeKind"),
    ("org-label-no-lang", 'INSERT DATA { <org/XYZ> a jiu:OversightBody ; skos:prefLabel "XYZ" , "Test"@en , "测试"@zh }', "org/XYZ", "skos:prefLabel", "Violation", "OrganizationShape", "Datatype"),
    ("governing-body-of-class", f'INSERT DATA {{ <org/XYZ> a jiu:GoverningBody ; {ORG_OK} ; jiu:governingBodyOf <org/UN-GA> }}', "org/XYZ", "jiu:governingBodyOf", "Violation", "GoverningBodyShape", "Class"),
    ("executive-head-post-class", f'INSERT DATA {{ <org/XYZ-DG> a jiu:ExecutiveHead ; {ORG_OK} ; org:postIn <org/UN-GA> }}', "org/XYZ-DG", "org:postIn", "Violation", "ExecutiveHeadShape", "Class"),
    ("executive-head-post-two", f'INSERT DATA {{ <org/XYZ-DG> a jiu:ExecutiveHead ; {ORG_OK} ; org:postIn <org/WIPO> , <org/ILO> }}', "org/XYZ-DG", "org:postIn", "Violation", "ExecutiveHeadShape", "MaxCount"),
    ("governing-body", f'INSERT DATA {{ <org/XYZ> a jiu:GoverningBody ; {ORG_OK} }}', "org/XYZ", "jiu:governingBodyOf", "Violation", "GoverningBodyShape", "MinCount"),
    ("mechanism-part-of", f'INSERT DATA {{ <org/XYZ> a jiu:Network ; {ORG_OK} ; org:subOrganizationOf <org/WIPO> }}', "org/XYZ", "org:subOrganizationOf", "Violation", "MechanismShape", "Class"),
    ("executive-head", f'INSERT DATA {{ <org/XYZ-DG> a jiu:ExecutiveHead ; {ORG_OK} }}', "org/XYZ-DG", "org:postIn", "Violation", "ExecutiveHeadShape", "MinCount"),
    # reviews, listings, follow-ups
    ("review-iri", f'INSERT DATA {{ <review/X1> a jiu:JIUReview ; jiu:projectCode "A1" ; dcterms:title "t"@zh ; jiu:listedIn <{PR}> ; prov:wasDerivedFrom <{P1}> }}', "review/X1", None, "Violation", "JIUReviewShape", "Pattern"),
    ("review-code", sub("review/A474", "jiu:projectCode", '"474"'), "review/A474", "jiu:projectCode", "Violation", "JIUReviewShape", "Pattern"),
    ("review-title", drop("review/A474", "dcterms:title"), "review/A474", "dcterms:title", "Violation", "JIUReviewShape", "MinCount"),
    ("review-year", sub("review/A474", "jiu:workProgrammeYear", "2025"), "review/A474", "jiu:workProgrammeYear", "Violation", "JIUReviewShape", "Datatype"),
    ("review-listed-in", drop("review/A474", "jiu:listedIn"), "review/A474", "jiu:listedIn", "Violation", "JIUReviewShape", "MinCount"),
    ("review-concerns", sub("review/A474", "jiu:concerns", f"<{PR}>"), "review/A474", "jiu:concerns", "Violation", "JIUReviewShape", "Class"),
    ("review-iri-blank", f'INSERT DATA {{ [] a jiu:JIUReview ; jiu:projectCode "A1" ; dcterms:title "t"@zh ; jiu:listedIn <{PR}> ; prov:wasDerivedFrom <{P1}> }}', BN, None, "Violation", "JIUReviewShape", "NodeKind"),
    ("review-code-missing", drop("review/A474", "jiu:projectCode"), "review/A474", "jiu:projectCode", "Violation", "JIUReviewShape", "MinCount"),
    ("review-code-two", add("review/A474", "jiu:projectCode", '"A4740"'), "review/A474", "jiu:projectCode", "Violation", "JIUReviewShape", "MaxCount"),
    ("review-code-datatype", sub("review/A474", "jiu:projectCode", '"A474"^^xsd:token'), "review/A474", "jiu:projectCode", "Violation", "JIUReviewShape", "Datatype"),
    ("review-title-no-lang", sub("review/A474", "dcterms:title", '"Business continuity"'), "review/A474", "dcterms:title", "Violation", "JIUReviewShape", "Datatype"),
    ("review-year-two", add("review/A474", "jiu:workProgrammeYear", '"2024"^^xsd:gYear'), "review/A474", "jiu:workProgrammeYear", "Violation", "JIUReviewShape", "MaxCount"),
    ("review-listed-in-class", sub("review/A474", "jiu:listedIn", "<org/WIPO>"), "review/A474", "jiu:listedIn", "Violation", "JIUReviewShape", "Class"),
    ("review-code-iri", sub("review/A474", "jiu:projectCode", '"A475"'), "review/A474", "jiu:projectCode", "Violation", "JIUReviewCodeShape", "SPARQL"),
    ("review-year-missing", drop("review/A474", "jiu:workProgrammeYear"), "review/A474", "jiu:workProgrammeYear", "Warning", "JIUReviewYearShape", "MinCount"),
    ("listing-iri", f'INSERT DATA {{ [] a jiu:ActiveReportListing ; jiu:listedReport <{REP}> }}', BN, None, "Violation", "ActiveReportListingShape", "NodeKind"),
    ("listing-report", drop(LST, "jiu:listedReport"), LST, "jiu:listedReport", "Violation", "ActiveReportListingShape", "MinCount"),
    ("listing-report-class", sub(LST, "jiu:listedReport", "<doc/A/80/263>"), LST, "jiu:listedReport", "Violation", "ActiveReportListingShape", "Class"),
    ("listing-report-two", add(LST, "jiu:listedReport", "<doc/JIU/NOTE/2022/1/Rev.1>"), LST, "jiu:listedReport", "Violation", "ActiveReportListingShape", "MaxCount"),
    ("listing-count-two", add(LST, "jiu:outstandingCount", '"6"^^xsd:nonNegativeInteger'), LST, "jiu:outstandingCount", "Violation", "ActiveReportListingShape", "MaxCount"),
    ("listing-reported-in-class", sub(LST, "jiu:reportedIn", "<org/WIPO>"), LST, "jiu:reportedIn", "Violation", "ActiveReportListingShape", "Class"),
    ("listing-count", sub(LST, "jiu:outstandingCount", "-1"), LST, "jiu:outstandingCount", "Violation", "ActiveReportListingShape", "MinInclusive"),
    ("listing-count-type", sub(LST, "jiu:outstandingCount", '"five"'), LST, "jiu:outstandingCount", "Violation", "ActiveReportListingShape", "Or"),
    ("listing-addressee", sub(LST, "jiu:addresseeKind", "acc:accepted"), LST, "jiu:addresseeKind", "Violation", "ActiveReportListingShape", "In"),
    ("listing-ceb-document", sub(LST, "jiu:cebCommentsDocument", "<doc/A/79/694/Add.1>"), LST, "jiu:cebCommentsDocument", "Violation", "ActiveReportListingShape", "Class"),
    ("listing-reported-in", add(LST, "jiu:reportedIn", f"<{NOTE}>"), LST, "jiu:reportedIn", "Violation", "ActiveReportListingShape", "MaxCount"),
    ("followup-iri", 'INSERT DATA { [] a jiu:ResolutionFollowUp ; jiu:aboutResolution <doc/A/RES/75/253> }', BN, None, "Violation", "ResolutionFollowUpShape", "NodeKind"),
    ("followup-resolution", sub(FU, "jiu:aboutResolution", "<doc/A/76/644>"), FU, "jiu:aboutResolution", "Violation", "ResolutionFollowUpShape", "Class"),
    ("followup-agenda", sub(FU, "jiu:agendaItem", '""'), FU, "jiu:agendaItem", "Violation", "ResolutionFollowUpShape", "MinLength"),
    ("followup-document", sub(FU, "jiu:followUpDocument", "<doc/A/76/999>"), FU, "jiu:followUpDocument", "Violation", "ResolutionFollowUpShape", "Class"),
    ("followup-summary", add(FU, "jiu:summary", '"另一摘要"@zh'), FU, "jiu:summary", "Violation", "ResolutionFollowUpShape", "UniqueLang"),
    ("followup-reported-in", drop(FU, "jiu:reportedIn"), FU, "jiu:reportedIn", "Violation", "ResolutionFollowUpShape", "MinCount"),
    ("followup-resolution-missing", drop(FU, "jiu:aboutResolution"), FU, "jiu:aboutResolution", "Violation", "ResolutionFollowUpShape", "MinCount"),
    ("followup-agenda-datatype", sub(FU, "jiu:agendaItem", "136"), FU, "jiu:agendaItem", "Violation", "ResolutionFollowUpShape", "Datatype"),
    ("followup-summary-no-lang", sub(FU, "jiu:summary", '"A progress report was submitted."'), FU, "jiu:summary", "Violation", "ResolutionFollowUpShape", "Datatype"),
    ("followup-reported-in-class", sub(FU, "jiu:reportedIn", "<org/WIPO>"), FU, "jiu:reportedIn", "Violation", "ResolutionFollowUpShape", "Class"),
    ("followup-reported-in-two", add(FU, "jiu:reportedIn", f"<{NOTE}>"), FU, "jiu:reportedIn", "Violation", "ResolutionFollowUpShape", "MaxCount"),
    ("followup-nothing", drop(FU, "jiu:followUpDocument") + " ; " + drop(FU, "jiu:summary"), FU, None, "Warning", "ResolutionFollowUpDocumentsShape", "Or"),
    # statistics
    ("dataset-structure", sub("dataset/oversight/A-76-644", "qb:structure", "<https://example.org/dsd>"), "dataset/oversight/A-76-644", "qb:structure", "Violation", "DataSetShape", "HasValue"),
    ("dataset-iri", 'INSERT DATA { [] a qb:DataSet ; qb:structure jiu:oversightDSD }', BN, None, "Violation", "DataSetShape", "NodeKind"),
    ("obs-iri", f'INSERT DATA {{ [] a qb:Observation ; qb:dataSet <dataset/oversight/A-76-644> ; jiu:oversightBody <org/OIOS> ; jiu:refPeriod <period/2020> ; jiu:recommendationsIssued 1 ; prov:wasDerivedFrom <{P1}> }}', BN, None, "Violation", "ObservationShape", "NodeKind"),
    ("obs-dataset", drop(OBS, "qb:dataSet"), OBS, "qb:dataSet", "Violation", "ObservationShape", "MinCount"),
    ("obs-body", sub(OBS, "jiu:oversightBody", "<org/WIPO>"), OBS, "jiu:oversightBody", "Violation", "ObservationShape", "Class"),
    ("obs-period", drop(OBS, "jiu:refPeriod"), OBS, "jiu:refPeriod", "Violation", "ObservationShape", "MinCount"),
    ("obs-category", add(OBS, "jiu:category", '"所有"@zh'), OBS, "jiu:category", "Violation", "ObservationShape", "UniqueLang"),
    ("obs-issued", sub(OBS, "jiu:recommendationsIssued", "-100"), OBS, "jiu:recommendationsIssued", "Violation", "ObservationShape", "MinInclusive"),
    ("obs-implemented", sub(OBS, "jiu:recommendationsImplemented", '"80"'), OBS, "jiu:recommendationsImplemented", "Violation", "ObservationShape", "Datatype"),
    ("obs-outstanding", add(OBS, "jiu:recommendationsOutstanding", "21"), OBS, "jiu:recommendationsOutstanding", "Violation", "ObservationShape", "MaxCount"),
    ("obs-closed", sub(OBS, "jiu:recommendationsClosed", '"5"'), OBS, "jiu:recommendationsClosed", "Violation", "ObservationShape", "Datatype"),
    ("obs-rate", sub(OBS, "jiu:implementationRate", "120.0"), OBS, "jiu:implementationRate", "Violation", "ObservationShape", "MaxInclusive"),
    ("obs-acceptance-rate", sub(OBS, "jiu:acceptanceRate", '"-5.0"^^xsd:decimal'), OBS, "jiu:acceptanceRate", "Violation", "ObservationShape", "MinInclusive"),
    ("obs-no-measure", f"DELETE WHERE {{ <{OBS}> jiu:recommendationsIssued ?a ; jiu:recommendationsImplemented ?b ; jiu:recommendationsOutstanding ?c ; jiu:recommendationsClosed ?e ; jiu:implementationRate ?d ; jiu:acceptanceRate ?f }}", OBS, None, "Violation", "ObservationMeasureShape", "SPARQL"),
    ("dataset-structure-missing", drop("dataset/oversight/A-76-644", "qb:structure"), "dataset/oversight/A-76-644", "qb:structure", "Violation", "DataSetShape", "MinCount"),
    ("dataset-structure-two", add("dataset/oversight/A-76-644", "qb:structure", "<https://example.org/dsd>"), "dataset/oversight/A-76-644", "qb:structure", "Violation", "DataSetShape", "MaxCount"),
    ("obs-dataset-class", sub(OBS, "qb:dataSet", "<org/JIU>"), OBS, "qb:dataSet", "Violation", "ObservationShape", "Class"),
    ("obs-dataset-two", add(OBS, "qb:dataSet", "<dataset/oversight/A-76-644/bis>"), OBS, "qb:dataSet", "Violation", "ObservationShape", "MaxCount"),
    ("obs-body-missing", drop(OBS, "jiu:oversightBody"), OBS, "jiu:oversightBody", "Violation", "ObservationShape", "MinCount"),
    ("obs-body-two", add(OBS, "jiu:oversightBody", "<org/OIOS>"), OBS, "jiu:oversightBody", "Violation", "ObservationShape", "MaxCount"),
    ("obs-period-class", sub(OBS, "jiu:refPeriod", "<org/JIU>"), OBS, "jiu:refPeriod", "Violation", "ObservationShape", "Class"),
    ("obs-period-two", add(OBS, "jiu:refPeriod", "<period/2021>"), OBS, "jiu:refPeriod", "Violation", "ObservationShape", "MaxCount"),
    ("obs-category-no-lang", sub(OBS, "jiu:category", '"all"'), OBS, "jiu:category", "Violation", "ObservationShape", "Datatype"),
    ("obs-issued-datatype", sub(OBS, "jiu:recommendationsIssued", '"100"'), OBS, "jiu:recommendationsIssued", "Violation", "ObservationShape", "Datatype"),
    ("obs-issued-two", add(OBS, "jiu:recommendationsIssued", "101"), OBS, "jiu:recommendationsIssued", "Violation", "ObservationShape", "MaxCount"),
    ("obs-implemented-negative", sub(OBS, "jiu:recommendationsImplemented", "-75"), OBS, "jiu:recommendationsImplemented", "Violation", "ObservationShape", "MinInclusive"),
    ("obs-implemented-two", add(OBS, "jiu:recommendationsImplemented", "76"), OBS, "jiu:recommendationsImplemented", "Violation", "ObservationShape", "MaxCount"),
    ("obs-outstanding-datatype", sub(OBS, "jiu:recommendationsOutstanding", '"20"^^xsd:decimal'), OBS, "jiu:recommendationsOutstanding", "Violation", "ObservationShape", "Datatype"),
    ("obs-outstanding-negative", sub(OBS, "jiu:recommendationsOutstanding", "-20"), OBS, "jiu:recommendationsOutstanding", "Violation", "ObservationShape", "MinInclusive"),
    ("obs-closed-negative", sub(OBS, "jiu:recommendationsClosed", "-5"), OBS, "jiu:recommendationsClosed", "Violation", "ObservationShape", "MinInclusive"),
    ("obs-closed-two", add(OBS, "jiu:recommendationsClosed", "6"), OBS, "jiu:recommendationsClosed", "Violation", "ObservationShape", "MaxCount"),
    ("obs-rate-datatype", sub(OBS, "jiu:implementationRate", "80"), OBS, "jiu:implementationRate", "Violation", "ObservationShape", "Datatype"),
    ("obs-rate-negative", sub(OBS, "jiu:implementationRate", '"-1.0"^^xsd:decimal'), OBS, "jiu:implementationRate", "Violation", "ObservationShape", "MinInclusive"),
    ("obs-rate-two", add(OBS, "jiu:implementationRate", "81.0"), OBS, "jiu:implementationRate", "Violation", "ObservationShape", "MaxCount"),
    ("obs-acceptance-rate-datatype", sub(OBS, "jiu:acceptanceRate", "95"), OBS, "jiu:acceptanceRate", "Violation", "ObservationShape", "Datatype"),
    ("obs-acceptance-rate-over", sub(OBS, "jiu:acceptanceRate", "100.5"), OBS, "jiu:acceptanceRate", "Violation", "ObservationShape", "MaxInclusive"),
    ("obs-acceptance-rate-two", add(OBS, "jiu:acceptanceRate", "90.0"), OBS, "jiu:acceptanceRate", "Violation", "ObservationShape", "MaxCount"),
    ("obs-duplicate", f'INSERT DATA {{ <{OBS}/bis> a qb:Observation ; qb:dataSet <dataset/oversight/A-76-644> ; jiu:oversightBody <org/JIU> ; jiu:refPeriod <period/2020> ; jiu:category "全部"@zh ; jiu:recommendationsIssued 100 ; prov:wasDerivedFrom <{P1}> }}', OBS, None, "Violation", "ObservationUniqueShape", "SPARQL"),
    ("obs-sum", sub(OBS, "jiu:recommendationsOutstanding", "30"), OBS, "jiu:recommendationsIssued", "Warning", "ObservationArithmeticShape", "SPARQL"),
    ("obs-rate-counts", sub(OBS, "jiu:implementationRate", "60.0"), OBS, "jiu:implementationRate", "Warning", "ObservationRateShape", "SPARQL"),
    # time: instants and intervals (sessions, statistics periods)
    ("instant-no-position", drop(I1, "time:inXSDDate"), I1, None, "Violation", "InstantShape", "Xone"),
    ("instant-two-positions", add(IY, "time:inXSDDate", '"2020-01-01"^^xsd:date'), IY, None, "Violation", "InstantShape", "Xone"),
    ("instant-date-string", sub(I1, "time:inXSDDate", '"2025-05-19"'), I1, "time:inXSDDate", "Violation", "InstantShape", "Datatype"),
    ("instant-date-datetime", sub(I1, "time:inXSDDate", '"2025-05-19T10:00:00"^^xsd:dateTime'), I1, "time:inXSDDate", "Violation", "InstantShape", "Datatype"),
    ("instant-date-two", add(I1, "time:inXSDDate", '"2025-05-20"^^xsd:date'), I1, "time:inXSDDate", "Violation", "InstantShape", "MaxCount"),
    ("instant-year-integer", sub(IY, "time:inXSDgYear", "2020"), IY, "time:inXSDgYear", "Violation", "InstantShape", "Datatype"),
    ("instant-year-two", add(IY, "time:inXSDgYear", '"2021"^^xsd:gYear'), IY, "time:inXSDgYear", "Violation", "InstantShape", "MaxCount"),
    ("interval-beginning-two", add(SES, "time:hasBeginning", "<instant/2025-05-23>"), SES, "time:hasBeginning", "Violation", "IntervalShape", "MaxCount"),
    ("interval-beginning-class", sub(SES, "time:hasBeginning", '<instant/2025-05-18>'), SES, "time:hasBeginning", "Violation", "IntervalShape", "Class"),
    ("interval-end-two", add(SES, "time:hasEnd", "<instant/2025-05-19>"), SES, "time:hasEnd", "Violation", "IntervalShape", "MaxCount"),
    ("interval-end-literal", sub("period/2020", "time:hasEnd", '"2020"^^xsd:gYear'), "period/2020", "time:hasEnd", "Violation", "IntervalShape", "Class"),
    ("interval-order-dates", sub(SES, "time:hasBeginning", "<instant/2025-05-23>") + " ; " + sub(SES, "time:hasEnd", "<instant/2025-05-19>"), SES, "time:hasBeginning", "Violation", "IntervalOrderShape", "SPARQL"),
    ("interval-order-years", 'INSERT DATA { <instant/2021> a time:Instant ; time:inXSDgYear "2021"^^xsd:gYear } ; ' + sub("period/2020", "time:hasBeginning", "<instant/2021>"), "period/2020", "time:hasBeginning", "Violation", "IntervalOrderShape", "SPARQL"),
    ("interval-order-year-date", sub(SES, "time:hasEnd", "<instant/2020>"), SES, "time:hasBeginning", "Violation", "IntervalOrderShape", "SPARQL"),
    # provenance
    ("passage-iri", f'INSERT DATA {{ <{PR}/passage/first> a jiu:Passage ; jiu:passageText "a"@zh ; jiu:startLine "1"^^xsd:positiveInteger ; jiu:endLine "1"^^xsd:positiveInteger ; jiu:startOffset "0"^^xsd:nonNegativeInteger ; jiu:endOffset "1"^^xsd:nonNegativeInteger ; prov:wasQuotedFrom <{PR}> }}', PR + "/passage/first", None, "Violation", "PassageShape", "Pattern"),
    ("passage-text", drop(P1, "jiu:passageText"), P1, "jiu:passageText", "Violation", "PassageShape", "MinCount"),
    ("passage-start-line", sub(P1, "jiu:startLine", '"0"^^xsd:positiveInteger'), P1, "jiu:startLine", "Violation", "PassageShape", "Or"),
    ("passage-end-line", sub(P1, "jiu:endLine", "0"), P1, "jiu:endLine", "Violation", "PassageShape", "MinInclusive"),
    ("passage-start-offset", sub(P1, "jiu:startOffset", '"1.5"^^xsd:decimal'), P1, "jiu:startOffset", "Violation", "PassageShape", "Or"),
    ("passage-end-offset", drop(P1, "jiu:endOffset"), P1, "jiu:endOffset", "Violation", "PassageShape", "MinCount"),
    ("passage-quoted-from", drop(P1, "prov:wasQuotedFrom"), P1, "prov:wasQuotedFrom", "Violation", "PassageShape", "MinCount"),
    ("passage-iri-blank", f'INSERT DATA {{ [] a jiu:Passage ; jiu:passageText "a"@zh ; jiu:startLine 1 ; jiu:endLine 1 ; jiu:startOffset 0 ; jiu:endOffset 1 ; prov:wasQuotedFrom <{PR}> }}', BN, None, "Violation", "PassageShape", "NodeKind"),
    ("passage-text-no-lang", sub(P1, "jiu:passageText", '"接受情况：已接受"'), P1, "jiu:passageText", "Violation", "PassageShape", "Datatype"),
    ("passage-text-two", add(P1, "jiu:passageText", '"Acceptance: accepted"@en'), P1, "jiu:passageText", "Violation", "PassageShape", "MaxCount"),
    ("passage-start-line-missing", drop(P1, "jiu:startLine"), P1, "jiu:startLine", "Violation", "PassageShape", "MinCount"),
    ("passage-start-line-two", add(P1, "jiu:startLine", '"2"^^xsd:positiveInteger'), P1, "jiu:startLine", "Violation", "PassageShape", "MaxCount"),
    ("passage-start-line-zero", sub(P1, "jiu:startLine", "0"), P1, "jiu:startLine", "Violation", "PassageShape", "MinInclusive"),
    ("passage-end-line-missing", drop(P1, "jiu:endLine"), P1, "jiu:endLine", "Violation", "PassageShape", "MinCount"),
    ("passage-end-line-two", add(P1, "jiu:endLine", '"2"^^xsd:positiveInteger'), P1, "jiu:endLine", "Violation", "PassageShape", "MaxCount"),
    ("passage-end-line-type", sub(P1, "jiu:endLine", '"1.0"^^xsd:decimal'), P1, "jiu:endLine", "Violation", "PassageShape", "Or"),
    ("passage-start-offset-missing", drop(P1, "jiu:startOffset"), P1, "jiu:startOffset", "Violation", "PassageShape", "MinCount"),
    ("passage-start-offset-two", add(P1, "jiu:startOffset", '"1"^^xsd:nonNegativeInteger'), P1, "jiu:startOffset", "Violation", "PassageShape", "MaxCount"),
    ("passage-start-offset-negative", sub(P1, "jiu:startOffset", "-1"), P1, "jiu:startOffset", "Violation", "PassageShape", "MinInclusive"),
    ("passage-end-offset-two", add(P1, "jiu:endOffset", '"9"^^xsd:nonNegativeInteger'), P1, "jiu:endOffset", "Violation", "PassageShape", "MaxCount"),
    ("passage-end-offset-negative", sub(P1, "jiu:endOffset", "-8"), P1, "jiu:endOffset", "Violation", "PassageShape", "MinInclusive"),
    ("passage-end-offset-type", sub(P1, "jiu:endOffset", '"8"'), P1, "jiu:endOffset", "Violation", "PassageShape", "Or"),
    ("passage-quoted-from-class", sub(P1, "prov:wasQuotedFrom", "<org/WIPO>"), P1, "prov:wasQuotedFrom", "Violation", "PassageShape", "Class"),
    ("passage-quoted-from-two", add(P1, "prov:wasQuotedFrom", f"<{NOTE}>"), P1, "prov:wasQuotedFrom", "Violation", "PassageShape", "MaxCount"),
    ("passage-span", sub(P1, "jiu:endOffset", '"9"^^xsd:nonNegativeInteger'), P1, None, "Violation", "PassageSpanShape", "SPARQL"),
    ("passage-source", drop("doc/A/76/644", "jiu:sourceChecksum"), "doc/A/76/644/passage/L1-L1", "prov:wasQuotedFrom", "Warning", "PassageSourceShape", "SPARQL"),
    ("record-passage", drop("review/A474", "prov:wasDerivedFrom"), "review/A474", "prov:wasDerivedFrom", "Violation", "RecordHasPassageShape", "SPARQL"),
    ("record-passage-status", drop(ST, "prov:wasDerivedFrom"), ST, "prov:wasDerivedFrom", "Violation", "RecordHasPassageShape", "SPARQL"),
]


def _iri(x):
    if x is BN or x is None or isinstance(x, URIRef):
        return x
    return ID[x]


def _path(q):
    if q is None:
        return None
    p, local = q.split(":", 1)
    return URIRef(PREFIXES[p] + local)


@pytest.fixture(scope="module")
def base() -> Graph:
    return Graph().parse(DATA / "base.ttl", format="turtle")


def check(g: Graph, engine: str = "compiled") -> validation.ValidationReport:
    return validation.validate_write(None, {TEST_GRAPH: g}, engine=engine)


def broken(base: Graph, update: str) -> Graph:
    g = Graph()
    g += base
    g.update(HEADER + update)  # one or more operations separated by ';'
    return g


def matches(r, focus, path, severity, shape, component) -> bool:
    if focus is BN:
        if not isinstance(r.focus, BNode):
            return False
    elif r.focus != focus:
        return False
    return (r.path == path and r.severity == severity and r.shape == URIRef(JSH + shape)
            and str(r.component).endswith("#" + component + "ConstraintComponent"))


def test_base_conforms_without_any_result(base):
    """The passing data for every case: not a violation, warning or info."""
    report = check(base)
    assert report.results == [], validation.render_text(report)


def test_reference_data_conforms():
    from jiukg.ontology import reference_graph

    report = validation.validate_write(None, {REFERENCE_GRAPH: reference_graph()})
    assert report.results == [], validation.render_text(report)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_shape_breaks(base, case):
    _, update, focus, path, severity, shape, component = case
    report = check(broken(base, update))
    focus, path = _iri(focus), _path(path)
    found = [r for r in report.results if matches(r, focus, path, severity, shape, component)]
    assert found, f"expected {severity} from {shape}/{component} on {focus} {path}; got:\n" + \
        validation.render_text(report)
    assert all(r.message("en") and r.message("zh") and r.message("en") != r.message("zh") for r in found)
    # only a violation refuses the write
    assert report.conforms == (not any(r.severity == "Violation" for r in report.results))
    if severity != "Violation":
        assert not any(r.shape == URIRef(JSH + shape) and r.severity == "Violation" for r in report.results)


# Every case (and the passing base) through plain pyshacl as well: both engines must give the same
# results on the full W3C result key (focus node, path, value, source constraint component, source
# shape, severity). Where they differ, DIFFERENCES names the shape whose results differ, which engine
# has them, and why, with the section of the spec that decides.
_STR_BNODE = ("rdflib's STR() of a blank node gives its label; SPARQL 1.1 §17.4.2.5 defines STR on literals "
              "and IRIs only: an error, so the FILTER is false and a blank record gives no result")
_INCOMPARABLE = ("rdflib compares values SPARQL cannot: SPARQL 1.1 §17.3 has no '>' between {}, so the "
                 "FILTER raises an error and is false (no result; other shapes report the datatype)")
DIFFERENCES: dict[str, tuple[str, str, str]] = {
    # case: (shape whose results differ, engine that has them, why)
    "rec-iri-blank": ("RecommendationIriShape", "pyshacl", _STR_BNODE),
    "status-iri": ("StatusIriShape", "pyshacl", _STR_BNODE),
    "review-iri-blank": ("JIUReviewCodeShape", "pyshacl", _STR_BNODE),
    "status-asof": ("StatusAsOfShape StatusPastDeadlineShape", "pyshacl",
                    _INCOMPARABLE.format("xsd:string and xsd:date")),
    "instant-date-string": ("IntervalOrderShape", "pyshacl", _INCOMPARABLE.format("xsd:string and xsd:date")),
    "instant-date-datetime": ("IntervalOrderShape", "pyshacl",
                              _INCOMPARABLE.format("xsd:dateTime and xsd:date (XPath op:date-greater-than "
                                                   "takes two dates)")),
    "passage-start-line": ("", "compiled", "pyshacl skips sh:minInclusive on an ill-typed value "
                           "(\"0\"^^xsd:positiveInteger); SHACL 1.0 §4.3.1 reports every value for which "
                           "v >= 1 is not true, and an ill-typed value compares to nothing"),
    "passage-end-line-type": ("PassageSpanShape", "pyshacl",
                              "the compiled engine is the one that misses it: Oxigraph stores \"1.0\"^^xsd:decimal "
                              "by value and STR() gives \"1\", where SPARQL 1.1 §17.4.2.5 gives the lexical form "
                              "\"1.0\"; the data is refused either way (sh:or on jiu:endLine, same focus node)"),
}


def full_key(r) -> tuple:
    def t(x):
        return "_" if isinstance(x, BNode) and x == r.focus else str(x) if x is not None else ""
    return (t(r.focus), t(r.path), t(r.value), str(r.component), str(r.source_shape), r.severity)


@pytest.fixture(scope="module")
def parse_sparql_once():
    """pyshacl has rdflib parse each SPARQL constraint again for every focus node (0.1 s each: 10 s a
    case); here each query text is parsed once and the parsed query reused, as rdflib's prepareQuery
    allows. Evaluation is untouched."""
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    parsed: dict = {}

    def query(self, q, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(q, str):
            key = (q, base, tuple(sorted((initNs or {}).items())))
            if key not in parsed:
                parsed[key] = processor.translateQuery(processor.parseQuery(q), base, initNs)
            q = parsed[key]
        return original(self, q, initBindings, initNs, base, DEBUG)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(processor.SPARQLProcessor, "query", query)
        yield


@pytest.mark.parametrize("case", [("base", "", None, None, None, None, None), *CASES],
                         ids=["base", *[c[0] for c in CASES]])
def test_compiled_engine_agrees_with_pyshacl(base, case, parse_sparql_once):
    # through N-Triples, so that rdflib knows which literals are ill-typed (pyshacl relies on it)
    g = Graph().parse(data=(broken(base, case[1]) if case[1] else base).serialize(format="nt"), format="nt")
    fast = sorted(full_key(r) for r in check(g).results)
    slow = sorted(full_key(r) for r in check(g, engine="pyshacl").results)
    if case[0] not in DIFFERENCES:
        assert fast == slow
        return
    shapes, engine, _ = DIFFERENCES[case[0]]
    only = sorted(set(fast) - set(slow)) if engine == "compiled" else sorted(set(slow) - set(fast))
    other = set(slow) - set(fast) if engine == "compiled" else set(fast) - set(slow)
    assert only and not other, f"the engines now differ otherwise: {only} / {other}"
    if engine == "compiled":  # a core component on a blank property shape
        assert all(k[3].endswith("MinInclusiveConstraintComponent") for k in only), only
    else:
        assert {k[4].rsplit("#", 1)[-1] for k in only} == set(shapes.split()), only


def _constraint_components(sg: Graph, node) -> set[str]:
    out = set()
    for p in sg.predicates(node, None):
        local = str(p).rsplit("#", 1)[-1]
        if str(p).startswith(str(SH)) and local in core._COMPONENT:
            out.add(local[0].upper() + local[1:])
    if (node, SH.sparql, None) in sg:
        out.add("SPARQL")
    return out


def _required_breaks(sg: Graph) -> set[tuple]:
    """(node shape, path, component) that some case must produce: every constraint component of
    every property shape, and of every node shape on the node itself (path None; a SPARQL rule:
    any path)."""
    out = set()
    for shape in set(sg.subjects(RDF.type, SH.NodeShape)):
        name = str(shape).rsplit("#", 1)[-1]
        for comp in _constraint_components(sg, shape):
            out.add((name, "*" if comp == "SPARQL" else None, comp))
        for ps in sg.objects(shape, SH.property):
            path = validation.short(sg.value(ps, SH.path))
            for comp in _constraint_components(sg, ps):
                out.add((name, path, comp))
    return out


def test_every_constraint_has_a_breaking_case():
    """Each constraint component of each shape is broken by at least one case (which test_shape_breaks runs)."""
    sg = validation.shapes_graph()
    covered = {(c[5], c[3], c[6]) for c in CASES} | {(c[5], "*", "SPARQL") for c in CASES if c[6] == "SPARQL"}
    missing = sorted(_required_breaks(sg) - covered, key=str)
    assert not missing, f"{len(missing)} constraints without a breaking case: " + "; ".join(map(str, missing))
    assert len(_required_breaks(sg)) > 250  # the meta-test sees the constraints (not vacuously true)


def test_every_property_shape_passes_on_real_values(base):
    """No vacuous pass: every property shape finds values on its targets in base.ttl (with the
    ontology and reference data), so that test_base_conforms_without_any_result checks them."""
    data = gate._data({TEST_GRAPH: base})
    for t in validation.axioms():
        data.add(t)
    idx = core.Index(data)
    comp = core.compiled(validation.project_shapes())
    assert comp.reasons == []  # the project's shapes run in the compiled engine, never handed over
    vacuous = []
    for shape in comp.roots:
        if isinstance(shape.node, BNode):
            continue  # a property shape of a node shape: checked below, with its node shape's focus nodes
        focus = idx.focus_nodes(shape)
        if not focus:
            vacuous.append(f"{validation.short(shape.node)}: no target")
        for ps in shape.properties:
            if not any(idx.values(f, ps.path) for f in focus):
                vacuous.append(f"{validation.short(shape.node)} {validation.short(ps.path)}")
    assert not vacuous, "shapes that base.ttl passes without a value to check: " + "; ".join(vacuous)


def test_every_shape_speaks_english_and_chinese():
    sg = validation.shapes_graph()
    shapes = set(sg.subjects(RDF.type, SH.NodeShape)) | set(sg.objects(None, SH.property)) | \
        set(sg.objects(None, SH.sparql))
    for s in shapes:
        langs = {m.language for m in sg.objects(s, SH.message)}
        assert {"en", "zh"} <= langs, f"{s}: sh:message in {langs}"
        if (s, RDF.type, SH.NodeShape) in sg:
            assert {lit.language for lit in sg.objects(s, RDFS.label)} >= {"en", "zh"}, s
        elif (None, SH.property, s) in sg:
            assert {lit.language for lit in sg.objects(s, SH.name)} >= {"en", "zh"}, s


def test_property_shapes_carry_their_node_shapes_severity():
    """SHACL does not inherit severity: a warning shape's property shapes must say it themselves."""
    sg = validation.shapes_graph()
    for shape, sev in sg.subject_objects(SH.severity):
        for ps in sg.objects(shape, SH.property):
            assert sg.value(ps, SH.severity) == sev, f"{shape} {sg.value(ps, SH.path)}"


def test_statements_checked_against_the_store(memory_store, base):
    """A status statement loaded alone is checked against the recommendation and
    report already in the store (other graphs), and results on them are not
    blamed on the new graph."""
    st_iri = ID[ST]
    statement = Graph()
    rest = Graph()
    for t in base:
        (statement if t[0] == st_iri or str(t[0]).endswith("/passage/L3-L3") else rest).add(t)
    memory_store.replace_graphs({GRAPH["rest"]: rest})
    ok = validation.validate_write(memory_store, {GRAPH["statement"]: statement})
    assert ok.results == [], validation.render_text(ok)
    # alone, the recommendation and report are unknown: the statement cannot pass
    alone = validation.validate_write(None, {GRAPH["statement"]: statement})
    assert any(r.focus == st_iri and r.path == _path("jiu:aboutRecommendation") for r in alone.results)
    # the store's report says issued 2025-03-31: a later status date is refused
    late = Graph() + statement
    late.update(HEADER + sub(ST, "jiu:asOf", '"2025-06-30"^^xsd:date'))
    bad = validation.validate_write(memory_store, {GRAPH["statement"]: late})
    assert not bad.conforms
    assert {(r.focus, r.shape) for r in bad.results} == {(st_iri, URIRef(JSH + "StatusAsOfShape"))}


def test_duplicate_number_found_across_graphs(memory_store, base):
    """Another recommendation of the same report with the same number, already in the store."""
    memory_store.replace_graphs({GRAPH["base"]: base})
    other = Graph()
    other.update(HEADER + f'INSERT DATA {{ <{REP}/rec/02> a jiu:Recommendation ; jiu:inPublication <{REP}> ; '
                 f'jiu:recommendationNumber 2 ; jiu:recommendationText "x"@zh ; prov:wasDerivedFrom <{P1}> }}')
    report = validation.validate_write(memory_store, {GRAPH["other"]: other})
    shapes = {str(r.shape).rsplit("#")[-1] for r in report.results if r.focus == ID[REP + "/rec/02"]}
    assert {"RecommendationNumberUniqueShape", "RecommendationIriShape"} <= shapes


def test_time_intervals_that_pass(base):
    """Not after is allowed: a one-day session (beginning = end), a period of one year (the year
    spans it), a period from a year to a day of that year, and cumulative periods (2010 to 2020)."""
    g = broken(base, sub(SES, "time:hasEnd", f"<{I1}>") + " ; " + 'INSERT DATA { '
               '<period/2010/2020> a time:ProperInterval ; time:hasBeginning <instant/2010> ; '
               '    time:hasEnd <instant/2020> . '
               '<period/2020/H1> a time:ProperInterval ; time:hasBeginning <instant/2020> ; '
               '    time:hasEnd <instant/2020-06-30> . '
               '<instant/2010> a time:Instant ; time:inXSDgYear "2010"^^xsd:gYear . '
               '<instant/2020-06-30> a time:Instant ; time:inXSDDate "2020-06-30"^^xsd:date }')
    report = check(g)
    assert report.results == [], validation.render_text(report)
    # the same periods the wrong way round do not pass
    g = broken(g, sub("period/2020/H1", "time:hasBeginning", "<instant/2020-06-30>") + " ; " +
               sub("period/2020/H1", "time:hasEnd", "<instant/2010>"))
    found = [(r.focus, r.shape) for r in check(g).results]
    assert found == [(ID["period/2020/H1"], URIRef(JSH + "IntervalOrderShape"))]


def test_render_text_groups_by_focus_and_translates(base):
    g = broken(base, drop(ST, "jiu:managementAssessment") + " ; " + sub(ST, "jiu:acceptance", "acc:not-accepted"))
    report = check(g)
    en, zh = validation.render_text(report, "en"), validation.render_text(report, "zh")
    # column headers, then the first focus node's heading line
    assert en.splitlines()[0] == "focus node" and en.splitlines()[1].split() == ["severity", "path", "value", "message"]
    assert zh.splitlines()[0] == "焦点节点" and zh.splitlines()[1].split() == ["严重程度", "路径", "值", "说明"]
    assert en.splitlines()[3].startswith("id/doc/JIU/REP/2024/4/rec/2/status/WIPO/WO-PBC-38-2")
    assert "Violation" in en and "Warning" in en and "jiu:implementation" in en
    assert "违规" in zh and "警告" in zh and "只有已接受的建议才有落实状况" in zh
    assert en.splitlines()[-1].startswith("does not conform: 1 violation, 1 warning, 0 infos on 1 focus node")
    assert zh.splitlines()[-1].startswith("不符合：1 项违规、1 项警告、0 项提示")
