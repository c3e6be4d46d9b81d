"""Reading one cell of an official table as people fill it: numbers as text, full-width digits, "万元" …

Each parser returns the value in the system's terms, None for a blank cell, or raises CellError
with a Chinese message that names the value.
"""

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from plans.choices import PlanLevel, PlanType
from projects.choices import InvestmentNature, ProcedureStatus, ProjectStatus


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


CENT = Decimal("0.01")
# 14 digits with 2 decimals: the largest amount a money field holds.
MONEY_LIMIT = Decimal("1000000000000")
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．，－＋　", "0123456789.,-+ ")
NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
SPACES_RE = re.compile(r"\s+")
# What offices write for "nothing" in a number column.
BLANK_MARKS = frozenset({"-", "--", "—", "——", "/", "／", "无", "\\"})
# Excel day numbers of 1990-01-01 and 2100-12-31: a number outside is not a date someone meant.
EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_RANGE = (32874, 73415)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_text(value: object) -> str:
    """Text as stored: trimmed; a number that Excel kept as 12.0 reads "12"."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_money(value: object) -> Decimal | None:
    """万元 as Decimal(2 places): 1234.5, "1,234.5", "１２３４．５", "3000万元"; "约3000" is an error."""
    if is_blank(value):
        return None
    if isinstance(value, bool | date | timedelta):
        raise CellError(f"应填写金额（万元），“{clean_text(value)}”不是数字")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("金额不是有效数字")
        amount = Decimal(repr(value))
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        original = str(value).strip()
        text = SPACES_RE.sub("", original.translate(FULL_WIDTH_DIGITS))
        if text in BLANK_MARKS:
            return None
        text = text.removesuffix("万元").removesuffix("万").replace(",", "")
        if not NUMBER_RE.match(text):
            raise CellError(f"应填写金额（万元），“{original}”不是确定的数字")
        try:
            amount = Decimal(text)
        except InvalidOperation as error:
            raise CellError(f"应填写金额（万元），“{original}”不是确定的数字") from error
    if amount < 0:
        raise CellError(f"金额不能为负数（{clean_text(value)}）")
    if amount >= MONEY_LIMIT:
        raise CellError(f"金额过大（{clean_text(value)}万元）")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:月|[-/.月](\d{1,2})日?)?$")
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: object) -> date | None:
    """A date cell, or text "2024-03-01", "2024/3/1", "2024年3月1日", "2024年3月" (the 1st), "20240301"."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(f"日期格式不正确：“{clean_text(value)}”，应写作 2024-03-01")
    text = SPACES_RE.sub("", str(value).translate(FULL_WIDTH_DIGITS))
    match = DATE_RE.match(text) or COMPACT_DATE_RE.match(text)
    if not match:
        raise CellError(f"日期格式不正确：“{value}”，应写作 2024-03-01")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
    except ValueError as error:
        raise CellError(f"日期不存在：“{value}”") from error


TRUE_WORDS = frozenset({"是", "√", "✓", "y", "yes", "true", "1", "已入统", "入统", "已"})
FALSE_WORDS = frozenset({"否", "×", "✗", "n", "no", "false", "0", "未入统", "未"})


def parse_bool(value: object) -> bool | None:
    """是/否 (also √/×, Y/N, 已入统/未入统)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = clean_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(f"应填写“是”或“否”，“{clean_text(value)}”无法识别")


PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)(?!\d)")
CONTACT_LABEL_RE = re.compile(r"(联系人|联系电话|电话|手机|手机号|Tel|TEL)[:：]?")


def parse_contact(value: object) -> tuple[str, str] | None:
    """项目单位联系人及电话 in one cell: "王五 13800001111" → ("王五", "13800001111")."""
    if is_blank(value):
        return None
    text = clean_text(value).translate(FULL_WIDTH_DIGITS)
    text = re.sub(r"[（(](0\d{2,3})[)）]", r"\1-", text)
    match = PHONE_RE.search(text)
    phone = match.group(1) if match else ""
    rest = text[: match.start()] + text[match.end() :] if match else text
    if re.search(r"\d{5,}", rest):
        raise CellError(f"联系电话格式不正确：“{clean_text(value)}”，应为11位手机号或带区号的固定电话")
    name = re.sub(r"[\s,，、;；/:：()（）]+", " ", CONTACT_LABEL_RE.sub(" ", rest)).strip()
    if len(name) > 40:
        raise CellError("联系人姓名过长（不超过40个字）")
    return name, phone


def format_contact(name: str, phone: str) -> str:
    return f"{name} {phone}".strip()


PROCEDURE_WORDS: dict[str, tuple[str, ...]] = {
    ProcedureStatus.DONE: (
        "已办结",
        "已办理",
        "已完成",
        "已取得",
        "已批复",
        "已获批",
        "已备案",
        "已核准",
        "已审批",
        "已落实",
        "已发证",
        "已出具",
        "已签订",
        "已通过",
    ),
    ProcedureStatus.IN_PROGRESS: (
        "办理中",
        "正在办理",
        "正在",
        "已申报",
        "已上报",
        "已受理",
        "审批中",
        "报批中",
        "推进中",
        "审查中",
        "评审中",
        "编制中",
        "在办",
        "已提交",
    ),
    ProcedureStatus.NOT_STARTED: ("未启动", "未办理", "未开始", "未申报", "未开展", "尚未"),
    ProcedureStatus.NOT_NEEDED: ("无需办理", "不需办理", "无需", "不涉及", "免于", "不需要"),
}
# Keyed by the stored value: a ProcedureStatus, or the plain string a query returns.
PROCEDURE_LABELS: dict[str, str] = {status: str(status.label) for status in ProcedureStatus}
# The words alone in a cell (what the drop-down gives), looked up before any searching.
PROCEDURE_EXACT = {word: status for status, words in PROCEDURE_WORDS.items() for word in words}


def procedure_state(text: str) -> str:
    """The state a phrase says: "已批复", "已取得批复（文号…）", "正在办理用地手续" …; "" when it says none."""
    text = SPACES_RE.sub("", text)
    if text in PROCEDURE_EXACT:
        return PROCEDURE_EXACT[text]
    for status, words in PROCEDURE_WORDS.items():
        if any(text.startswith(word) for word in words):
            return status
    found = {status for status, words in PROCEDURE_WORDS.items() if any(word in text for word in words)}
    return found.pop() if len(found) == 1 else ""


@dataclass(frozen=True, slots=True)
class ProcedureCell:
    """A procedure cell as filled: the state its phrase says ("" for none) and the text, kept as the note."""

    state: str
    note: str


def parse_procedure_state(value: object) -> ProcedureCell | None:
    """前期进展情况 are filled in detail (seed 004): the state by phrase, the words kept as the procedure's note.

    A bare status word ("已办结") leaves no note; text that says no state is only a note.
    """
    if is_blank(value):
        return None
    text = clean_text(value)
    state = procedure_state(text)
    note = "" if SPACES_RE.sub("", text) in PROCEDURE_EXACT else text[:200]
    return ProcedureCell(state, note)


PROCEDURE_ITEM_RE = re.compile(r"([^：:；;，,\n]+?)[：:]([^；;，,\n]+)")


def parse_procedures_text(value: object, types_by_name: dict[str, str]) -> dict[str, str]:
    """手续办理进展 "审批核准备案：已办结；用地审批：办理中" → {type code: status}; other text is not stored."""
    if is_blank(value):
        return {}
    states: dict[str, str] = {}
    for name, state in PROCEDURE_ITEM_RE.findall(clean_text(value)):
        code = types_by_name.get(SPACES_RE.sub("", name))
        if code is None:
            continue
        states[code] = procedure_state(state)
    return {code: state for code, state in states.items() if state}


STATUS_WORDS: dict[str, tuple[str, ...]] = {
    ProjectStatus.RESERVE: ("谋划/储备", "谋划", "储备", "谋划储备"),
    ProjectStatus.PRELIMINARY: ("前期",),
    ProjectStatus.CONSTRUCTION: ("在建", "续建", "施工中", "已开工"),
    ProjectStatus.COMPLETED: ("竣工", "完工", "已竣工", "已完工"),
    ProjectStatus.OPERATING: ("投产/运营", "投产", "运营", "投产运营"),
    ProjectStatus.SUSPENDED: ("暂停施工", "暂停", "停工", "暂缓", "暂停建设"),
    ProjectStatus.CANCELLED: ("终止", "取消"),
}
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    PlanLevel.PROVINCE: ("省重点", "省级", "省"),
    PlanLevel.CITY: ("市重点", "市级", "市"),
    PlanLevel.LOCAL: ("区重点", "县重点", "区级", "县级", "区", "县", "本级"),
}


def _lookup(words: dict[str, tuple[str, ...]], value: object, what: str) -> str | None:
    if is_blank(value):
        return None
    text = SPACES_RE.sub("", clean_text(value))
    for code, choices in words.items():
        if text in choices:
            return code
    allowed = "、".join(choices[0] for choices in words.values())
    raise CellError(f"{what}“{clean_text(value)}”无法识别，应为 {allowed} 之一")


PLAN_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    PlanType.NEW_START: ("新开工", "新建", "新开"),
    PlanType.CONTINUING: ("续建", "在建"),
    PlanType.COMPLETING: ("竣工", "建成", "完工", "竣工投产"),
    PlanType.PRELIMINARY: ("预备", "前期", "预备项目", "前期项目"),
}


def parse_plan_type(value: object) -> str | None:
    return _lookup(PLAN_TYPE_WORDS, value, "计划类型")


def parse_status(value: object) -> str | None:
    return _lookup(STATUS_WORDS, value, "项目状态")


def parse_level(value: object) -> str | None:
    return _lookup(LEVEL_WORDS, value, "计划级别")


NATURE_WORDS: dict[str, tuple[str, ...]] = {
    InvestmentNature.GOVERNMENT: ("政府投资", "政府", "政府投资项目", "财政投资"),
    InvestmentNature.ENTERPRISE: ("企业投资", "企业", "企业投资项目", "社会投资", "民间投资"),
}


def parse_nature(value: object) -> str | None:
    return _lookup(NATURE_WORDS, value, "投资性质")
