"""Expected answers typed from the source texts (issue 12), never from the loaders' output.

Line numbers: "38:" is data/corpus/wipo-pbc38-jiu-progress.zh.txt (WO/PBC/38/2, statuses as at
28 February 2025), "35:" is data/corpus/wipo-pbc35-jiu-progress.zh.md (WO/PBC/35/2, as at 28 February
2023). The earlier report each names: 38:48 "自向成员国提交上一份报告（WO/PBC/37/6 Rev.）以来";
35:18 "自上次就同一主题向成员国提交报告（WO/PBC/34/6）以来". Neither gives that report's as-at date.
"""

from __future__ import annotations

PBC38, PBC35 = "WO/PBC/38/2", "WO/PBC/35/2"
PBC37R, PBC34 = "WO/PBC/37/6/Rev.", "WO/PBC/34/6"  # canonical forms of "WO/PBC/37/6 Rev." and "WO/PBC/34/6"
D38, D35 = "2025-02-28", "2023-02-28"

A, UC, NA, NR = "accepted", "under-consideration", "not-accepted", "not-relevant"
DONE, WIP, NS = "implemented", "in-progress", "not-started"
WAS_UC, WAS_WIP, WAS_NS38, WAS_NS35 = "之前为“正在审议”", "之前为“正在落实”", "之前为“未开始”", "之前为“尚未启动”"


def _row(report, rec, frm, to, src_from, src_to, as_of_to, note):
    """A status-changes row: (report, rec, organization, fromAsOf, fromAcceptance, fromImplementation,
    fromSource, toAsOf, toAcceptance, toImplementation, toSource, basis, note). The earlier report's as-at
    date is printed nowhere, so fromAsOf is empty. "之前为“正在落实”" (was in progress) speaks of the
    implementation of an accepted recommendation; "之前为“正在审议”" of the acceptance, with no
    implementation status while under consideration."""
    return (report, str(rec), "WIPO", "", *frm, src_from, as_of_to, *to, src_to, "stated", note)


# Every change the two reports state, one row per "之前为…" note (13 in WO/PBC/38/2, 21 in WO/PBC/35/2 = 34).
# "与之前状态相比无变化" (38:331, 393, 729, 1047; 35:226, 245, 273) is no change and gives no row.
STATUS_CHANGES = sorted([
    # WO/PBC/38/2: record lines (acceptance / implementation as printed), the page-end note that belongs to it
    _row("JIU/REP/2023/6", 4, (UC, ""), (A, DONE), PBC37R, PBC38, D38, WAS_UC),    # 38:246-260, note 38:274
    _row("JIU/REP/2023/4", 3, (UC, ""), (A, DONE), PBC37R, PBC38, D38, WAS_UC),    # 38:278-290, note 38:329
    _row("JIU/REP/2023/2", 5, (A, NS), (A, WIP), PBC37R, PBC38, D38, WAS_NS38),    # 38:365-381, note 38:396
    _row("JIU/REP/2020/7", 6, (A, WIP), (A, DONE), PBC37R, PBC38, D38, WAS_WIP),   # 38:402-416, note 38:436
    _row("JIU/REP/2023/8", 2, (UC, ""), (NR, ""), PBC37R, PBC38, D38, WAS_UC),     # 38:735-749, note 38:796
    _row("JIU/REP/2023/8", 7, (UC, ""), (NR, ""), PBC37R, PBC38, D38, WAS_UC),     # 38:767-781, note 38:798
    _row("JIU/REP/2023/6", 2, (UC, ""), (A, DONE), PBC37R, PBC38, D38, WAS_UC),    # 38:802-814, note 38:869
    _row("JIU/REP/2023/4", 2, (UC, ""), (A, DONE), PBC37R, PBC38, D38, WAS_UC),    # 38:828-842, note 38:871
    _row("JIU/REP/2023/4", 9, (UC, ""), (NA, ""), PBC37R, PBC38, D38, WAS_UC),     # 38:875-887, note 38:934
    _row("JIU/REP/2023/4", 10, (UC, ""), (A, DONE), PBC37R, PBC38, D38, WAS_UC),   # 38:903-915, note 38:936
    _row("JIU/REP/2023/3", 3, (UC, ""), (NA, ""), PBC37R, PBC38, D38, WAS_UC),     # 38:940-950, note 38:989
    _row("JIU/REP/2023/3", 4, (UC, ""), (NR, ""), PBC37R, PBC38, D38, WAS_UC),     # 38:966-976, note 38:991
    _row("JIU/REP/2023/3", 5, (UC, ""), (NR, ""), PBC37R, PBC38, D38, WAS_UC),     # 38:995-1005, note 38:1045
    # WO/PBC/35/2: the note in the record's own row, or right after it
    _row("JIU/REP/2021/3", 2, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:87-90, note 35:93
    _row("JIU/REP/2021/2", 7, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:97-100, note 35:103
    _row("JIU/REP/2020/7", 1, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:109-112
    _row("JIU/REP/2020/7", 6, (A, NS), (A, WIP), PBC34, PBC35, D35, WAS_NS35),     # 35:115-118
    _row("JIU/REP/2020/6", 4, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:123-126
    _row("JIU/REP/2021/6", 4, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:138-141
    _row("JIU/REP/2021/5", 3, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:146-149
    _row("JIU/REP/2021/5", 4, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:152-155
    _row("JIU/REP/2021/3", 1, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:160-163
    _row("JIU/REP/2021/2", 1, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:168-171
    _row("JIU/REP/2020/8", 1, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:178-181
    _row("JIU/REP/2020/8", 5, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:186 (HTML row)
    _row("JIU/REP/2020/8", 8, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:187 (HTML row)
    _row("JIU/REP/2020/8", 9, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:188 (HTML row)
    _row("JIU/REP/2020/7", 2, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:192-195
    _row("JIU/REP/2020/7", 3, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:198-201
    _row("JIU/REP/2020/7", 4, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:204-207
    _row("JIU/REP/2020/2", 3, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:212-215, note 35:218
    _row("JIU/REP/2019/8", 4, (A, NS), (A, WIP), PBC34, PBC35, D35, WAS_NS35),     # 35:233-236, note 35:239
    _row("JIU/REP/2018/6", 1, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:253-256
    _row("JIU/REP/2018/6", 4, (A, WIP), (A, DONE), PBC34, PBC35, D35, WAS_WIP),    # 35:259-262
], key=lambda r: (r[0], int(r[1]), r[7]))

# Every deferral in the two reports: (report, rec, organization, mechanism, mechanismIri, ceblevel, evidence,
# asOf, source). The mechanism is the one the deferral phrase names; "通过机构间机制" names none.
ORG = "https://w3id.org/jiukg/id/org/"
UNSPECIFIED = "https://w3id.org/jiukg/ontology#UnspecifiedInterAgencyMechanism"
U = "unspecified inter-agency mechanism"
CEB_PHRASE = "这项建议将通过首协会机构间协调机制进行处理"
INTER_AGENCY = "这项建议将通过机构间机制进行处理"
HR_PHRASE = "在管理问题高级别委员会人力资源网下届会议上，产权组织将要求在人力资源网未来的届会议程中增加该议题"
DEFERRALS = [
    # 38:1061-1081: text 38:1067 "在首协会的框架内" (CEB-level), assessment 38:1081
    ("JIU/NOTE/2022/1/Rev.1", "1", "WIPO", "CEB", ORG + "CEB", "true", CEB_PHRASE, D38, PBC38),
    # 38:1136-1158: text 38:1142 "作为首协会成员", assessment 38:1158
    ("JIU/NOTE/2022/1/Rev.1", "4", "WIPO", "CEB", ORG + "CEB", "true", CEB_PHRASE, D38, PBC38),
    # 35:233-234: "将在首协会的框架内考虑该程序的起草工作"; the text (35:233) names no mechanism: not CEB-level
    ("JIU/REP/2019/8", "4", "WIPO", "CEB", ORG + "CEB", "false", "将在首协会的框架内考虑", D35, PBC35),
    # 38:966-984: text 38:972 "通过适当机构间机制" (CEB-level, mechanism unnamed), assessment 38:984
    ("JIU/REP/2023/3", "4", "WIPO", U, UNSPECIFIED, "true", INTER_AGENCY, D38, PBC38),
    # 38:995-1015: text names no mechanism; assessment "参见上文建议 4。这项建议将通过机构间机制进行处理。"
    ("JIU/REP/2023/3", "5", "WIPO", U, UNSPECIFIED, "false", INTER_AGENCY, D38, PBC38),
    # 38:767-791: text 38:775 "作为…首协会…的成员，应请管理问题高级别委员会人力资源网"; assessment 38:789-791
    ("JIU/REP/2023/8", "7", "WIPO", "HR Network", ORG + "HLCM-HR", "true", f"{HR_PHRASE} / {INTER_AGENCY}", D38, PBC38),
    # 38:554-578: text 38:562 "在首协会机构间协调机制的框架内", assessment 38:578
    ("JIU/REP/2024/2", "3", "WIPO", "CEB", ORG + "CEB", "true", CEB_PHRASE, D38, PBC38),
    # 38:523-543: text 38:531 "以首协会成员的身份", assessment 38:543
    ("JIU/REP/2024/3", "1", "WIPO", "CEB", ORG + "CEB", "true", CEB_PHRASE, D38, PBC38),
]

# past-deadline as at 1 March 2023: WO/PBC/35/2's outstanding recommendations whose deadline had passed
# (report, rec, deadline, organization, acceptance, implementation, asOf, source)
OVERDUE_2023_03_01 = [
    # 35:267 "在 2019 年底前"; 35:269-270 已接受 / 正在落实
    ("JIU/REP/2018/4", "10", "2019-12-31", "WIPO", A, WIP, D35, PBC35),
    # 35:233 "在 2021 年底之前"; 35:235-236 已接受 / 正在落实
    ("JIU/REP/2019/8", "4", "2021-12-31", "WIPO", A, WIP, D35, PBC35),
]
