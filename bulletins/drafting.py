"""Drafting bulletins from the figures module only: the sentences of the seeds, filled in."""

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from alerts.rules import registry
from assessment.views import praise_and_pressure
from figures.compute import behind_time_progress, compute
from figures.forms import YI, scope_words
from lib.numbers import wan_to_yi
from plans.choices import PlanLevel
from plans.scope import Scope

LEVEL_WORDS = {
    "": "全区重点建设项目",
    PlanLevel.LOCAL: "全区重点建设项目",
    PlanLevel.CITY: "市重点建设项目",
    PlanLevel.PROVINCE: "省重点建设项目",
}
# How a title names the list after the region's name ("示范区重点建设项目", "示范区市重点建设项目").
TITLE_WORDS = {
    "": "重点建设项目",
    PlanLevel.LOCAL: "重点建设项目",
    PlanLevel.CITY: "市重点建设项目",
    PlanLevel.PROVINCE: "省重点建设项目",
}


def yi(value: Any) -> str:
    """亿元 with two decimals, as the bulletins write money."""
    return f"{wan_to_yi(Decimal(str(value or 0))):.2f}"


def pace(ahead: Any) -> str:
    """快于/慢于时间进度 x 个百分点 (or 与时间进度持平)."""
    if ahead is None:
        return "暂无时间进度比较"
    value = Decimal(str(ahead))
    if value == 0:
        return "与时间进度持平"
    return f"{'快于' if value > 0 else '慢于'}时间进度{abs(value)}个百分点"


def yi_short(value: Any) -> str:
    """亿元 as seed 003 writes it: "78", "61.9" (two decimals at most, no trailing zeros)."""
    return f"{wan_to_yi(Decimal(str(value or 0))).normalize():f}"


def snapshot(year: int, month: int, level: str = "", scope: Scope | None = None) -> dict[str, Any]:
    """The figures a bulletin is drafted from, as plain JSON (decimals as strings): every figure of
    the figures module, the projects furthest behind time progress, and the warning rules' names.
    A scope of one investment nature and no size also carries its projects of 1 亿元 and above
    ("major"), for seed 003's sentence."""
    scope = scope or Scope(level=level or None)
    data = compute(year, month, scope)
    if scope.nature and scope.min_total is None:
        data["major"] = compute(year, month, replace(scope, min_total=YI), work=False)["plan"]
    data["behind"] = behind_time_progress(year, month, scope, entry_count=data["plan"]["count"])
    data["rule_names"] = {code: str(rule.name) for code, rule in registry().items()}
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def overview_sentence(data: dict[str, Any], level: str) -> str:
    plan, month = data["plan"], data["period"]["month"]
    rate = plan["completion_rate"]
    cut = scope_words(bulletin_scope(level, data))
    who = LEVEL_WORDS.get(level, LEVEL_WORDS[""]) + (f"中{cut}项目" if cut else "")
    return (
        f"截至{month}月底，{who}共{plan['count']}个，总投资{yi(plan['total_investment'])}亿元，"
        f"年度计划投资{yi(plan['annual_plan'])}亿元，完成投资{yi(plan['completed'])}亿元，"
        + (
            f"完成年度计划投资的{rate}%，{pace(plan['ahead_points'])}。"
            if rate is not None
            else "尚未安排年度计划投资。"
        )
    )


LEVEL_ADJECTIVES: dict[str, str] = {
    PlanLevel.LOCAL: "区级",
    PlanLevel.CITY: "市级",
    PlanLevel.PROVINCE: "省级",
}


def nature_sentence(data: dict[str, Any], level: str) -> str:
    """Seed 003: "2022年1—9月，市级政府投资项目完成投资78亿元，年度计划执行率79.7%，其中41个亿元以上
    重大项目完成投资61.9亿元，年度计划执行率80.2%。" — for a scope of one investment nature."""
    nature = data["scope"].get("nature")
    if not nature:
        return ""
    period, plan = data["period"], data["plan"]
    words = f"{LEVEL_ADJECTIVES.get(level, '')}{NATURE_WORDS[nature]}项目"
    text = f"{period['year']}年1—{period['month']}月，{words}完成投资{yi_short(plan['completed'])}亿元"
    if plan["completion_rate"] is not None:
        text += f"，年度计划执行率{plan['completion_rate']}%"
    major = data.get("major")
    if major and major["count"]:
        text += f"，其中{major['count']}个亿元以上重大项目完成投资{yi_short(major['completed'])}亿元"
        if major["completion_rate"] is not None:
            text += f"，年度计划执行率{major['completion_rate']}%"
    return text + "。"


NATURE_WORDS = {"government": "政府投资", "enterprise": "企业投资"}


def category_sentence(data: dict[str, Any]) -> str:
    rows = [r for r in data["by_category"] if Decimal(r["completed"]) > 0]
    if not rows:
        return "各类项目本年度尚未完成投资。"
    names = "、".join(r["label"] for r in rows)
    amounts = "、".join(f"{yi(r['completed'])}亿元" for r in rows)
    shares = "、".join(f"{r['completed_share']}%" for r in rows)
    return f"其中，{names}分别完成投资{amounts}，分别占总体完成投资的{shares}。"


def level_sentences(data: dict[str, Any]) -> list[str]:
    sentences = []
    for row in data["by_level"]:
        if not row["count"]:
            continue
        rate = row["completion_rate"]
        sentences.append(
            f"{row['label']}建设项目{row['count']}个，年度计划投资{yi(row['annual_plan'])}亿元，累计完成投资{yi(row['completed'])}亿元"
            + (f"，完成年度投资计划的{rate}%，{pace(row['ahead_points'])}。" if rate is not None else "。")
        )
    return sentences


def status_sentence(data: dict[str, Any], level: str) -> str:
    month = data["period"]["month"]
    parts = {row["key"]: row for row in data["by_status"]}
    words = {
        "completed": "个项目已完工",
        "construction": "个项目正抓紧施工",
        "suspended": "个项目暂停施工",
        "preliminary": "个项目处于前期阶段",
        "cancelled": "个项目已终止",
    }
    clauses = [
        f"{parts[key]['count']}{words[key]}，占全部项目的{parts[key]['share']}%"
        for key in ("completed", "construction", "suspended", "preliminary", "cancelled")
        if key in parts and parts[key]["count"]
    ]
    total = data["plan"]["count"]
    if not clauses:
        return f"截至{month}月底，暂无{LEVEL_WORDS.get(level, LEVEL_WORDS[''])}。"
    return (
        f"截至{month}月底，{total}个{LEVEL_WORDS.get(level, LEVEL_WORDS['']).removeprefix('全区')}中，"
        + "；".join(clauses)
        + "。"
    )


def starts_sentence(data: dict[str, Any]) -> str:
    starts = data["starts"]
    pieces = []
    if starts["to_start"]:
        pieces.append(
            f"计划新开工项目{starts['to_start']}个，已开工{starts['started']}个，开工率{starts['start_rate']}%"
        )
    if starts.get("to_resume"):
        pieces.append(
            f"续建项目{starts['to_resume']}个，已复工{starts['resumed']}个，复工率{starts['resume_rate']}%"
        )
    if starts["to_finish"]:
        pieces.append(
            f"计划竣工项目{starts['to_finish']}个，已竣工{starts['finished']}个，竣工率{starts['finish_rate']}%"
        )
    if not pieces:
        return "本期无计划新开工、续建或竣工项目。"
    rates = [starts.get(name) for name in ("start_rate", "resume_rate", "finish_rate")]
    if all(rate is not None and Decimal(str(rate)) == 100 for rate in rates):
        # Seed 001: "无论是项目开工率、复工率还是竣工率均达100%".
        pieces.append("开工率、复工率、竣工率均达100%")
    return "；".join(pieces) + "。"


def ranking_paragraphs(data: dict[str, Any]) -> list[str]:

    rows = data["ranking_units"]
    if not rows:
        return ["本期暂无可排名的责任单位。"]
    first, last = praise_and_pressure(rows)
    praised = [r["name"] for r in rows if r["unit_id"] in first]
    pressed = [r["name"] for r in rows if r["unit_id"] in last]
    text = ["按年度计划完成率排名，" + "、".join(praised) + "等单位完成情况较好，予以通报表扬。"]
    if pressed:
        text.append(
            "、".join(pressed) + "等单位进度相对滞后，请分管领导和责任单位认真分析原因，倒排工期，加快推进。"
        )
    owners = owner_ranking_sentence(data)
    return [*text, owners] if owners else text


def owner_ranking_sentence(data: dict[str, Any]) -> str:
    """Seed 002: "每月对投资完成率前五名项目单位“激励”，对后五名项目单位“鞭策”"."""
    rows = data.get("ranking_owners") or []
    if not rows:
        return ""
    first, last = praise_and_pressure(rows)
    if not first:
        return ""
    praised = "、".join(r["name"] for r in rows if r["unit_id"] in first)
    pressed = "、".join(r["name"] for r in rows if r["unit_id"] in last)
    text = f"按投资完成率对项目单位排名，对{praised}等前{len(first)}名项目单位予以“激励”"
    if pressed:
        text += f"，对{pressed}等后{len(last)}名项目单位予以“鞭策”"
    return text + "。"


def reporting_sentence(data: dict[str, Any]) -> str:
    reporting = data["reporting"]
    if not reporting["due"]:
        return ""
    return f"本月应报送进度的项目{reporting['due']}个，按时报送{reporting['on_time']}个，按时报送率{reporting['on_time_rate']}%。"


def work_sentences(data: dict[str, Any]) -> list[str]:
    """推进措施: warnings, problems and meetings, in the words of seeds 000 and 003."""
    sentences = []
    alerts = data.get("alerts") or {}
    if alerts.get("raised"):
        sentences.append(
            f"实行红黄灯预警，累计预警项目{alerts['projects']}个、预警{alerts['raised']}条，已销号{alerts['closed']}条，销号率{alerts['closure_rate']}%。"
        )
    problems = data.get("problems") or {}
    meetings = data.get("meetings") or {}
    if problems.get("raised") or meetings.get("held"):
        text = f"建立问题台账，累计梳理问题{problems.get('raised', 0)}个，已解决{problems.get('solved', 0)}个，销号率{problems.get('closure_rate') or '0.0'}%"
        if meetings.get("held"):
            text += (
                f"；先后召开{meetings['held']}次调度会议，议定{meetings['matters_decided']}个事项，"
                f"切实解决{meetings['problems_solved']}个存在问题"
            )
        sentences.append(text + "。")
    return sentences


def review_sentences(data: dict[str, Any]) -> list[str]:
    """重点项目观摩点评 (seed 004: 原则上每半年举行一次重点项目观摩): each round of the year, what it
    visited, and the first projects and towns of its ranking."""
    sentences = []
    for round in (data.get("reviews") or {}).get("rounds") or []:
        held = str(round["held_on"])  # ISO, as the snapshot keeps dates
        text = (
            f"{int(held[5:7])}月{int(held[8:10])}日，组织开展{round['title']}，实地观摩重点项目{round['projects']}个，"
            f"涉及乡镇（街道）{round['towns']}个，{round['reviewers']}名点评人员现场打分"
        )
        top = round["top_projects"][:3]
        if top:
            named = "、".join(f"{row['name']}（{row['score']}分）" for row in top)
            text += f"。得分前{len(top)}名的项目为{named}"
        towns = round["top_towns"][:3]
        if len(towns) > 1:
            text += f"；乡镇（街道）中，{'、'.join(t['name'] for t in towns)}平均得分位居前列"
        sentences.append(text + "。")
    return sentences


NUMERALS = "一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 23 → 二十三 (section numbers of an official document)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{NUMERALS[tens - 1]}十")
    return head + (NUMERALS[ones - 1] if ones else "")


def numbered(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number the headings in order, as GB/T 9704 orders them: 一、二、… for the first level,
    （一）（二）… under each, restarting at every first-level heading."""
    first = second = 0
    result = []
    for section in sections:
        if section["level"] == 1:
            first, second = first + 1, 0
            heading = f"{chinese_numeral(first)}、{section['heading']}"
        else:
            second += 1
            heading = f"（{chinese_numeral(second)}）{section['heading']}"
        result.append({**section, "heading": heading})
    return result


def draft(kind: str, year: int, month: int, level: str = "", scope: Scope | None = None) -> dict[str, Any]:
    """Title, sections and figures of a new bulletin of `kind` for the period (always in Chinese:
    official documents are, whatever language the coordinator's screen is in), of the plan level's
    projects or of `scope` (a level with an investment nature or a size)."""
    with translation.override("zh-hans"):
        return _draft(kind, year, month, level, scope or Scope(level=level or None))


def bulletin_scope(level: str, figures: dict[str, Any]) -> Scope:
    """The scope a bulletin was drafted for: its level, and the nature and size its figures record."""
    described = figures.get("scope") or {}
    nature = described.get("nature") if described.get("nature") in NATURE_WORDS else None
    try:
        min_total = Decimal(str(described["min_total"])) if described.get("min_total") is not None else None
    except ArithmeticError:
        min_total = None
    return Scope(level=level or None, nature=nature, min_total=min_total)


def _draft(kind: str, year: int, month: int, level: str, scope: Scope) -> dict[str, Any]:
    data = snapshot(year, month, level, scope)
    region = settings.REGION_NAME
    scope_word = scope_words(scope) + TITLE_WORDS.get(level, TITLE_WORDS[""])
    progress = [
        sentence
        for sentence in (
            nature_sentence(data, level),
            overview_sentence(data, level),
            category_sentence(data),
        )
        if sentence
    ] + level_sentences(data)
    construction = [status_sentence(data, level), starts_sentence(data)]
    reporting = reporting_sentence(data)
    if reporting:
        construction.append(reporting)
    if kind == "annual":
        reviewed = review_sentences(data)
        title = f"关于{year}年{region}{scope_word}进展情况的报告"
        sections = [
            {"heading": "项目进展情况", "level": 1, "paragraphs": []},
            {"heading": "项目投资完成情况", "level": 2, "paragraphs": progress},
            {"heading": "项目开工建设情况", "level": 2, "paragraphs": construction},
            {
                "heading": "相关推进措施",
                "level": 1,
                "paragraphs": work_sentences(data) + ranking_paragraphs(data),
            },
            # Only in a year with a review round.
            *([{"heading": "重点项目观摩点评情况", "level": 1, "paragraphs": reviewed}] if reviewed else []),
            {
                "heading": "下一步工作",
                "level": 1,
                "paragraphs": [
                    "（一）要保持高度重视。各项目单位要把重点项目建设摆在突出位置，加强组织领导，加快推进项目建设。",
                    "（二）要加强督查督办。建立健全跟踪督办制度，全程跟进项目实施，如期推进项目建设和资金使用。",
                    "（三）要做好前期工作。认真开展项目前期调研，深入分析可行性和风险点，为后续工作顺利开展奠定基础。",
                ],
            },
        ]
    else:
        title = (
            f"关于{year}年1—{month}月{region}{scope_word}进展情况的通报"
            if kind == "monthly"
            else f"{year}年1—{month}月{scope_word}推进情况"
        )
        sections = [
            {"heading": "投资完成情况", "level": 1, "paragraphs": progress},
            {"heading": "项目开工建设情况", "level": 1, "paragraphs": construction},
            {"heading": "各单位完成情况", "level": 1, "paragraphs": ranking_paragraphs(data)},
            {
                "heading": "预警与问题办理情况",
                "level": 1,
                "paragraphs": work_sentences(data) or ["本期无预警和问题。"],
            },
            {
                "heading": "下一步工作要求",
                "level": 1,
                "paragraphs": [
                    "各责任单位要对照年度目标任务，倒排工期、挂图作战，对进度滞后的项目逐一分析原因、制定措施，确保完成全年投资目标。"
                ],
            },
        ]
    return {"title": title, "sections": numbered(sections), "figures": data}
