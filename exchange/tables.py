"""Column specifications of the three official tables (seed 004, 附件1–3) and of the system's extra columns.

Export writes the columns in the order given here; import finds them by header text, so each
column also lists the other ways offices write its header.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from plans.choices import PlanType
from projects.choices import ProjectStatus


class Kind(StrEnum):
    SEQ = "seq"  # 序号: written on export, ignored on import
    TEXT = "text"
    MONEY = "money"  # 万元, Decimal with 2 places
    YEARS = "years"  # 建设年限 2021-2023
    UNIT = "unit"  # a unit of the tree, by exact name
    INDUSTRY = "industry"  # dictionary 行业领域, by name
    CATEGORY = "category"  # dictionary 项目类别, by name
    LEVEL = "level"  # 计划级别 省重点/市重点/区重点
    PLAN_TYPE = "plan_type"  # 计划类型 新开工/续建/竣工/预备
    STATUS = "status"  # 项目状态
    NATURE = "nature"  # 投资性质 政府投资/企业投资
    PROCEDURE = "procedure"  # 未启动/办理中/已办结/无需办理
    PROCEDURES = "procedures"  # "审批核准备案：已办结；用地审批：办理中" in one cell
    BOOL = "bool"  # 是/否
    DATE = "date"
    CONTACT = "contact"  # 联系人及电话 in one cell
    PERSON = "person"  # a user, by name (首席服务员)
    CODE = "code"  # 项目代码
    INFO = "info"  # exported for reading; import does not store it


@dataclass(frozen=True)
class Column:
    """One column of an official table: its key in the system, header text and kind."""

    key: str
    header: str  # as exported; "{year}" is replaced by the plan's year
    kind: Kind = Kind.TEXT
    aliases: tuple[str, ...] = ()
    group: str = ""  # the merged parent header of a two-row header
    width: float = 12

    @property
    def is_yearly(self) -> bool:
        return "{year}" in self.header

    def title(self, year: int) -> str:
        return self.header.replace("{year}", str(year))

    @property
    def procedure_column(self) -> str:
        """The ProcedureType.table_column this column fills (附件3's five 联审联批 columns)."""
        return self.key.removeprefix("proc:") if self.key.startswith("proc:") else ""

    @property
    def carries_down(self) -> bool:
        """Whether a vertically merged cell's value belongs to every row it spans (not for amounts)."""
        return self.kind not in (Kind.MONEY, Kind.SEQ)


@dataclass(frozen=True)
class Table:
    """One of the official tables."""

    number: int
    name: str
    columns: tuple[Column, ...]
    required: tuple[str, ...]
    # What a project added to a plan from this table is, for that year, and its status when new.
    plan_type: str
    default_status: str
    extra: tuple[Column, ...] = field(default=())

    def title(self, region: str, year: int) -> str:
        return f"{region}{year}年{self.name}"

    @property
    def label(self) -> str:
        return f"附件{self.number} {self.name}"

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return self.columns + self.extra

    def column(self, key: str) -> Column | None:
        for column in self.all_columns:
            if column.key == key:
                return column
        return None


def _c(
    key: str, header: str, kind: Kind = Kind.TEXT, *aliases: str, group: str = "", width: float = 12
) -> Column:
    return Column(key, header, kind, aliases, group, width)


SEQ = _c("seq", "序号", Kind.SEQ, "编号", width=6)
NAME = _c("name", "项目名称", Kind.TEXT, width=28)
INDUSTRY = _c("industry", "行业领域", Kind.INDUSTRY, "行业", "所属行业", "所属领域", width=10)
CONTENT_ALIASES = ("建设内容及规模", "建设规模及内容", "建设规模和主要内容", "主要建设内容及规模", "建设内容")
ADDRESS_ALIASES = ("建设地点", "项目实施地点", "项目地点", "实施地点")
YEARS_ALIASES = ("建设年限", "建设起止年限", "起止年限")
TOTAL = _c("total_investment", "总投资", Kind.MONEY, "项目总投资", "计划总投资", width=11)
RESPONSIBLE_UNIT = _c("responsible_unit", "责任单位", Kind.UNIT, width=14)
OWNER_ALIASES = ("项目单位", "建设单位", "业主单位", "项目建设单位")
CONTACT = _c(
    "owner_contact",
    "项目单位联系人及电话",
    Kind.CONTACT,
    "联系人及电话",
    "项目单位联系人及联系电话",
    "联系人及联系方式",
    "项目单位联系人及联系方式",
    width=16,
)
PROGRESS_ALIASES = ("形象进度", "工程形象进度", "项目进展情况", "进展情况")
ANNUAL_WIDTH = 12

# The five 联审联批 columns of 附件3 (ProcedureType.table_column says which type fills each).
APPROVAL, LAND, LAND_PLANNING, WORKS_PLANNING, EIA = (
    "审批核准备案手续",
    "用地审批手续",
    "用地规划手续",
    "建设规划手续",
    "环评审批手续",
)
PROCEDURE_STATES = ("未启动", "办理中", "已办结", "无需办理")

SYSTEM_COLUMNS: tuple[Column, ...] = (
    _c("code", "项目代码", Kind.CODE, "统一项目代码", "项目统一代码", "投资项目代码", width=24),
    _c("category", "项目类别", Kind.CATEGORY, "项目类型", width=12),
    _c("level", "计划级别", Kind.LEVEL, "项目级别", "重点项目级别", width=9),
    _c("status", "项目状态", Kind.STATUS, width=9),
    _c("planned_start_date", "计划开工时间", Kind.DATE, "计划开工日期", width=11),
    _c("planned_completion_date", "计划竣工时间", Kind.DATE, "计划竣工日期", width=11),
    _c("actual_start_date", "实际开工时间", Kind.DATE, "实际开工日期", "开工时间", width=11),
    _c("actual_completion_date", "实际竣工时间", Kind.DATE, "实际竣工日期", "竣工时间", width=11),
    _c("in_statistics", "已入统", Kind.BOOL, "是否入统", "入统情况", width=7),
    _c("status_reason", "暂停原因", Kind.TEXT, "停工原因", "暂停施工原因", "状态原因", width=14),
    _c("leader_in_charge", "分包领导", Kind.PERSON, "包联领导", "联系领导", "分管领导", width=9),
    _c("plan_type", "计划类型", Kind.PLAN_TYPE, "年度计划类型", "开竣工类型", "建设阶段", width=9),
    _c("investment_nature", "投资性质", Kind.NATURE, "投资类型", "投资主体", "项目性质", width=9),
)

TABLE1 = Table(
    number=1,
    name="前期项目谋划表",
    columns=(
        SEQ,
        NAME,
        INDUSTRY,
        _c("content", "建设内容及规模", Kind.TEXT, *CONTENT_ALIASES, width=36),
        _c("build_years", "建设年限", Kind.YEARS, *YEARS_ALIASES, width=10),
        _c("address", "建设地点", Kind.TEXT, *ADDRESS_ALIASES, width=14),
        TOTAL,
        _c("signing_status", "签约情况", Kind.TEXT, width=12),
        _c("procedures_text", "手续办理进展", Kind.PROCEDURES, "手续办理情况", width=24),
        _c("demolition_progress", "拆迁进展", Kind.TEXT, "拆迁情况", width=12),
        _c("problems_text", "存在问题", Kind.INFO, "存在的问题", "问题", width=20),
        RESPONSIBLE_UNIT,
        _c("owner_unit", "项目单位", Kind.UNIT, *OWNER_ALIASES, width=16),
        CONTACT,
    ),
    required=("name", "total_investment", "responsible_unit"),
    plan_type=PlanType.PRELIMINARY,
    default_status=ProjectStatus.PRELIMINARY,
    extra=SYSTEM_COLUMNS,
)

EARLY_WORK = "前期进展情况（必须填写详细，不能留空格）"
TABLE2 = Table(
    number=2,
    name="新建（竣工）项目情况表",
    columns=(
        SEQ,
        NAME,
        INDUSTRY,
        _c("owner_unit", "建设单位", Kind.UNIT, *OWNER_ALIASES, width=16),
        _c("content", "建设规模和主要内容", Kind.TEXT, *CONTENT_ALIASES, width=36),
        _c("address", "项目实施地点", Kind.TEXT, *ADDRESS_ALIASES, width=14),
        TOTAL,
        _c("build_years", "建设起止年限", Kind.YEARS, *YEARS_ALIASES, width=10),
        _c("annual_investment", "{year}年投资目标", Kind.MONEY, width=ANNUAL_WIDTH),
        _c(
            f"proc:{APPROVAL}",
            "审批、核准、备案",
            Kind.PROCEDURE,
            APPROVAL,
            "审批核准备案",
            "立项",
            group=EARLY_WORK,
            width=11,
        ),
        _c(f"proc:{EIA}", "环评", Kind.PROCEDURE, EIA, "环评审批", group=EARLY_WORK, width=9),
        _c(f"proc:{LAND}", "土地", Kind.PROCEDURE, LAND, "用地审批", "用地", group=EARLY_WORK, width=9),
        _c(
            f"proc:{LAND_PLANNING}",
            "规划",
            Kind.PROCEDURE,
            LAND_PLANNING,
            "用地规划",
            group=EARLY_WORK,
            width=9,
        ),
        _c("progress_text", "项目进展情况", Kind.INFO, *PROGRESS_ALIASES, width=24),
        CONTACT,
        _c("note", "备注", Kind.TEXT, width=12),
    ),
    required=("name", "owner_unit", "total_investment"),
    plan_type=PlanType.NEW_START,
    default_status=ProjectStatus.PRELIMINARY,
    extra=SYSTEM_COLUMNS,
)

JOINT_REVIEW = "联审联批手续"
TABLE3 = Table(
    number=3,
    name="在建项目进展情况表",
    columns=(
        SEQ,
        NAME,
        INDUSTRY,
        _c("content", "建设内容及规模", Kind.TEXT, *CONTENT_ALIASES, width=36),
        _c("build_years", "建设年限", Kind.YEARS, *YEARS_ALIASES, width=10),
        _c("address", "建设地点", Kind.TEXT, *ADDRESS_ALIASES, width=14),
        TOTAL,
        _c("amount", "本月完成投资", Kind.MONEY, "当月完成投资", "本期完成投资", width=11),
        _c("cumulative", "累计完成投资", Kind.MONEY, "开工累计完成投资", "自开工累计完成投资", width=11),
        _c(
            "year_to_date",
            "年度完成投资",
            Kind.MONEY,
            "本年完成投资",
            "年初至今完成投资",
            "本年累计完成投资",
            width=11,
        ),
        _c("progress_text", "形象进度", Kind.TEXT, *PROGRESS_ALIASES, width=30),
        _c(f"proc:{LAND}", LAND, Kind.PROCEDURE, "用地审批", group=JOINT_REVIEW, width=9),
        _c(f"proc:{APPROVAL}", APPROVAL, Kind.PROCEDURE, "审批核准备案", group=JOINT_REVIEW, width=9),
        _c(f"proc:{LAND_PLANNING}", LAND_PLANNING, Kind.PROCEDURE, "用地规划", group=JOINT_REVIEW, width=9),
        _c(
            f"proc:{WORKS_PLANNING}",
            WORKS_PLANNING,
            Kind.PROCEDURE,
            "建设规划",
            "工程规划手续",
            group=JOINT_REVIEW,
            width=9,
        ),
        _c(f"proc:{EIA}", EIA, Kind.PROCEDURE, "环评审批", "环评", group=JOINT_REVIEW, width=9),
        _c("annual_investment", "{year}年计划完成投资", Kind.MONEY, width=ANNUAL_WIDTH),
        _c("chief_officer", "首席服务员", Kind.PERSON, width=9),
        RESPONSIBLE_UNIT,
        _c("responsible_person", "责任人", Kind.TEXT, width=9),
        _c("owner_unit", "项目单位", Kind.UNIT, *OWNER_ALIASES, width=16),
        CONTACT,
    ),
    required=("name", "total_investment", "amount", "cumulative", "year_to_date", "responsible_unit"),
    plan_type=PlanType.CONTINUING,
    default_status=ProjectStatus.CONSTRUCTION,
    extra=SYSTEM_COLUMNS,
)

TABLES: dict[int, Table] = {1: TABLE1, 2: TABLE2, 3: TABLE3}

# "2021年计划完成投资", "2021 年投资目标": the year in a header is whatever year the table is for.
YEARLY_HEADER_RE = re.compile(r"^(\d{4})年(计划完成投资|投资目标|计划投资|年度计划投资|计划完成)$")
FULL_WIDTH = str.maketrans("（）：，０１２３４５６７８９", "():,0123456789")
UNIT_SUFFIX_RE = re.compile(r"\((?:万元|亿元|元)\)$")


def normalize_header(value: object) -> str:
    """A header as compared: no whitespace or line breaks, half-width brackets, no "（万元）" suffix, no "、"."""
    text = re.sub(r"\s+", "", str(value or "")).translate(FULL_WIDTH)
    return UNIT_SUFFIX_RE.sub("", text).replace("、", "")


def _index(table: Table) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in table.all_columns:
        if column.is_yearly:
            continue
        for text in (column.header, *column.aliases):
            index.setdefault(normalize_header(text), column)
    return index


HEADER_INDEX: dict[int, dict[str, Column]] = {number: _index(table) for number, table in TABLES.items()}
GROUP_PREFIXES = ("联审联批", "前期进展情况")


def match_header(table: Table, text: object) -> tuple[Column | None, int | None]:
    """The table's column a header names, and the year a "{year}年…" header carries."""
    normalized = normalize_header(text)
    if not normalized:
        return None, None
    column = HEADER_INDEX[table.number].get(normalized)
    if column is not None:
        return column, None
    match = YEARLY_HEADER_RE.match(normalized)
    if match:
        yearly = next((c for c in table.all_columns if c.is_yearly), None)
        return yearly, int(match.group(1))
    return None, None


def is_group_header(text: object) -> bool:
    return normalize_header(text).startswith(GROUP_PREFIXES)
