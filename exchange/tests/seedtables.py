"""The seeds' published portfolios as the Excel tables offices send in (DOMAIN §10), built in memory.

Each builder returns the workbooks of one seed, filled the way offices fill them: an 附件 line, a
title, a "单位：万元" line, the official two-row merged header, a 合计 row, section headings ("一、
产业项目"), a blank row and notes at the end ("注：…", "填表人：…"); region-prefixed short unit names,
companies as 项目单位/建设单位, people's plain names as 首席服务员, 行业领域 values outside the
default dictionary, free-text procedure cells, amounts sometimes typed as text ("1,234.50").

The amounts are chosen so that the seeds' published figures come out exactly; how each total was
found is said where it is defined. Every amount is a Decimal in 万元 with 2 places, totals are cut
over projects deterministically (`split`), so the tables are the same on every run.

Each workbook also records where each name it uses appears (`NameUse`): in an empty database every
unit, person and non-default dictionary value is unknown, and the import must name each one once.
"""

import io
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from catalog.defaults import CATEGORIES, INDUSTRY_FIELDS

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
YI = Decimal(10000)  # 万元 per 亿元

# Columns that name something the system keeps a list of, and what the import calls that list.
NAME_KINDS = {
    "responsible": "单位",
    "owner": "单位",
    "chief": "人员",
    "leader": "人员",
    "industry": "行业领域",
    "category": "项目类别",
}
DEFAULT_NAMES = {
    "行业领域": {name for _code, name in INDUSTRY_FIELDS},
    "项目类别": {name for _code, name in CATEGORIES},
}


# Amounts ----------------------------------------------------------------------------------------


def split(total: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """`total` cut in proportion to `weights`, to the cent, adding up to exactly `total`.

    The cents left over after rounding down go to the largest remainders (then the first rows).
    """
    cents = int(total * 100)
    whole = sum(weights)
    raw = [Fraction(cents * weight, whole) for weight in weights]
    floors = [int(share) for share in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[: cents - sum(floors)]:
        floors[i] += 1
    parts = [(Decimal(c) / 100).quantize(CENT) for c in floors]
    assert sum(parts) == total
    return parts


def weights(count: int, low: int = 7, high: int = 13, step: int = 5) -> list[int]:
    """Deterministic, uneven weights between `low` and `high` (so no two neighbours are alike)."""
    span = high - low + 1
    return [low + (i * step) % span for i in range(count)]


def part(amount: Decimal, ratio: str) -> Decimal:
    """A share of an amount, to the cent (rounded down, so it never exceeds the whole)."""
    return (amount * Decimal(ratio)).quantize(CENT, rounding=ROUND_DOWN)


def round_up(amount: Decimal, step: int = 100) -> Decimal:
    """An amount rounded up to whole hundreds of 万元, as totals are usually written."""
    return ((amount / step).to_integral_value(rounding=ROUND_CEILING) * step).quantize(CENT)


def yi(amount: Decimal) -> Decimal:
    return (amount / YI).quantize(CENT)


# Layouts of the official tables -----------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """One column as an office writes it: its key in the rows below, its header and sub-header."""

    key: str
    header: str
    sub: str = ""  # the second header row, under a merged group header


JOINT = "联审联批手续"
EARLY = "前期进展情况（必须填写详细，不能留空格）"

TABLE3 = (
    Col("seq", "序号"),
    Col("name", "项目名称"),
    Col("industry", "行业领域"),
    Col("content", "建设内容\n及规模"),
    Col("years", "建设年限"),
    Col("address", "建设地点"),
    Col("total", "总投资"),
    Col("amount", "本月完成\n投资"),
    Col("cumulative", "累计完成\n投资"),
    Col("ytd", "年度完成\n投资"),
    Col("progress", "形象进度"),
    Col("land", JOINT, "用地审批手续"),
    Col("approval", JOINT, "审批核准备案手续"),
    Col("land_planning", JOINT, "用地规划手续"),
    Col("works_planning", JOINT, "建设规划手续"),
    Col("eia", JOINT, "环评审批手续"),
    Col("annual", "{year}年计划\n完成投资"),
    Col("chief", "首席服务员"),
    Col("responsible", "责任单位"),
    Col("person", "责任人"),
    Col("owner", "项目单位"),
    Col("contact", "项目单位联系人及电话"),
)

# 附件2 exactly as seed 004 prints it: no 责任单位, four 前期进展情况 sub-columns.
TABLE2 = (
    Col("seq", "序号"),
    Col("name", "项目名称"),
    Col("industry", "行业领域"),
    Col("owner", "建设单位"),
    Col("content", "建设规模和主要内容"),
    Col("address", "项目实施地点"),
    Col("total", "总投资"),
    Col("years", "建设起止年限"),
    Col("annual", "{year}年投资目标"),
    Col("approval", EARLY, "审批、核准、备案"),
    Col("eia", EARLY, "环评"),
    Col("land", EARLY, "土地"),
    Col("land_planning", EARLY, "规划"),
    Col("progress", "项目进展情况"),
    Col("contact", "项目单位联系人及电话"),
    Col("note", "备注"),
)

# The system's extra columns, as offices append them at the right of an official table.
CODE = Col("code", "项目代码")
CATEGORY = Col("category", "项目类别")
LEVEL = Col("level", "计划级别")
STATUS = Col("status", "项目状态")
REASON = Col("reason", "暂停原因")
PLANNED_START = Col("planned_start", "计划开工时间")
STARTED = Col("started", "实际开工时间")
FINISHED = Col("finished", "实际竣工时间")
LEADER = Col("leader", "分包领导")


@dataclass(frozen=True)
class NameUse:
    """A name a table uses: what kind of entry it names, the column it is under, the Excel rows."""

    kind: str  # 单位 / 人员 / 行业领域 / 项目类别
    name: str
    header: str  # the column's header as the import reports it (no whitespace)
    rows: tuple[int, ...]

    @property
    def known_by_default(self) -> bool:
        """Whether a freshly migrated database knows it (the default dictionaries)."""
        return self.name in DEFAULT_NAMES.get(self.kind, set())


@dataclass
class TableFile:
    """One workbook and how it is imported (table, year, level, period)."""

    filename: str
    data: bytes
    table: int
    year: int
    level: str
    period: str | None
    projects: int
    names: tuple[NameUse, ...]
    rows: dict[str, int] = field(default_factory=dict)  # project name → Excel row

    def write(self, folder: Path) -> Path:
        path = folder / self.filename
        path.write_bytes(self.data)
        return path

    def arguments(self, path: Path, *, create_missing: bool) -> list[str]:
        """import_table's command line for this file."""
        argv = [str(path), "--year", str(self.year), "--level", self.level, "--table", str(self.table)]
        if self.period:
            argv += ["--period", self.period]
        if create_missing:
            argv.append("--create-missing")
        return argv

    def unknown_in_empty_database(self) -> list[NameUse]:
        """The names an empty database does not know: every unit and person, non-default dictionary values."""
        return [use for use in self.names if not use.known_by_default]


class Sheet:
    """An official table being filled in, row by row, as an office does it."""

    def __init__(self, columns: Sequence[Col], *, year: int, attachment: str, title: str) -> None:
        self.columns = list(columns)
        self.year = year
        self.cells: list[list[Any]] = []
        self.merges: list[str] = []
        self.uses: dict[tuple[str, str], list[int]] = {}
        self.headers: dict[tuple[str, str], str] = {}
        self.projects: dict[str, int] = {}
        self.last = get_column_letter(len(self.columns))
        self._append([attachment])
        row = self._append([title])
        self.merges.append(f"A{row}:{self.last}{row}")
        self._append([None] * (len(self.columns) - 1) + ["单位：万元"])
        self._header()

    @property
    def width(self) -> int:
        return len(self.columns)

    def _append(self, cells: Sequence[Any]) -> int:
        self.cells.append(list(cells))
        return len(self.cells)

    def _title(self, col: Col) -> str:
        return col.header.replace("{year}", str(self.year))

    def _header(self) -> None:
        """The two header rows: single columns merged down, groups merged across over their sub-headers."""
        main: list[Any] = []
        sub: list[Any] = []
        for col in self.columns:
            first_of_group = col.sub and (not main or self.columns[len(main) - 1].header != col.header)
            main.append(self._title(col) if not col.sub or first_of_group else None)
            sub.append(col.sub or None)
        top = self._append(main)
        self._append(sub)
        start = 0
        while start < self.width:
            col = self.columns[start]
            letter = get_column_letter(start + 1)
            if not col.sub:
                self.merges.append(f"{letter}{top}:{letter}{top + 1}")
                start += 1
                continue
            end = start
            while end + 1 < self.width and self.columns[end + 1].header == col.header:
                end += 1
            self.merges.append(f"{letter}{top}:{get_column_letter(end + 1)}{top}")
            start = end + 1

    def section(self, text: str, *, merged: bool) -> None:
        """A heading row inside the body ("一、产业项目") in the 序号 column, or merged across the table."""
        row = self._append([text])
        if merged:
            self.merges.append(f"A{row}:{self.last}{row}")

    def blank(self) -> None:
        self._append([])

    def total(self, sums: dict[str, Decimal]) -> None:
        """The 合计 row offices put under the header."""
        cells: list[Any] = [None] * self.width
        for index, col in enumerate(self.columns):
            if col.key == "name":
                cells[index] = "合计"
            elif col.key in sums:
                cells[index] = sums[col.key]
        self._append(cells)

    def project(self, values: dict[str, Any]) -> int:
        """One project's row; returns its Excel row number."""
        number = len(self.cells) + 1
        cells: list[Any] = [None] * self.width
        for index, col in enumerate(self.columns):
            value = values.get(col.key)
            cells[index] = value
            if col.key in NAME_KINDS and value:
                name = " ".join(str(value).split())
                ident = (NAME_KINDS[col.key], name)
                header = "".join(self._title(col).split())
                # A name under two columns would be reported under the first: the tables avoid it.
                assert self.headers.setdefault(ident, header) == header, ident
                self.uses.setdefault(ident, []).append(number)
        self._append(cells)
        self.projects[values["name"]] = number
        return number

    def notes(self, *lines: str) -> None:
        self.blank()
        for line in lines:
            self._append([line])

    def file(self, filename: str, *, table: int, level: str, period: str | None) -> TableFile:
        book = openpyxl.Workbook()
        sheet = book.active
        assert isinstance(sheet, Worksheet)
        sheet.title = filename.rsplit(".", 1)[0][:31]
        for r, row in enumerate(self.cells, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    sheet.cell(r, c, value)
        for cell_range in self.merges:
            sheet.merge_cells(cell_range)
        buffer = io.BytesIO()
        book.save(buffer)
        names = tuple(
            NameUse(kind, name, self.headers[(kind, name)], tuple(rows))
            for (kind, name), rows in self.uses.items()
        )
        return TableFile(
            filename,
            buffer.getvalue(),
            table,
            self.year,
            level,
            period,
            len(self.projects),
            names,
            dict(self.projects),
        )


def written(amount: Decimal | None, index: int) -> Any:
    """An amount as offices type it: mostly a number, now and then text ("1,234.50", "3000.00万元")."""
    if amount is None:
        return None
    if index % 7 == 3:
        return f"{amount:,.2f}"
    if index % 11 == 5:
        return f"{amount}万元"
    return amount


CONTACT_NAMES = (
    "黄先生",
    "周工",
    "罗小姐",
    "冯经理",
    "司徒先生",
    "关小姐",
    "谭工",
    "赵先生",
    "钱女士",
    "孙工",
)


def contact(owner: str, area: str) -> str:
    """项目单位联系人及电话 in one cell: the owner's one contact, a mobile or a landline with its area code.

    The same owner always gives the same person and number, as an office's table does.
    """
    key = zlib.crc32(owner.encode())
    name = CONTACT_NAMES[key % len(CONTACT_NAMES)]
    if key % 4 == 1:
        return f"{name}  {area}-{8312_0000 + key % 9973}"
    return f"{name} 13{key % 7 + 3}{key % 100_000_000:08d}"


def sums(rows: Iterable[dict[str, Any]], *keys: str) -> dict[str, Decimal]:
    return {key: sum((row[key] for row in rows if row.get(key) is not None), ZERO) for key in keys}


# Seed 000: 广州市越秀区 2017 ----------------------------------------------------------------------

# 43 projects, 年度计划投资 21.25亿元, 完成投资 23.9亿元 = 112.5%; 产业/基础设施/社会事业 completed
# 18.32 / 3.71 / 1.87 亿元 = 76.68% / 15.51% / 7.81%; 15 完工, 15 在建, 2 暂停, 11 前期.
#
# The seed's own figures are rounded from amounts it does not give, and 76.68% cannot come from
# 18.32亿 of exactly 23.9亿 (183,200 / 239,000 = 76.65%). The amounts below satisfy every printed
# figure at once: 18.3248 + 3.7070 + 1.8672 = 23.8990 亿元 (23.9), shares 76.676 / 15.511 / 7.813
# (largest remainder: 76.68 / 15.51 / 7.81), 238,990 / 212,500 = 112.47% (112.5).
YUEXIU_YEAR = 2017
YUEXIU_ANNUAL_PLAN = Decimal("212500.00")
YUEXIU_COMPLETED = {
    "产业项目": Decimal("183248.00"),
    "基础设施项目": Decimal("37070.00"),
    "社会事业项目": Decimal("18672.00"),
}

IND, INFRA, SOC = "产业项目", "基础设施项目", "社会事业项目"
DONE, BUILDING, PAUSED, EARLY_STAGE = "已完工", "在建", "暂停", "前期"
YUEXIU_PROJECTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    # (项目名称, 项目类别, 项目状态, 行业领域, 责任单位, 项目单位)
    ("新河浦（省委周边）改造提升工程", INFRA, DONE, "城市更新", "越秀区住建局", "广州越秀城建投资有限公司"),
    ("五羊邨建筑天面整治工程", INFRA, DONE, "城市更新", "越秀区住建局", "广州越秀城建投资有限公司"),
    (
        "传统中轴线景观提升改造工程（四季花街项目）",
        INFRA,
        DONE,
        "市政道路",
        "越秀区城管局",
        "广州市越秀区园林工程有限公司",
    ),
    ("2016年街道社区微改造工程", INFRA, DONE, "城市更新", "越秀区住建局", "广州越秀城建投资有限公司"),
    ("北京路文化核心区环境整治工程", IND, DONE, "商贸服务", "北京街道", "广州北京路商旅发展有限公司"),
    ("流花湖公园周边环境提升工程", INFRA, DONE, "生态环保", "越秀区城管局", "广州市越秀区园林工程有限公司"),
    ("越秀公园东门广场改造工程", INFRA, DONE, "市政道路", "越秀区城管局", "广州市越秀区园林工程有限公司"),
    ("东湖路市政道路改造工程", INFRA, DONE, "市政道路", "越秀区住建局", "广州越秀城建投资有限公司"),
    ("农林下路商业街品质提升工程", IND, DONE, "商贸服务", "农林街道", "广州东山商业发展有限公司"),
    ("越秀国际金融汇产业园（一期）", IND, DONE, "现代服务业", "越秀区商务局", "广州越秀金融汇置业有限公司"),
    ("黄花岗科技园孵化器改造项目", IND, DONE, "数字经济", "越秀区科工信局", "广州黄花岗科技园发展有限公司"),
    ("越秀区人民医院门诊楼改造工程", SOC, DONE, "医疗卫生", "越秀区卫健局", "广州市越秀区人民医院"),
    ("登峰街社区卫生服务中心建设工程", SOC, DONE, "医疗卫生", "越秀区卫健局", "广州市越秀区人民医院"),
    ("文德路文化街区改造工程", IND, DONE, "文化旅游", "北京街道", "广州北京路商旅发展有限公司"),
    ("越秀区图书馆改造工程", SOC, DONE, "文化旅游", "越秀区文广旅体局", "广州市越秀区图书馆"),
    (
        "东风西路小学（扩征）教学楼、运动场、停车场建设工程",
        SOC,
        BUILDING,
        "教育",
        "越秀区教育局",
        "广州市越秀区东风西路小学",
    ),
    ("广州光塔民族文化风情街", IND, BUILDING, "文化旅游", "越秀区文广旅体局", "广州光塔文化发展有限公司"),
    ("北京路步行街（二期）提升工程", IND, BUILDING, "商贸服务", "北京街道", "广州北京路商旅发展有限公司"),
    ("中山二路医院周边交通改善工程", INFRA, BUILDING, "市政道路", "越秀区住建局", "广州越秀城建投资有限公司"),
    ("环市东路商务区更新改造项目", IND, BUILDING, "城市更新", "越秀区商务局", "广州环市东商务区开发有限公司"),
    (
        "起义路历史文化街区保护利用工程",
        IND,
        BUILDING,
        "文化旅游",
        "越秀区文广旅体局",
        "广州光塔文化发展有限公司",
    ),
    ("海珠广场综合改造工程", INFRA, BUILDING, "市政道路", "越秀区城管局", "广州市越秀区园林工程有限公司"),
    ("越秀区育才实验学校扩建工程", SOC, BUILDING, "教育", "越秀区教育局", "广州市越秀区育才实验学校"),
    ("华侨新村风貌保护提升工程", INFRA, BUILDING, "城市更新", "农林街道", "广州越秀城建投资有限公司"),
    (
        "越秀区数字经济产业园改造项目",
        IND,
        BUILDING,
        "数字经济",
        "越秀区科工信局",
        "广州黄花岗科技园发展有限公司",
    ),
    ("老旧住宅加装电梯工程", INFRA, BUILDING, "城市更新", "越秀区住建局", "广州越秀城建投资有限公司"),
    ("一德路商贸区提升改造项目", IND, BUILDING, "商贸服务", "越秀区商务局", "广州东山商业发展有限公司"),
    ("广州艺术博物院周边环境改造工程", SOC, BUILDING, "文化旅游", "越秀区文广旅体局", "广州市越秀区图书馆"),
    (
        "越秀区政务服务中心改造工程",
        SOC,
        BUILDING,
        "现代服务业",
        "越秀区政务服务数据管理局",
        "广州越秀城建投资有限公司",
    ),
    ("东山口创意产业园项目", IND, BUILDING, "现代服务业", "农林街道", "广州东山商业发展有限公司"),
    (
        "光孝寺部分现代建筑的修整和环境整治一期",
        SOC,
        PAUSED,
        "文化旅游",
        "越秀区文广旅体局",
        "广州光塔文化发展有限公司",
    ),
    ("大马站地下人防工程", INFRA, PAUSED, "市政公用", "北京街道", "广州越秀城建投资有限公司"),
    ("东山福利院四期工程", SOC, EARLY_STAGE, "医疗卫生", "越秀区民政局", "广州市越秀区东山福利院"),
    ("越秀区第二少年宫建设项目", SOC, EARLY_STAGE, "教育", "越秀区教育局", "广州市越秀区育才实验学校"),
    ("解放中路地下停车场工程", INFRA, EARLY_STAGE, "市政公用", "越秀区住建局", "广州越秀城建投资有限公司"),
    ("小北路片区微改造工程", INFRA, EARLY_STAGE, "城市更新", "登峰街道", "广州越秀城建投资有限公司"),
    (
        "人民公园地下空间开发项目",
        IND,
        EARLY_STAGE,
        "商贸服务",
        "越秀区商务局",
        "广州环市东商务区开发有限公司",
    ),
    ("盘福路片区城市更新项目", INFRA, EARLY_STAGE, "城市更新", "越秀区住建局", "广州越秀城建投资有限公司"),
    ("淘金路商业综合体项目", IND, EARLY_STAGE, "商贸服务", "越秀区商务局", "广州环市东商务区开发有限公司"),
    ("越秀区体育中心改造工程", SOC, EARLY_STAGE, "文化旅游", "越秀区文广旅体局", "广州市越秀区图书馆"),
    ("建设六马路片区品质提升工程", INFRA, EARLY_STAGE, "城市更新", "农林街道", "广州越秀城建投资有限公司"),
    (
        "越秀区垃圾压缩站升级改造工程",
        INFRA,
        EARLY_STAGE,
        "市政公用",
        "越秀区城管局",
        "广州市越秀区园林工程有限公司",
    ),
    (
        "广州火车站周边交通综合整治工程",
        INFRA,
        EARLY_STAGE,
        "市政道路",
        "越秀区住建局",
        "广州越秀城建投资有限公司",
    ),
)
# 首席服务员 by 责任单位 and 分包领导 by category: people's plain names, as the tables write them.
YUEXIU_CHIEFS = {
    "越秀区住建局": "陈志强",
    "越秀区城管局": "陈志强",
    "北京街道": "林晓燕",
    "农林街道": "林晓燕",
    "登峰街道": "林晓燕",
    "越秀区商务局": "黄伟明",
    "越秀区科工信局": "黄伟明",
    "越秀区卫健局": "刘红",
    "越秀区民政局": "刘红",
    "越秀区教育局": "何建华",
    "越秀区文广旅体局": "何建华",
    "越秀区政务服务数据管理局": "黄伟明",
}
YUEXIU_LEADERS = {IND: "王东", INFRA: "李卫", SOC: "张晓"}
# The two paused projects: one gives its reason in 暂停原因, the other only in 形象进度.
YUEXIU_PAUSES = {
    "光孝寺部分现代建筑的修整和环境整治一期": (
        "施工许可证审批问题",
        "主体修缮完成60%，因施工许可证审批问题暂停施工",
    ),
    "大马站地下人防工程": ("", "因资金问题暂停施工"),
}


def yuexiu_rows() -> list[dict[str, Any]]:
    """The 43 rows of 越秀区's December 2017 table, with their amounts."""
    annual = split(YUEXIU_ANNUAL_PLAN, weights(len(YUEXIU_PROJECTS), 5, 14))
    completed: dict[str, Decimal] = {}
    for category, total in YUEXIU_COMPLETED.items():
        reporting = [
            name for name, cat, status, *_ in YUEXIU_PROJECTS if cat == category and status != EARLY_STAGE
        ]
        completed.update(zip(reporting, split(total, weights(len(reporting), 4, 15, 7)), strict=True))
    rows = []
    for index, (name, category, status, industry, responsible, owner) in enumerate(YUEXIU_PROJECTS):
        plan = annual[index]
        row: dict[str, Any] = {
            "name": name,
            "category": category,
            "industry": industry,
            "responsible": responsible,
            "owner": owner,
            "chief": YUEXIU_CHIEFS[responsible],
            "leader": YUEXIU_LEADERS[category],
            "person": ["梁敏", "张磊", "吴小军", "郑洁"][index % 4],
            "annual": plan,
            "years": f"{2015 + index % 3}-{2018 + index % 2}",
            "address": "越秀区" + ["北京街", "农林街", "登峰街", "大东街", "光塔街"][index % 5],
            "content": f"{name.removesuffix('工程').removesuffix('项目')}，建筑面积约{(index + 3) * 1100}平方米",
            # As offices write it: 竣工 or 已完工, 在建 or 施工中.
            "status": {
                DONE: ("竣工", "已完工")[index % 2],
                BUILDING: ("在建", "施工中")[index % 2],
                PAUSED: "暂停",
                EARLY_STAGE: "前期",
            }[status],
        }
        if status == EARLY_STAGE:
            row["total"] = round_up(plan * 5)
            row.update(approval="已批复" if index % 2 else "正在办理立项手续", land="办理中", eia="未启动")
            row["progress"] = "前期工作推进中"
        else:
            ytd = completed[name]
            if status == DONE:
                row["total"] = round_up(ytd * Decimal("1.5"))
                row["cumulative"] = ytd + part(row["total"] - ytd, "0.8")
                row["amount"] = ZERO
                row["progress"] = "已完工"
                row["finished"] = date(2017, 3 + index % 9, 28)
                row["started"] = date(2016, 1 + index % 12, 10)
            elif status == BUILDING:
                row["total"] = round_up(ytd * 3 + plan)
                row["cumulative"] = ytd + part(row["total"] - ytd, "0.3")
                row["amount"] = part(ytd, "0.12")
                row["progress"] = f"主体工程完成{40 + index}%"
                row["started"] = f"{2016 + index % 2}年{1 + index % 12}月"
            else:
                reason, progress = YUEXIU_PAUSES[name]
                row["total"] = round_up(ytd * 4)
                row["cumulative"] = ytd * 2
                row["amount"] = ZERO
                row["progress"] = progress
                row["reason"] = reason
                row["started"] = date(2016, 9, 1)
            row["ytd"] = ytd
            row.update(approval="已办结", land="已办结", land_planning="已办结", works_planning="已办结")
            row["eia"] = "无需办理" if index % 3 else "已取得批复（穗越环评〔2016〕12号）"
        if index % 5 == 0:
            row["code"] = f"2016-440104-{47 + index % 3}-01-{10000 + index * 131:06d}"
        row["contact"] = contact(owner, "020")
        rows.append(row)
    return rows


def yuexiu(*, merged_sections: bool = False) -> TableFile:
    """越秀区's 在建 table (附件3) for December 2017 with 项目类别, 项目状态, 暂停原因 … appended.

    Its rows come in three sections ("一、产业项目" …), the heading in the 序号 column, or with
    `merged_sections` merged across the whole table as many offices do.
    """
    rows = yuexiu_rows()
    columns = (*TABLE3, CODE, CATEGORY, STATUS, REASON, STARTED, FINISHED, LEADER)
    sheet = Sheet(
        columns,
        year=YUEXIU_YEAR,
        attachment="附件3",
        title="越秀区2017年重点建设项目进展情况表（截至12月底）",
    )
    sheet.total(sums(rows, "total", "amount", "cumulative", "ytd", "annual"))
    number = 0
    for heading, category in (("一、产业项目", IND), ("二、基础设施项目", INFRA), ("三、社会事业项目", SOC)):
        sheet.section(heading, merged=merged_sections)
        for row in rows:
            if row["category"] != category:
                continue
            number += 1
            values = {**row, "seq": number}
            for offset, key in enumerate(("total", "annual", "ytd", "cumulative")):
                values[key] = written(row.get(key), number + offset)
            sheet.project(values)
            if number == 20:
                sheet.blank()
    sheet.notes(
        "注：1.本表由各责任单位于每月25日前报区发展改革局；2.项目状态填写在建、竣工、暂停或前期。",
        "填表人：黄小明          审核人：周大为",
    )
    return sheet.file("越秀区2017年12月重点项目进展表.xlsx", table=3, level="local", period="2017-12")


# Seed 002: 开平市 2022, three levels ------------------------------------------------------------

# 开平本级 183 projects, 总投资 949.27亿元, 年度计划 171.26亿元, 完成 180.6亿元 = 105.4%;
# of them 江门市重点 82 (695亿, 109.9亿, 126.7亿 = 115.3%) and 广东省重点 13 (282亿, 39.5亿,
# 50.8亿 = 128.7%). The lists nest (province ⊂ city ⊂ local): each project is one row in every
# table of a level it is on, with the same figures. 50.8 / 39.5 = 128.6%, so the amounts sit inside
# the printed roundings: 508,300 / 395,000 = 128.68%; 1,267,000 / 1,099,000 = 115.29%;
# 1,805,800 / 1,712,600 = 105.44%.
KAIPING_YEAR = 2022
KAIPING_GROUPS = {
    # level the group is first listed on: (projects, 总投资, 年度计划, 年度完成) of the group alone
    "province": (13, Decimal("2820000.00"), Decimal("395000.00"), Decimal("508300.00")),
    "city": (69, Decimal("4130000.00"), Decimal("704000.00"), Decimal("758700.00")),
    "local": (101, Decimal("2542700.00"), Decimal("613600.00"), Decimal("538800.00")),
}
KAIPING_PLACES = (
    ("三埠", "三埠街道"),
    ("长沙", "长沙街道"),
    ("水口", "水口镇"),
    ("月山", "月山镇"),
    ("沙塘", "沙塘镇"),
    ("苍城", "苍城镇"),
    ("龙胜", "龙胜镇"),
    ("大沙", "大沙镇"),
    ("马冈", "马冈镇"),
    ("塘口", "塘口镇"),
    ("赤坎", "赤坎镇"),
    ("百合", "百合镇"),
    ("蚬冈", "蚬冈镇"),
    ("金鸡", "金鸡镇"),
    ("赤水", "赤水镇"),
    ("翠山湖", "翠山湖新区管委会"),
)
# (what is built, 行业领域, 责任单位: a department, or "" for the town of the place)
KAIPING_WORKS = (
    ("道路升级改造工程", "市政道路", "开平市住建局"),
    ("污水处理厂提标改造工程", "市政公用", "开平市水务局"),
    ("中心学校扩建工程", "教育", "开平市教育局"),
    ("卫生院迁建工程", "医疗卫生", "开平市卫健局"),
    ("产业园基础设施项目", "先进制造业", ""),
    ("农贸市场升级改造项目", "商贸服务", ""),
    ("美丽乡村建设项目", "农业农村", ""),
    ("碉楼文旅综合体项目", "文化旅游", ""),
    ("保障性住房项目", "保障性住房", "开平市住建局"),
    ("供水管网改造工程", "市政公用", "开平市水务局"),
    ("智能制造产业园项目", "先进制造业", ""),
    ("冷链物流中心项目", "商贸服务", ""),
)
# The owners: public works by the city's companies, the rest by a company of the place.
KAIPING_PUBLIC_OWNERS = {
    "开平市住建局": "开平市城市建设投资集团有限公司",
    "开平市水务局": "开平市水务集团有限公司",
    "开平市教育局": "开平市教育基建管理中心",
    "开平市卫健局": "开平市中心医院",
}
KAIPING_BRANDS = (
    "华艺",
    "吉事多",
    "澳斯曼",
    "欧美尔",
    "中宇",
    "柏莱仕",
    "金牌",
    "汉斯",
    "维朗",
    "恒洁",
    "家乐仕",
    "雅立",
    "朗斯",
    "东鹏",
    "九牧",
    "箭牌",
)
KAIPING_CHIEFS = ("梁志华", "关伟强", "司徒敏", "谢永明", "周慧", "胡国强", "谭家俊")
# How the city's and the local tables write 住建局: the name the province table created is mapped.
KAIPING_HOUSING_FULL = "开平市住房和城乡建设局"


def kaiping_rows() -> list[dict[str, Any]]:
    """The 183 projects of 开平市's 2022 lists, the province's 13 first, then the city's 69, then the rest."""
    pairs = [(place, work) for work in KAIPING_WORKS for place in KAIPING_PLACES]
    rows: list[dict[str, Any]] = []
    for level, (count, total, annual, completed) in KAIPING_GROUPS.items():
        chosen = pairs[len(rows) : len(rows) + count]
        totals = split(total, weights(count, 6, 14, 5))
        plans = split(annual, [int(t) for t in totals])
        done = split(completed, weights(count, 5, 15, 7))
        for i, ((place, town), (work, industry, department)) in enumerate(chosen):
            index = len(rows)
            responsible = department or town
            owner = KAIPING_PUBLIC_OWNERS.get(department) or (
                f"开平市{KAIPING_BRANDS[index % len(KAIPING_BRANDS)]}{place}实业有限公司"
                if industry in ("先进制造业", "商贸服务")
                else f"开平市{place}建设发展有限公司"
            )
            ytd = done[i]
            rows.append(
                {
                    "group": level,
                    "name": f"{place}{work}",
                    "industry": industry,
                    "responsible": responsible,
                    "owner": owner,
                    "chief": KAIPING_CHIEFS[index % len(KAIPING_CHIEFS)],
                    "person": ["关志明", "余丽华", "梁建新"][index % 3],
                    "total": totals[i],
                    "annual": plans[i],
                    "ytd": ytd,
                    "amount": part(ytd, "0.15"),
                    "cumulative": ytd + part(totals[i] - ytd, "0.25"),
                    "years": f"{2020 + index % 3}-{2023 + index % 3}",
                    "address": f"开平市{town.removesuffix('管委会')}",
                    "content": f"{work.removesuffix('工程').removesuffix('项目')}，总建筑面积约{2 + index % 9}万平方米",
                    "progress": f"完成总工程量的{30 + index % 60}%",
                    "approval": "已备案" if industry in ("先进制造业", "商贸服务") else "已批复",
                    "land": "已办结",
                    "eia": "已批复" if index % 4 else "正在办理",
                    "contact": contact(owner, "0750"),
                }
            )
    # The province table is the first imported: it must name 住建局 for the city's tables to map to it.
    assert any(row["responsible"] == "开平市住建局" for row in rows[:13])
    return rows


KAIPING_TABLES = {
    # level: (groups on the list, title, 计划级别 as written)
    "province": (("province",), "开平市2022年广东省重点建设项目进展情况表", "省重点"),
    "city": (("province", "city"), "开平市2022年江门市重点建设项目进展情况表", "市重点"),
    "local": (("province", "city", "local"), "开平市2022年本级重点建设项目进展情况表", "本级"),
}


def kaiping() -> list[TableFile]:
    """开平市's three 在建 tables for December 2022: province, city, local (import in that order)."""
    rows = kaiping_rows()
    files = []
    for level, (groups, title, written_level) in KAIPING_TABLES.items():
        listed = [row for row in rows if row["group"] in groups]
        sheet = Sheet((*TABLE3, LEVEL), year=KAIPING_YEAR, attachment="附件3", title=title)
        sheet.total(sums(listed, "total", "amount", "cumulative", "ytd", "annual"))
        for number, row in enumerate(listed, start=1):
            values = {**row, "seq": number, "level": written_level}
            if level != "province" and row["responsible"] == "开平市住建局":
                values["responsible"] = KAIPING_HOUSING_FULL
            for key in ("total", "annual"):
                values[key] = written(row[key], number)
            sheet.project(values)
            if number == 7:
                sheet.blank()
        sheet.notes("注：本表金额单位为万元，数据截至2022年12月底。")
        files.append(
            sheet.file(
                f"开平市2022年12月{written_level}项目进展表.xlsx", table=3, level=level, period="2022-12"
            )
        )
    return files


# Seed 001: 濮阳市华龙区 -----------------------------------------------------------------------------

# 2018 plan: 223 projects, 概算投资 658.31亿元, 年度计划投资 301.09亿元; 10亿元以上 19, 5–10亿元 30,
# 1–5亿元 91 → 亿元以上项目占比 140 / 223 = 62.78%. The remaining 83 are under 1亿元. The 2018
# list comes in as offices send it: the 续建 projects in the 在建 table (附件3, no report period
# yet), the new ones in the 新建 table (附件2, no 责任单位).
HUALONG_YEAR = 2018
HUALONG_TOTAL = Decimal("6583100.00")
HUALONG_ANNUAL = Decimal("3010900.00")
# (projects, their 总投资, lower bound, upper bound) by size bucket, in 万元.
HUALONG_BUCKETS = (
    (19, Decimal("2850000.00"), 100000, None),
    (30, Decimal("2100000.00"), 50000, 100000),
    (91, Decimal("1365000.00"), 10000, 50000),
    (83, HUALONG_TOTAL - Decimal("6315000.00"), 0, 10000),
)
HUALONG_UNITS = (
    "濮阳市华龙区发改委",
    "华龙区住建局",
    "华龙区教体局",
    "华龙区卫健委",
    "中原路街道",
    "胜利路街道",
    "岳村镇",
    "孟轲乡",
    "华龙区商务局",
    "华龙区工信局",
)
HUALONG_WORKS = (
    ("石化新材料项目", "先进制造业", IND),
    ("商贸综合体项目", "商贸服务", IND),
    ("城中村改造项目", "城市更新", INFRA),
    ("市政道路工程", "市政道路", INFRA),
    ("中小学建设工程", "教育", SOC),
    ("社区卫生服务中心项目", "医疗卫生", SOC),
    ("智能装备产业园项目", "先进制造业", IND),
    ("冷链物流园项目", "商贸物流", IND),
)
HUALONG_PLACES = (
    "中原路",
    "胜利路",
    "人民路",
    "长庆路",
    "黄河路",
    "大庆路",
    "任丘路",
    "京开道",
    "绿城路",
    "昆吾路",
    "开州路",
    "华龙路",
    "孟轲",
    "岳村",
    "皇甫",
    "濮上",
    "戚城",
    "龙乡",
    "南乐路",
    "石化路",
    "振兴路",
    "挥公",
    "子路",
    "帝丘",
    "澶渊",
    "马颊河",
    "金堤河",
    "东北庄",
    "王助",
)
# Owners, each always with the same 责任单位 (index mod 20 and mod 10). Their names differ enough
# that none is taken for another: the import maps a name to an entry it resembles closely.
HUALONG_OWNERS = (
    "濮阳市华龙区城市建设投资有限公司",
    "濮阳龙丰纸业有限公司",
    "濮阳盛源能源科技股份有限公司",
    "濮阳市恒润石油化工有限公司",
    "濮阳中原油田物业管理有限公司",
    "濮阳市教育投资发展有限公司",
    "濮阳惠成电子材料股份有限公司",
    "濮阳宏业环保新材料股份有限公司",
    "濮阳市德众汽车销售服务有限公司",
    "濮阳日升商贸有限公司",
    "濮阳市安居房地产开发有限公司",
    "濮阳光明医疗器械有限公司",
    "濮阳市水务投资有限公司",
    "濮阳天地人环保科技股份有限公司",
    "濮阳市金诺物流有限公司",
    "濮阳林氏化学新材料有限公司",
    "濮阳市华信农业开发有限公司",
    "濮阳泓天威药业有限公司",
    "濮阳市文化旅游投资集团有限公司",
    "濮阳远东科技有限公司",
)
HUALONG_LEADERS = ("伍凛然", "刘建伟", "孙明亮", "赵红梅", "杜国庆")
HUALONG_CHIEFS = ("张建国", "李晓峰", "王丽娟", "陈志刚", "杨帆", "郭永军")
HUALONG_CONTINUING = 120  # of the 223, in the 在建 table; the other 103 are new


def hualong_rows() -> list[dict[str, Any]]:
    """The 223 projects of 华龙区's 2018 list, sizes interleaved so that both tables hold every bucket."""
    by_bucket: list[list[Decimal]] = []
    for count, total, low, high in HUALONG_BUCKETS:
        amounts = split(total, weights(count, 8, 12, 3))
        assert all(amount >= low and (high is None or amount < high) for amount in amounts)
        by_bucket.append(amounts)
    # The k-th of each bucket at k / (bucket size) of the way down the list.
    ranked = [
        (k / len(amounts), bucket, amount)
        for bucket, amounts in enumerate(by_bucket)
        for k, amount in enumerate(amounts)
    ]
    totals = [amount for _position, _bucket, amount in sorted(ranked)]
    annual = split(HUALONG_ANNUAL, [int(amount) for amount in totals])
    rows = []
    for index, total in enumerate(totals):
        work, industry, category = HUALONG_WORKS[index % len(HUALONG_WORKS)]
        place = HUALONG_PLACES[index // len(HUALONG_WORKS)]
        rows.append(
            {
                "name": f"华龙区{place}{work}",
                "industry": industry,
                "category": category,
                "responsible": HUALONG_UNITS[index % len(HUALONG_UNITS)],
                "owner": HUALONG_OWNERS[index % len(HUALONG_OWNERS)],
                "chief": HUALONG_CHIEFS[index % len(HUALONG_CHIEFS)],
                "leader": HUALONG_LEADERS[index % len(HUALONG_LEADERS)],
                "person": ["刘洋", "马骏", "田野"][index % 3],
                "total": total,
                "annual": annual[index],
                "years": f"{2017 + index % 2}-{2019 + index % 3}",
                "address": f"华龙区{place}",
                "content": f"{work.removesuffix('工程').removesuffix('项目')}，占地约{20 + index % 80}亩",
                "contact": contact(HUALONG_OWNERS[index % len(HUALONG_OWNERS)], "0393"),
            }
        )
    return rows


def hualong() -> list[TableFile]:
    """华龙区's 2018 list: the 在建 table (续建, 120 projects) and the 新建 table (新开工, 103 projects)."""
    rows = hualong_rows()
    continuing, new = rows[:HUALONG_CONTINUING], rows[HUALONG_CONTINUING:]
    sheet = Sheet(
        (*TABLE3, CATEGORY, LEADER),
        year=HUALONG_YEAR,
        attachment="附件3",
        title="华龙区2018年续建重点项目进展情况表",
    )
    sheet.total(sums(continuing, "total", "annual"))
    for number, row in enumerate(continuing, start=1):
        sheet.project(
            {
                **row,
                "seq": number,
                "total": written(row["total"], number),
                "cumulative": part(row["total"], "0.4"),
                "progress": "续建",
                "approval": "已办结",
                "land": "已办结",
            }
        )
        if number == 60:
            sheet.blank()
    sheet.notes("注：1.2018年计划完成投资为年度计划投资；2.本表不含新开工项目。")
    in_progress = sheet.file("华龙区2018年续建项目表.xlsx", table=3, level="local", period=None)

    sheet = Sheet(TABLE2, year=HUALONG_YEAR, attachment="附件2", title="华龙区2018年新建（竣工）项目情况表")
    sheet.total(sums(new, "total", "annual"))
    for number, row in enumerate(new, start=1):
        sheet.project(
            {
                **row,
                "seq": number,
                "total": written(row["total"], number),
                "approval": "已备案" if row["category"] == IND else "已批复",
                "eia": "正在办理",
                "land": "已落实" if number % 3 else "正在办理用地手续",
                "land_planning": "规划方案编制中",
                "progress": "计划2018年开工",
            }
        )
    sheet.notes("注：前期进展情况须填写详细，不能留空格。")
    return [in_progress, sheet.file("华龙区2018年新建项目表.xlsx", table=2, level="local", period=None)]


# 2017 市级以上: 42 projects, 完成投资 114亿元 = 140.1% of the annual plan; 22 new starts all started
# (开工率 100%); 8 completed and in production (竣工投产). 1,140,000 / 813,700 = 140.10%.
HUALONG_2017_COMPLETED = Decimal("1140000.00")
HUALONG_2017_ANNUAL = Decimal("813700.00")
# The seed names three of the new starts and three of the completed projects; the rest are made up.
HUALONG_2017_NEW = (
    "德众汽车4S店集群项目",
    "苏北路卫生院建设项目",
    "日升商贸城项目",
    "华龙区京开道石化新材料项目",
    "华龙区绿城路商贸综合体项目",
    "华龙区昆吾路城中村改造项目",
    "华龙区任丘路市政道路工程",
    "华龙区开州路中小学建设工程",
    "华龙区黄河路社区卫生服务中心项目",
    "华龙区大庆路智能装备产业园项目",
    "华龙区皇甫冷链物流园项目",
    "濮阳市第三中学扩建工程",
    "华龙区全民健身中心项目",
    "华龙区污水管网改造工程",
    "华龙区智慧城市一期项目",
    "华龙区农副产品交易中心项目",
    "华龙区人民医院新院区项目",
    "华龙区孟轲乡美丽乡村项目",
    "华龙区岳村镇特色小镇项目",
    "华龙区戚城遗址公园项目",
    "华龙区龙乡大道绿化工程",
    "华龙区濮上生态园项目",
)
HUALONG_2017_FINISHED = (
    "青岛汉阳电子科技产业园项目",
    "森源充电桩生产基地项目",
    "淘金创谷众创空间项目",
    "华龙区石化装备制造园项目",
    "濮阳中原油田配套服务中心项目",
    "华龙区电子商务产业园项目",
    "华龙区建材物流园项目",
    "华龙区新能源汽车配件项目",
)
HUALONG_2017_BUILDING = (
    "华龙区胜利路改造工程",
    "华龙区中原路综合整治工程",
    "华龙区开州路延伸工程",
    "华龙区龙湖片区安置房项目",
    "濮阳东站综合枢纽项目",
    "华龙区第二水厂项目",
    "马颊河综合治理工程",
    "金堤河生态廊道项目",
    "华龙区职业教育园区项目",
    "华龙区老旧小区改造项目",
    "华龙区体育公园项目",
    "华龙区妇幼保健院项目",
)


def hualong_2017() -> list[TableFile]:
    """华龙区's 2017 市重点 list: the 新建 table of the 22 new starts (with their start dates), then
    the December 在建 table of all 42 with the year's investment."""
    names = [*HUALONG_2017_NEW, *HUALONG_2017_FINISHED, *HUALONG_2017_BUILDING]
    assert len(names) == len(set(names)) == 42
    annual = split(HUALONG_2017_ANNUAL, weights(42, 6, 14, 5))
    done = split(HUALONG_2017_COMPLETED, weights(42, 5, 15, 7))
    rows: list[dict[str, Any]] = []
    for index, name in enumerate(names):
        responsible = HUALONG_UNITS[index % len(HUALONG_UNITS)]
        rows.append(
            {
                "name": name,
                "industry": HUALONG_WORKS[index % len(HUALONG_WORKS)][1],
                "responsible": responsible,
                "owner": HUALONG_OWNERS[index % len(HUALONG_OWNERS)],
                "chief": HUALONG_CHIEFS[index % len(HUALONG_CHIEFS)],
                "leader": HUALONG_LEADERS[index % len(HUALONG_LEADERS)],
                "annual": annual[index],
                "ytd": done[index],
                "total": round_up(max(annual[index] * 3, done[index] * 2)),
                "years": "2017-2019" if name in HUALONG_2017_NEW else "2016-2018",
                "contact": contact(HUALONG_OWNERS[index % len(HUALONG_OWNERS)], "0393"),
            }
        )
    new_rows = [row for row in rows if row["name"] in HUALONG_2017_NEW]
    sheet = Sheet(
        (*TABLE2, PLANNED_START, STARTED, STATUS),
        year=2017,
        attachment="附件2",
        title="华龙区2017年市级以上重点项目新开工项目情况表",
    )
    for number, row in enumerate(new_rows, start=1):
        sheet.project(
            {
                **row,
                "seq": number,
                "planned_start": f"2017年{3 + number % 6}月",
                "started": date(2017, 3 + number % 6, 8 + number % 20),
                "status": "在建",
                "approval": "已备案",
                "eia": "已批复",
                "land": "已落实",
                "land_planning": "已取得用地规划许可证",
                "progress": "已开工建设",
            }
        )
    sheet.notes("注：开工时间以实际开工为准。")
    starts = sheet.file("华龙区2017年新开工项目表.xlsx", table=2, level="city", period=None)

    sheet = Sheet(
        (*TABLE3, STATUS, FINISHED),
        year=2017,
        attachment="附件3",
        title="华龙区2017年市级以上重点项目进展情况表",
    )
    sheet.total(sums(rows, "annual", "ytd"))
    for number, row in enumerate(rows, start=1):
        finished = row["name"] in HUALONG_2017_FINISHED
        ytd = row["ytd"]
        sheet.project(
            {
                **row,
                "seq": number,
                "amount": ZERO if finished else part(ytd, "0.1"),
                "ytd": ytd,
                "cumulative": ytd + (part(ytd, "0.5") if row["name"] not in HUALONG_2017_NEW else ZERO),
                "progress": "竣工投产" if finished else "主体施工",
                "status": "投产" if finished else None,
                "finished": date(2017, 10, 30) if finished else None,
            }
        )
    sheet.notes("注：数据截至2017年12月底。")
    return [
        starts,
        sheet.file("华龙区2017年12月市级以上项目进展表.xlsx", table=3, level="city", period="2017-12"),
    ]


# Seed 004: 湛河区 2021 附件2 ------------------------------------------------------------------------

ZHANHE_YEAR = 2021
# The 新建 table's procedure cells as offices fill them, and what each must become (status, note).
ZHANHE_NEW: tuple[dict[str, Any], ...] = (
    {
        "name": "湛河区曹镇乡农产品冷链物流园项目",
        "industry": "商贸物流",
        "owner": "平顶山市豫农冷链物流有限公司",
        "total": Decimal("32000.00"),
        "annual": Decimal("8000.00"),
        "approval": "已备案（项目代码2021-410411-59-03-012345）",
        "eia": "已批复",
        "land": "已落实",
        "land_planning": "正在办理",
        "progress": "场地平整已完成，计划6月开工",
    },
    {
        "name": "湛河区九里山街道老旧小区改造项目",
        "industry": "城市更新",
        "owner": "平顶山市湛河区城市建设投资有限公司",
        "total": Decimal("12600.00"),
        "annual": Decimal("6300.00"),
        "approval": "已取得可研批复（平湛发改〔2021〕21号）",
        "eia": "不涉及",
        "land": "不涉及",
        "land_planning": "规划方案编制中",
        "progress": "施工招标中",
    },
    {
        "name": "湛河区北渡街道农贸市场升级改造项目",
        "industry": "商贸服务",
        "owner": "平顶山市北渡商贸发展有限公司",
        "total": Decimal("5800.00"),
        "annual": Decimal("2000.00"),
        "approval": "已备案",
        "eia": "环评已备案",
        "land": "正在办理用地手续",
        "land_planning": "待土地摘牌后办理",
        "progress": "受资金影响暂停施工，正在协调融资",
        "status": "暂停",
    },
    {
        "name": "湛河区曹镇乡智能制造产业园项目",
        "industry": "先进制造业",
        "owner": "平顶山市瑞丰智能装备有限公司",
        "total": Decimal("56000.00"),
        "annual": Decimal("15000.00"),
        "approval": "已核准",
        "eia": "环评报告书报批中",
        "land": "尚未启动",
        "land_planning": "未启动",
        "progress": "前期手续办理中",
    },
)
# What each procedure cell must become: (status, note) by project and 附件2 column.
ZHANHE_PROCEDURES = {
    ("湛河区曹镇乡农产品冷链物流园项目", "approval"): ("done", "已备案（项目代码2021-410411-59-03-012345）"),
    ("湛河区曹镇乡农产品冷链物流园项目", "eia"): ("done", ""),
    ("湛河区曹镇乡农产品冷链物流园项目", "land"): ("done", ""),
    ("湛河区曹镇乡农产品冷链物流园项目", "land_planning"): ("in_progress", ""),
    ("湛河区九里山街道老旧小区改造项目", "approval"): ("done", "已取得可研批复（平湛发改〔2021〕21号）"),
    ("湛河区九里山街道老旧小区改造项目", "eia"): ("not_needed", ""),
    ("湛河区九里山街道老旧小区改造项目", "land"): ("not_needed", ""),
    ("湛河区九里山街道老旧小区改造项目", "land_planning"): ("in_progress", "规划方案编制中"),
    ("湛河区北渡街道农贸市场升级改造项目", "approval"): ("done", ""),
    ("湛河区北渡街道农贸市场升级改造项目", "eia"): ("done", "环评已备案"),
    ("湛河区北渡街道农贸市场升级改造项目", "land"): ("in_progress", "正在办理用地手续"),
    ("湛河区北渡街道农贸市场升级改造项目", "land_planning"): ("not_started", "待土地摘牌后办理"),
    ("湛河区曹镇乡智能制造产业园项目", "approval"): ("done", ""),
    ("湛河区曹镇乡智能制造产业园项目", "eia"): ("in_progress", "环评报告书报批中"),
    ("湛河区曹镇乡智能制造产业园项目", "land"): ("not_started", "尚未启动"),
    ("湛河区曹镇乡智能制造产业园项目", "land_planning"): ("not_started", ""),
}
# The procedure type each 附件2 column fills (catalog.defaults.PROCEDURE_TYPES).
ZHANHE_TYPES = {"approval": "approval", "eia": "eia", "land": "land", "land_planning": "land_planning"}
# The 在建 table of the same district: it makes 湛河区住建局 the parent of the 城投 company.
ZHANHE_BUILDING = {
    "name": "湛河区湛河北路改造工程",
    "industry": "市政道路",
    "responsible": "湛河区住建局",
    "owner": "平顶山市湛河区城市建设投资有限公司",
    "chief": "宁建平",
    "total": Decimal("18000.00"),
    "annual": Decimal("9000.00"),
    "amount": Decimal("800.00"),
    "ytd": Decimal("2400.00"),
    "cumulative": Decimal("6400.00"),
}


def zhanhe_new(*, status_column: bool) -> TableFile:
    """湛河区's 附件2 exactly as seed 004 prints it; with `status_column`, 项目状态 appended at the right."""
    columns = (*TABLE2, STATUS) if status_column else TABLE2
    sheet = Sheet(columns, year=ZHANHE_YEAR, attachment="附件2", title="湛河区 2021 年新建（竣工）项目情况表")
    for number, row in enumerate(ZHANHE_NEW, start=1):
        values = {
            **row,
            "seq": number,
            "years": "2021—2022年",
            "address": "湛河区" + row["name"].removeprefix("湛河区")[:3],
            "content": "建设" + row["name"].removeprefix("湛河区"),
            "contact": contact(row["owner"], "0375"),
        }
        if not status_column:
            values.pop("status", None)
        sheet.project(values)
        if number == 2:
            sheet.blank()
    sheet.notes("注：前期进展情况须填写详细，不能留空格。", "填报单位：湛河区建设项目服务中心")
    return sheet.file("湛河区2021年新建项目情况表.xlsx", table=2, level="local", period=None)


def zhanhe_building() -> TableFile:
    """湛河区's 在建 table for March 2021 with one project, whose owner is also on the 新建 table."""
    sheet = Sheet(TABLE3, year=ZHANHE_YEAR, attachment="附件3", title="湛河区 2021 年在建项目进展情况表")
    sheet.project({**ZHANHE_BUILDING, "seq": 1, "years": "2020-2022", "progress": "路基施工"})
    sheet.notes("注：本表由各责任单位填报。")
    return sheet.file("湛河区2021年3月在建项目进展情况表.xlsx", table=3, level="local", period="2021-03")


# A second 管委会 of 开平市 ----------------------------------------------------------------------------

# 开平市 has more than one 管委会 (翠山湖新区 on the city's list, an industrial park's in a later
# table): each is a unit of its own, whatever the tables imported before it.
KAIPING_PARK = {
    "name": "水口工业园区标准厂房建设项目",
    "industry": "先进制造业",
    "responsible": "开平市水口工业园区管委会",
    "owner": "开平市水口园区开发有限公司",
    "chief": "梁志华",
    "total": Decimal("26000.00"),
    "annual": Decimal("6000.00"),
    "amount": Decimal("500.00"),
    "ytd": Decimal("4200.00"),
    "cumulative": Decimal("9800.00"),
}


def kaiping_park() -> TableFile:
    """A later 开平市 table with one project of the 水口 industrial park's 管委会."""
    sheet = Sheet(TABLE3, year=KAIPING_YEAR, attachment="附件3", title="开平市2022年园区重点项目进展情况表")
    sheet.project({**KAIPING_PARK, "seq": 1, "years": "2022-2023", "progress": "主体施工"})
    sheet.notes("注：本表金额单位为万元。")
    return sheet.file("开平市2022年12月园区项目进展表.xlsx", table=3, level="local", period="2022-12")
