"""示范区演示数据: a deterministic demo district — units, people, projects, procedures and three-level plans.

Everything is drawn from one `random.Random(seed)` in a fixed order, so the same seed, year and
reference day give the same district. Rows are written with bulk_create; the few fixed units are
saved one by one so that their materialised paths are computed by Unit.save itself.
"""

import calendar
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from catalog.models import Category, IndustryField, ProcedureType
from demo.defaults import load_all
from lib.validators import CREDIT_CODE_CHARSET, credit_code_check_char
from org.choices import Role, UnitKind
from org.models import Person, Unit, User
from plans.choices import PlanKind, PlanLevel, PlanType
from plans.counting import recount
from plans.models import Plan, PlanEntry
from projects.choices import (
    ConstructionNature,
    InvestmentNature,
    ProcedureStatus,
    ProjectStatus,
    ReportFrequency,
)
from projects.models import Procedure, Project, ProjectStatusChange

DEMO_PASSWORD = "Demo#2026"
BATCH_SIZE = 2000
# The district's administrative division (GB/T 2260) used in project codes and credit codes,
# its city's, and the landline area code of its telephone numbers.
DIVISION = "410902"
CITY_DIVISION = "410900"
AREA_CODE = "0393"
# Centre of the demo district; most projects lie in a box of about 20 km around it.
CENTRE = (35.76, 115.03)
BOX = (0.09, 0.11)

T = TypeVar("T")


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: who it is and what to look at with it."""

    username: str
    role: str
    unit: str
    name: str
    try_this: str


GOVERNMENT = "示范区人民政府"
COORDINATOR_UNIT = "区发展和改革局"
INSPECTION_UNIT = "区委区政府督查局"
HOUSING_UNIT = "区住房和城乡建设局"
DEMO_TOWN = "城关街道办事处"
DEMO_OWNER = "示范区城市建设投资集团有限公司"

DEMO_ACCOUNTS = [
    DemoAccount(
        "admin", Role.ADMIN, COORDINATOR_UNIT, "韩立新",
        "单位 /admin/org/units/、用户 /admin/org/users/、字典 /admin/dictionaries/、日志 /admin/logs/operations/",
    ),
    DemoAccount(
        "coordinator", Role.COORDINATOR, COORDINATOR_UNIT, "周明远",
        "首页看板；项目库 /projects/ 筛选与导出；年度计划 /plans/ 及调整方案对比；报送情况 /reports/board/",
    ),
    DemoAccount("leader", Role.LEADER, GOVERNMENT, "李振华", "首页看板，全部项目和三级计划（只读），本人分包的项目"),
    DemoAccount("inspector", Role.INSPECTOR, INSPECTION_UNIT, "杜文斌", "全部项目（只读），手续办理和状态变更记录"),
    DemoAccount("unit_zjj", Role.UNIT, HOUSING_UNIT, "江海涛", "只看到住建局及所属城投、安居公司的项目"),
    DemoAccount("unit_town", Role.UNIT, DEMO_TOWN, "陈晓燕", "只看到城关街道及辖区企业的项目"),
    DemoAccount("owner", Role.OWNER, DEMO_OWNER, "王建军", "只看到城投集团的项目；月报填报 /reports/，手续办理"),
]  # fmt: skip

# (full name, short name, key, abbreviation in document numbers)
DEPARTMENTS = [
    (COORDINATOR_UNIT, "发改局", "drc", "示发改"),
    (INSPECTION_UNIT, "督查局", "inspection", "示督"),
    (HOUSING_UNIT, "住建局", "housing", "示住建"),
    ("区交通运输局", "交通运输局", "transport", "示交"),
    ("区教育局", "教育局", "education", "示教"),
    ("区卫生健康委员会", "卫健委", "health", "示卫健"),
    ("区自然资源局", "自然资源局", "land", "示自然资"),
    ("市生态环境局示范区分局", "生态环境分局", "ecology", "示环"),
    ("区水利局", "水利局", "water", "示水"),
    ("区工业和信息化局", "工信局", "industry", "示工信"),
    ("区商务局", "商务局", "commerce", "示商"),
    ("区文化广电和旅游局", "文广旅局", "culture", "示文旅"),
    ("区城市管理局", "城管局", "urban", "示城管"),
    ("区财政局", "财政局", "finance", "示财"),
    ("区农业农村局", "农业农村局", "agriculture", "示农"),
    ("区民政局", "民政局", "civil", "示民"),
    ("示范区产业集聚区管理委员会", "集聚区管委会", "park", "示集"),
]

# (full name, short name, kind word, centre offset in degrees (lat, lon))
TOWNS = [
    (DEMO_TOWN, "城关街道", "街道", (0.004, -0.006)),
    ("东城街道办事处", "东城街道", "街道", (0.012, 0.035)),
    ("西湖街道办事处", "西湖街道", "街道", (-0.006, -0.042)),
    ("南关街道办事处", "南关街道", "街道", (-0.031, 0.008)),
    ("滨河街道办事处", "滨河街道", "街道", (0.036, -0.021)),
    ("龙湖街道办事处", "龙湖街道", "街道", (-0.018, 0.061)),
    ("岳村镇人民政府", "岳村镇", "镇", (0.066, 0.052)),
    ("王助镇人民政府", "王助镇", "镇", (-0.064, -0.071)),
    ("孟轲乡人民政府", "孟轲乡", "乡", (0.058, -0.083)),
]

# How much of the district's construction each town sees: the old town centre the most.
TOWN_WEIGHTS = [3.0, 2.0, 2.0, 1.5, 1.5, 1.5, 1.0, 1.0, 1.0]

# State-owned and public owner units: (name, parent key, key, institution: 事业单位 rather than company)
PUBLIC_OWNERS = [
    (DEMO_OWNER, "housing", "uci", False),
    ("示范区交通建设投资有限公司", "transport", "tci", False),
    ("示范区水务投资有限公司", "water", "wci", False),
    ("示范区文化旅游投资集团有限公司", "culture", "cti", False),
    ("示范区产业发展投资集团有限公司", "park", "ici", False),
    ("示范区安居建设有限公司", "housing", "hci", False),
    ("示范区市政工程管理处", "urban", "mun", True),
    ("示范区农业发展投资有限公司", "agriculture", "aci", False),
    ("示范区人民医院", "health", "hospital", True),
    ("示范区第二人民医院", "health", "hospital", True),
    ("示范区中医院", "health", "hospital", True),
    ("示范区妇幼保健院", "health", "hospital", True),
    ("示范区疾病预防控制中心", "health", "hospital", True),
    ("示范区第一实验小学", "education", "school", True),
    ("示范区第二实验小学", "education", "school", True),
    ("示范区实验中学", "education", "school", True),
    ("示范区第一中学", "education", "school", True),
    ("示范区第三中学", "education", "school", True),
    ("示范区职业教育中心", "education", "school", True),
    ("示范区实验幼儿园", "education", "school", True),
    ("示范区教育发展服务中心", "education", "new_school", True),
    ("示范区文化馆", "culture", "venue", True),
    ("示范区社会福利服务中心", "civil", "welfare", True),
    ("示范区全民健身中心", "culture", "venue", True),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海燕鹏飞晓东文斌立新振宇博浩然子涵俊杰雪梅凤丹宁辉亮成林峰波斌健鑫欣怡佳琪梦瑶嘉懿雅婷思远"
LEADER_NAMES = [
    "李振华",
    "宁建平",
    "王续强",
    "金武军",
    "魏新跃",
    "马向阳",
    "张瑞甫",
    "连超然",
    "刘玉兴",
    "孙立群",
    "郑怀远",
]
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185", "186",
    "187", "188", "189", "191", "198", "199",
]  # fmt: skip

ROADS = [
    "建设", "人民", "胜利", "中原", "黄河", "长庆", "大庆", "任丘", "京开", "绿城", "振兴", "文化", "开州", "昆吾",
    "华龙", "历山", "龙乡", "站前", "石化", "濮水", "安康", "迎宾", "光明", "健康", "育才", "铁丘", "金堤", "孟轲",
    "岳村", "黄河东", "濮上", "丰收", "工业", "科技", "创业", "纬二", "纬五", "经三", "经七", "滨湖",
]  # fmt: skip
RIVERS = ["金堤河", "马颊河", "潴龙河", "濮水河", "顺河沟", "五星沟", "董楼沟"]
PLACES = ["金堤", "东湖", "新城", "站前", "老城", "南部新区", "北部新区", "开州", "濮上", "绿城", "中原"]
BRANDS = [
    "恒通", "华瑞", "中盛", "龙源", "鑫达", "金泰", "宏昌", "泰和", "豫丰", "天工", "瑞丰", "永安", "盛华", "中科",
    "联创", "汇通", "信达", "正阳", "博远", "嘉禾", "新元", "东方", "明德", "宇航", "同力", "凯盛", "远大", "长河",
    "润达", "聚能", "安泰", "华宇", "天润", "鼎盛", "绿源", "德润", "三和", "晨光", "佳美", "九鼎", "海川", "国泰",
    "万和", "天成", "福康", "亿通", "卓越", "恒瑞", "通宇", "银河", "金海", "华美", "昌达", "双龙", "宏达", "中兴",
]  # fmt: skip
# Trade of a private company → (industry code, word in its name, (product, annual outputs) it makes).
TRADES = [
    (
        "manufacturing",
        "新材料科技",
        [("新型环保材料", ["5万吨", "10万吨", "20万吨"]), ("高性能复合材料", ["1万吨", "3万吨"])],
    ),
    (
        "manufacturing",
        "智能装备制造",
        [("智能装备", ["500台（套）", "2000台（套）"]), ("工业机器人", ["1000台", "3000台"])],
    ),
    (
        "manufacturing",
        "汽车零部件",
        [("汽车零部件", ["50万件", "200万件"]), ("新能源汽车电机", ["10万台", "30万台"])],
    ),
    ("manufacturing", "精细化工", [("电子化学品", ["2万吨", "5万吨"]), ("环保涂料", ["3万吨", "10万吨"])]),
    (
        "manufacturing",
        "生物科技",
        [("生物医药中间体", ["500吨", "2000吨"]), ("医用敷料", ["1亿片", "3亿片"])],
    ),
    ("manufacturing", "食品", [("休闲食品", ["3万吨", "8万吨"]), ("预制菜", ["2万吨", "5万吨"])]),
    (
        "manufacturing",
        "羽绒制品",
        [("羽绒服装", ["100万件", "300万件"]), ("功能性面料", ["2000万米", "5000万米"])],
    ),
    ("digital", "电子科技", [("智能终端", ["100万台", "500万台"]), ("光电模组", ["1000万件", "3000万件"])]),
    ("digital", "信息技术", [("工业互联网平台", [""]), ("算力中心", [""])]),
    ("energy", "新能源科技", [("光伏组件", ["1GW", "2GW"]), ("储能电池", ["2GWh", "5GWh"])]),
    ("commerce", "供应链管理", [("冷链物流", [""]), ("仓储配送", [""])]),
    ("modern_services", "置业", [("商业综合体", [""]), ("总部经济大厦", [""])]),
    (
        "agriculture",
        "农业开发",
        [("农产品精深加工", ["5万吨", "10万吨"]), ("优质面粉", ["10万吨", "30万吨"])],
    ),
]
COMPANY_FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
PHASES = ["二期", "三期", "四期", "五期", "六期"]
SUSPEND_REASONS = [
    "施工许可证审批问题，暂停施工",
    "建设资金未及时到位，暂停施工",
    "征地拆迁未完成，暂停施工",
    "重污染天气管控，阶段性停工",
    "规划方案调整，暂缓实施",
]
CANCEL_REASONS = ["项目单位投资计划调整，终止实施", "选址调整，原项目终止", "与上级规划冲突，终止实施"]
TARGETS = {
    PlanType.NEW_START: [
        "{m}月开工，完成基础施工",
        "{m}月开工，主体结构完成30%",
        "{m}月开工，完成场地平整及桩基工程",
    ],
    PlanType.CONTINUING: [
        "主体结构封顶",
        "完成二次结构及安装工程",
        "完成主体工程80%",
        "完成设备安装调试",
        "完成年度形象进度",
    ],
    PlanType.COMPLETING: ["{m}月竣工验收", "{m}月建成投用", "{m}月完工并投入使用"],
    PlanType.PRELIMINARY: [
        "完成立项及可研批复",
        "完成用地、规划等前期手续，具备开工条件",
        "完成初步设计及概算审批",
    ],
}
# Procedure types: which department approves, how its document number reads, and what it is for.
PROCEDURE_DEPARTMENTS = {
    "approval": "drc",
    "land_pre": "land",
    "land": "land",
    "land_planning": "land",
    "works_planning": "land",
    "eia": "ecology",
    "construction_permit": "housing",
    "energy_review": "drc",
    "soil_water": "water",
}
PROCEDURE_DOCUMENTS = {
    "approval": "示发改投资〔{y}〕{n}号",
    "land_pre": "示自然资预〔{y}〕{n}号",
    "land": "示政土〔{y}〕{n}号",
    "land_planning": "地字第" + DIVISION + "{y}{n:05d}号",
    "works_planning": "建字第" + DIVISION + "{y}{n:05d}号",
    "eia": "示环审〔{y}〕{n}号",
    "construction_permit": DIVISION + "{y}{n:06d}0101",
    "energy_review": "示发改能审〔{y}〕{n}号",
    "soil_water": "示水保〔{y}〕{n}号",
}
NEW_LAND_TYPES = ("land_pre", "land", "land_planning")
# Kinds of works a street or town is often the responsible unit for.
TOWN_LED_INDUSTRIES = ("urban_renewal", "housing", "ecology")

# 2-digit industry codes of old-form project codes (national economic sector divisions).
CODE_INDUSTRY = {
    "manufacturing": ["26", "34", "36", "39"],
    "modern_services": ["70", "72"],
    "digital": ["64", "65"],
    "transport": ["48", "54"],
    "water": ["76"],
    "energy": ["44"],
    "municipal": ["78", "48"],
    "urban_renewal": ["47", "70"],
    "education": ["83"],
    "health": ["84"],
    "culture_tourism": ["87", "89"],
    "ecology": ["77"],
    "agriculture": ["01", "05"],
    "housing": ["70", "47"],
    "commerce": ["59", "51"],
}

# Size tiers of total investment in 万元 and how often they occur (DOMAIN §9's buckets).
TIERS = [
    (0.05, 100_000, 650_000),  # 10 亿元 and above: a few
    (0.17, 50_000, 100_000),  # 5–10 亿元: some
    (1.00, 500, 50_000),  # below 5 亿元: most
]


@dataclass(frozen=True)
class Template:
    """A kind of project: name patterns, what its content reads, who owns it and its usual size in 万元.

    Name placeholders: {owner} owner's short name, {place} a place in the project's town, {town} the
    town, {road} {road2} {road3} road names, {river}, {product} and {output} from the owner's trade,
    {facility} one of `facilities`, {year} the start year.
    """

    category: str
    industries: tuple[str, ...]
    names: tuple[str, ...]
    content: Callable[[random.Random], str]
    owner_keys: tuple[str, ...]
    span: tuple[int, int]
    nature: str = ConstructionNature.NEW
    weight: int = 1
    facilities: tuple[str, ...] = ()


def _area(r: random.Random, low: int, high: int) -> str:
    return f"{r.randint(low, high):,}".replace(",", "")


TEMPLATES = [
    # 产业项目
    Template(
        "industry", ("manufacturing",), ("{owner}年产{output}{product}项目", "{owner}{product}产业化项目"),
        lambda r: f"总占地{r.randint(30, 600)}亩，建设标准化厂房{r.randint(2, 30)}万平方米，"
        f"购置生产设备{r.randint(50, 600)}台（套）",
        ("company",), (2_000, 650_000), weight=6,
    ),
    Template(
        "industry", ("manufacturing", "digital"), ("{town}智能制造产业园", "{place}高端装备产业园"),
        lambda r: f"规划用地{r.randint(200, 1500)}亩，建设标准化厂房、研发中心及配套设施{r.randint(5, 60)}万平方米",
        ("ici", "company"), (20_000, 650_000), weight=2,
    ),
    Template(
        "industry", ("manufacturing",), ("{owner}{product}生产线技术改造项目", "{owner}智能化改造项目"),
        lambda r: f"利用现有厂房，新增{r.choice(['自动化', '智能化', '柔性', '数字化'])}生产线{r.randint(1, 6)}条，"
        f"购置设备{r.randint(20, 200)}台（套）",
        ("company",), (800, 80_000), ConstructionNature.RENOVATION, weight=3,
    ),
    Template(
        "industry", ("digital",), ("{place}数字经济产业园", "{owner}{product}项目"),
        lambda r: f"建设数据中心机房、研发办公楼及孵化载体{r.randint(3, 25)}万平方米，部署机柜{r.randint(500, 5000)}个",
        ("ici", "company"), (5_000, 300_000),
    ),
    Template(
        "industry", ("commerce",), ("{owner}冷链物流园项目", "{place}{facility}"),
        lambda r: f"建设冷库{r.randint(1, 10)}万吨、分拣中心及配送中心，总建筑面积{r.randint(2, 15)}万平方米",
        ("company",), (3_000, 120_000), weight=2, facilities=("商贸物流园", "农产品批发市场", "电商产业园"),
    ),
    Template(
        "industry", ("energy",), ("{owner}{mw}MW分布式光伏发电项目", "{owner}年产{output}{product}项目"),
        lambda r: f"建设光伏电站及配套储能{r.randint(5, 50)}MWh，接入{r.choice([10, 35, 110])}千伏电网",
        ("company",), (2_000, 120_000),
    ),
    Template(
        "industry", ("agriculture",), ("{town}现代农业产业园", "{owner}年产{output}{product}项目"),
        lambda r: f"建设高标准农田{r.randint(1, 5)}万亩、智能温室{r.randint(50, 300)}亩及农产品加工中心",
        ("aci", "company"), (1_000, 80_000),
    ),
    Template(
        "industry", ("modern_services",), ("{owner}{facility}项目",),
        lambda r: f"总建筑面积{r.randint(5, 30)}万平方米，建设商业、办公、酒店及地下停车场",
        ("company",), (10_000, 300_000), weight=2, facilities=("商业综合体", "总部经济大厦", "城市广场", "星级酒店"),
    ),
    Template(
        "industry", ("culture_tourism",), ("{river}文化旅游度假区", "{place}{facility}"),
        lambda r: f"建设游客服务中心、民宿集群、滨水景观带及配套道路，占地{r.randint(300, 3000)}亩",
        ("cti",), (10_000, 650_000), facilities=("历史文化街区", "研学旅游基地"),
    ),
    # 基础设施项目
    Template(
        "infrastructure", ("transport",), ("{road}改扩建工程", "{road}提升改造工程"),
        lambda r: f"道路全长{r.randint(8, 90) / 10}公里，红线宽度{r.choice([24, 30, 40, 50, 60])}米，"
        "建设道路、排水、照明、交通及绿化工程",
        ("tci", "uci"), (2_000, 150_000), ConstructionNature.EXPANSION, weight=4,
    ),
    Template(
        "infrastructure", ("transport",), ("{road}（{road2}至{road3}）新建工程",),
        lambda r: f"新建城市主干道{r.randint(10, 60) / 10}公里，双向{r.choice([4, 6, 8])}车道，配套雨污管网及照明",
        ("tci", "uci"), (3_000, 150_000), weight=3,
    ),
    Template(
        "infrastructure", ("water",), ("{river}综合治理工程", "{river}{town}段防洪治理工程"),
        lambda r: f"治理河道{r.randint(3, 40)}公里，实施清淤疏浚、护岸加固及生态修复",
        ("wci",), (2_000, 200_000), ConstructionNature.RENOVATION, weight=2,
    ),
    Template(
        "infrastructure", ("ecology",), ("{place}污水处理厂提标改造工程", "{town}农村生活污水治理工程"),
        lambda r: f"处理规模{r.choice([2, 3, 5, 8, 10])}万吨/日，出水提至地表水准Ⅳ类标准，配套管网{r.randint(5, 30)}公里",
        ("wci",), (1_500, 80_000), ConstructionNature.RENOVATION,
    ),
    Template(
        "infrastructure", ("urban_renewal",), ("城市更新微改造（{place}片区）", "{place}历史街区更新改造工程"),
        lambda r: f"改造老旧街巷{r.randint(5, 40)}条，提升立面、管线、绿化及公共空间",
        ("uci", "mun"), (1_000, 60_000), ConstructionNature.RENOVATION, weight=2,
    ),
    Template(
        "infrastructure", ("urban_renewal",), ("{year}年老旧小区改造工程（{town}）",),
        lambda r: f"改造老旧小区{r.randint(5, 40)}个、{r.randint(800, 9000)}户，实施管网、道路、加装电梯等改造",
        ("uci",), (1_000, 40_000), ConstructionNature.RENOVATION, weight=2,
    ),
    Template(
        "infrastructure", ("housing",), ("{place}{facility}建设项目",),
        lambda r: f"总建筑面积{r.randint(5, 40)}万平方米，建设住宅{r.randint(500, 4000)}套及配套设施",
        ("hci",), (5_000, 200_000), weight=2, facilities=("安置区", "保障性租赁住房", "城中村改造安置房"),
    ),
    Template(
        "infrastructure", ("municipal", "energy"), ("{place}{facility}",),
        lambda r: f"新建及改造管网{r.randint(5, 60)}公里，建设换热站{r.randint(2, 30)}座",
        ("uci", "mun"), (1_500, 100_000), ConstructionNature.RENOVATION, weight=2,
        facilities=("供热管网改造工程", "燃气管网改造工程", "综合管廊工程"),
    ),
    Template(
        "infrastructure", ("municipal",), ("{road}雨污分流改造工程",),
        lambda r: f"改造雨污管网{r.randint(3, 30)}公里，新建泵站{r.randint(1, 4)}座",
        ("mun", "uci"), (800, 30_000), ConstructionNature.RENOVATION, weight=2,
    ),
    Template(
        "infrastructure", ("ecology",), ("{place}{facility}建设项目",),
        lambda r: f"建设面积{r.randint(50, 1200)}亩，建设园路、绿化、水系及服务设施",
        ("uci", "cti"), (1_000, 80_000), weight=2, facilities=("湿地公园", "口袋公园", "生态廊道", "滨水绿道"),
    ),
    Template(
        "infrastructure", ("municipal",), ("{place}智慧停车场建设项目",),
        lambda r: f"建设停车泊位{r.randint(200, 3000)}个及充电桩{r.randint(20, 300)}个",
        ("uci", "tci"), (800, 30_000),
    ),
    # 社会事业项目
    Template(
        "social", ("health",), ("{owner}{facility}建设项目",),
        lambda r: f"总建筑面积{_area(r, 8000, 80000)}平方米，新增床位{r.randint(100, 800)}张",
        ("hospital",), (3_000, 120_000), weight=3, facilities=("综合楼", "门急诊医技楼", "康复楼", "传染病区", "住院楼"),
    ),
    Template(
        "social", ("education",), ("{owner}{facility}",),
        lambda r: f"总建筑面积{_area(r, 4000, 40000)}平方米，新增学位{r.randint(3, 30) * 90}个",
        ("school",), (800, 40_000), ConstructionNature.EXPANSION, weight=4,
        facilities=("扩建工程", "教学楼建设项目", "运动场改造工程", "综合楼建设项目"),
    ),
    Template(
        "social", ("education",), ("{place}{facility}新建工程",),
        lambda r: f"占地{r.randint(20, 150)}亩，建设教学楼、综合楼、运动场，办学规模{r.randint(12, 60)}个班",
        ("new_school",), (3_000, 50_000), weight=2, facilities=("小学", "初级中学", "幼儿园", "九年一贯制学校"),
    ),
    Template(
        "social", ("health",), ("{place}{facility}建设项目",),
        lambda r: f"总建筑面积{_area(r, 3000, 30000)}平方米，设置床位{r.randint(50, 500)}张",
        ("welfare",), (800, 30_000), weight=2, facilities=("养老服务中心", "医养结合中心", "儿童福利院"),
    ),
    Template(
        "social", ("culture_tourism",), ("示范区{facility}建设项目",),
        lambda r: f"总建筑面积{r.randint(1, 8)}万平方米，建设场馆主体及室外配套设施",
        ("venue", "cti"), (5_000, 120_000), facilities=("体育中心", "图书馆新馆", "博物馆", "文化艺术中心", "全民健身中心"),
    ),
]  # fmt: skip


@dataclass
class Owner:
    """An owner unit (项目单位) with what the generator needs to know about it."""

    unit: Unit
    key: str
    short: str
    trade: int = -1
    town: Unit | None = None


@dataclass
class Draft:
    """A project being generated, with the facts its history, procedures and plans derive from."""

    project: Project
    template: Template
    duration: int
    prelim_on: date
    created_on: date
    suspended_on: date | None = None
    suspended_from: str = ""
    resumed_on: date | None = None
    resume_break: date | None = None
    cancelled_on: date | None = None
    operating_on: date | None = None
    u_local: float = 0.0
    u_city: float = 0.0
    u_province: float = 0.0
    stuck: bool = False
    plan_rows: dict[int, tuple[str, Decimal, str, int | None, int | None]] = field(default_factory=dict)


def reference_day(year: int, today: date) -> date:
    """The last day the demo's facts reach: 31 December of a past year, else the end of last month."""
    if year < today.year:
        return date(year, 12, 31)
    return today.replace(day=1) - timedelta(days=1)


def same_day_in(year: int, day: date) -> date:
    """The same month and day in another year (29 February becomes the 28th)."""
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def org_code_check(body: str) -> str:
    """GB 11714 组织机构代码 check character of an 8-character body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch, 36) * w for ch, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


# The post a linked account's person holds in the directory.
POSTS: dict[str, str] = {Role.LEADER: "分包领导", Role.COORDINATOR: "首席服务员", Role.UNIT: "首席服务员"}


class DemoBuilder:
    """Builds the demo district into an empty registry: build() writes everything in one transaction."""

    def __init__(
        self, projects: int = 180, seed: int = 1, year: int | None = None, today: date | None = None
    ):
        today = today or timezone.localdate()
        self.count = projects
        self.seed = seed
        self.year = year or today.year
        self.as_of = reference_day(self.year, today)
        self.rng = random.Random(seed)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.counts: dict[str, int] = {}
        self.units: dict[str, Unit] = {}
        self.towns: list[Unit] = []
        self.town_short: dict[int, str] = {}
        self.town_centre: dict[int, tuple[float, float]] = {}
        self.owners: dict[str, list[Owner]] = {}
        self.pools: dict[tuple[str, bool, tuple[str, ...]], list[Owner]] = {}
        self.officers_by_unit: dict[int, list[User]] = {}
        self.contacts: dict[tuple[int | None, str], Person] = {}
        self.new_people: list[Person] = []
        self.person_of: dict[int, Person] = {}
        self.used_names: dict[str, int] = {}
        self.used_codes: set[str] = set()
        self.used_credit_codes: set[str] = set()
        self.doc_serials: dict[tuple[str, int], int] = {}

    # Small draws ---------------------------------------------------------------------------------

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def person(self) -> str:
        given = self.pick(GIVEN) + (self.pick(GIVEN) if self.chance(0.7) else "")
        return self.pick(SURNAMES) + given

    def contact(self, unit: Unit | None, name: str, phone: str, post: str) -> Person:
        """The person of `unit` called `name` in the directory (one per name and unit)."""
        key = (unit.pk if unit else None, name)
        person = self.contacts.get(key)
        if person is None:
            person = self.contacts[key] = Person(name=name, unit=unit, post=post, phone=phone)
            self.new_people.append(person)
        return person

    def mobile(self) -> str:
        return self.pick(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"{AREA_CODE}-{self.rng.randint(2, 8)}{self.rng.randrange(10**6):06d}"

    def day_between(self, start: date, end: date) -> date:
        """A day from start to end; end itself when the window is empty (end is the hard bound)."""
        if end <= start:
            return end
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def moment(self, day: date) -> datetime:
        return datetime.combine(
            day, clock(8 + self.rng.randrange(10), self.rng.randrange(60)), tzinfo=self.tz
        )

    def credit_code(self, kind: str) -> str:
        """统一社会信用代码 with a valid GB 11714 organisation code and GB 32100 check character."""
        prefix = {"organ": "11", "institution": "12", "company": "91"}[kind]
        while True:
            if kind == "company" and self.chance(0.6):
                body = "MA" + "".join(
                    self.pick(CREDIT_CODE_CHARSET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(6)
                )
            else:
                body = f"{self.rng.randrange(10**8):08d}"
            first17 = prefix + DIVISION + body + org_code_check(body)
            code = first17 + credit_code_check_char(first17)
            if code not in self.used_credit_codes:
                self.used_credit_codes.add(code)
                return code

    def document_number(self, type_code: str, year: int) -> str:
        key = (type_code, year)
        self.doc_serials[key] = self.doc_serials.get(key, self.rng.randint(3, 40)) + self.rng.randint(1, 3)
        return PROCEDURE_DOCUMENTS[type_code].format(y=year, n=self.doc_serials[key])

    def money(self, low: float, high: float) -> Decimal:
        """An amount in 万元, log-uniform between low and high, rounded the way tables show it."""
        value = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        roll = self.rng.random()
        if roll < 0.25 and value > 1000:
            return Decimal(round(value, -1)).quantize(Decimal("0.01"))
        if roll < 0.85:
            return Decimal(round(value)).quantize(Decimal("0.01"))
        return Decimal(f"{value:.2f}")

    # Units and people ----------------------------------------------------------------------------

    def unit(
        self, name: str, kind: str, parent: Unit | None, credit: str, short: str = "", order: int = 0
    ) -> Unit:
        unit = Unit(
            name=name,
            short_name=short,
            kind=kind,
            parent=parent,
            credit_code=self.credit_code(credit),
            contact_name=self.person(),
            contact_phone=self.landline() if kind != UnitKind.OWNER else self.mobile(),
            sort_order=order,
        )
        unit.save()
        return unit

    def build_units(self) -> None:
        gov = self.unit(GOVERNMENT, UnitKind.GOVERNMENT, None, "organ", "区政府")
        self.units["government"] = gov
        for order, (name, short, key, _abbr) in enumerate(DEPARTMENTS, start=1):
            self.units[key] = self.unit(name, UnitKind.DEPARTMENT, gov, "organ", short, order)
        for order, (name, short, _word, offset) in enumerate(TOWNS, start=100):
            town = self.unit(name, UnitKind.TOWN, gov, "organ", short, order)
            self.towns.append(town)
            self.town_short[town.pk] = short
            self.town_centre[town.pk] = (CENTRE[0] + offset[0], CENTRE[1] + offset[1])
        for order, (name, parent_key, key, institution) in enumerate(PUBLIC_OWNERS, start=200):
            unit = self.unit(
                name,
                UnitKind.OWNER,
                self.units[parent_key],
                "institution" if institution else "company",
                "",
                order,
            )
            # Institutions appear in project names in full ("示范区人民医院综合楼"), companies by brand.
            short = name if institution else name.removeprefix("示范区").removesuffix("有限公司")
            self.owners.setdefault(key, []).append(Owner(unit, key, short))
        # Town schools and clinics: public owners placed under the town they serve.
        for town, (_name, short, word, _offset) in zip(self.towns, TOWNS, strict=True):
            if word == "街道":
                continue
            for suffix, key in (("中心小学", "school"), ("卫生院", "hospital")):
                name = f"示范区{short}{suffix}"
                unit = self.unit(
                    name,
                    UnitKind.OWNER,
                    self.units["education" if key == "school" else "health"],
                    "institution",
                )
                self.owners.setdefault(key, []).append(Owner(unit, key, name, town=town))
        self.build_companies()

    def build_companies(self) -> None:
        """Private project owners, written in bulk; their paths are set by one UPDATE per parent."""
        wanted = max(24, min(self.count // 3, 2500))
        parents: list[tuple[Unit, Unit | None, float]] = [
            (town, town, 0.62 / len(self.towns)) for town in self.towns
        ]
        parents += [
            (self.units["park"], None, 0.24),
            (self.units["industry"], None, 0.08),
            (self.units["commerce"], None, 0.06),
        ]
        weights = [w for _p, _t, w in parents]
        names: set[str] = set()
        drafts: list[tuple[Unit, Owner]] = []
        attempts = 0
        while len(drafts) < wanted and attempts < wanted * 20:
            attempts += 1
            brand = self.pick(BRANDS)
            trade_index = self.rng.randrange(len(TRADES))
            region = self.pick(["河南", "河南", "", "示范区"])
            name = f"{region}{brand}{TRADES[trade_index][1]}{self.pick(COMPANY_FORMS)}"
            if name in names:
                continue
            names.add(name)
            parent, town, _w = self.rng.choices(parents, weights)[0]
            if not drafts:
                # The demo street's account needs at least one company under it.
                parent = town = self.towns[0]
            unit = Unit(
                name=name,
                kind=UnitKind.OWNER,
                parent=parent,
                credit_code=self.credit_code("company"),
                contact_name=self.person(),
                contact_phone=self.mobile(),
                sort_order=1000,
            )
            drafts.append((unit, Owner(unit, "company", brand, trade_index, town)))
        # Unit names are unique across the tree: keep the fixed ones out.
        taken = set(Unit.objects.values_list("name", flat=True))
        drafts = [d for d in drafts if d[0].name not in taken]
        Unit.objects.bulk_create([u for u, _o in drafts], batch_size=BATCH_SIZE)
        for parent_id in sorted({u.parent_id for u, _o in drafts if u.parent_id}):
            parent_path = Unit.objects.get(pk=parent_id).path
            Unit.objects.filter(parent_id=parent_id, path="").update(
                path=Concat(Value(parent_path), Cast("id", CharField()), Value("/"))
            )
        for _unit, owner in drafts:
            self.owners.setdefault("company", []).append(owner)
        self.counts["units"] = Unit.objects.count()

    def build_users(self) -> None:
        encoded = make_password(DEMO_PASSWORD)
        users: list[User] = []
        for account in DEMO_ACCOUNTS:
            unit = Unit.objects.get(name=account.unit)
            users.append(
                User(
                    username=account.username,
                    name=account.name,
                    role=account.role,
                    unit=unit,
                    phone=self.mobile(),
                    password=encoded,
                    is_staff=account.role == Role.ADMIN,
                )
            )
        # 分包领导: district leaders; the demo "leader" is the first of them.
        for i, name in enumerate(LEADER_NAMES[1:], start=2):
            users.append(
                User(username=f"leader{i:02d}", name=name, role=Role.LEADER, unit=self.units["government"],
                     phone=self.mobile(), password=encoded)
            )  # fmt: skip
        # 首席服务员: staff of the coordinator unit and of the departments that run projects.
        officer_units = ["drc"] * 5 + [
            "housing",
            "transport",
            "education",
            "health",
            "water",
            "park",
            "culture",
            "urban",
            "commerce",
        ]
        for i, key in enumerate(officer_units, start=1):
            role = Role.COORDINATOR if key == "drc" else Role.UNIT
            users.append(
                User(username=f"officer{i:02d}", name=self.person(), role=role, unit=self.units[key],
                     phone=self.mobile(), password=encoded)
            )  # fmt: skip
        for user in users:
            user.must_change_password = False
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
        self.coordinator = by_name["coordinator"]
        self.leaders = [by_name["leader"]] + [
            by_name[f"leader{i:02d}"] for i in range(2, len(LEADER_NAMES) + 1)
        ]
        self.officers = [by_name[f"officer{i:02d}"] for i in range(1, len(officer_units) + 1)]
        for officer in self.officers:
            self.officers_by_unit.setdefault(officer.unit_id, []).append(officer)  # type: ignore[arg-type]  # every officer has a unit
        self.drc_officers = self.officers_by_unit[self.units["drc"].pk]
        self.counts["users"] = len(users)
        # Leaders and officers in the people directory, linked to their accounts.
        staff = [*self.leaders, *self.officers]
        Person.objects.bulk_create(
            [
                Person(name=u.name, unit_id=u.unit_id, phone=u.phone, user=u, post=POSTS[u.role])
                for u in staff
            ],
            batch_size=BATCH_SIZE,
        )
        self.person_of = {
            p.user_id: p for p in Person.objects.filter(user__in=staff) if p.user_id is not None
        }

    # Project names -------------------------------------------------------------------------------

    def unique_name(self, name: str) -> str:
        seen = self.used_names.get(name, 0)
        self.used_names[name] = seen + 1
        if seen == 0:
            return name
        if seen <= len(PHASES):
            return f"{name}（{PHASES[seen - 1]}）"
        return f"{name}（{seen + 1}标段）"

    def road(self) -> str:
        return self.pick(ROADS) + self.pick(["路", "路", "路", "大道", "街"])

    def place(self, town: Unit | None) -> str:
        """A place name: the project's own town most of the time, else a district-wide area."""
        if town is not None and self.chance(0.6):
            return self.town_short[town.pk].removesuffix("街道")
        return self.pick(PLACES)

    def project_name(self, template: Template, owner: "Owner", town: Unit | None, start: int) -> str:
        trade = owner.trade
        if trade < 0 or TRADES[trade][0] not in template.industries:
            fitting = [i for i, t in enumerate(TRADES) if t[0] in template.industries]
            trade = self.pick(fitting) if fitting else 0
        product, outputs = self.pick(TRADES[trade][2])
        output = self.pick(outputs)
        pattern = self.pick(template.names)
        if "{output}" in pattern and not output:
            pattern = "{owner}{product}项目"
        name = pattern.format(
            owner=owner.short,
            place=self.place(town),
            town=self.town_short[town.pk] if town is not None else self.pick(PLACES),
            road=self.road(),
            road2=self.road(),
            road3=self.road(),
            river=self.pick(RIVERS),
            product=product,
            output=output,
            facility=self.pick(template.facilities) if template.facilities else "",
            year=start,
            mw=self.pick([10, 20, 50, 100]),
        )
        return self.unique_name(name)

    # Projects ------------------------------------------------------------------------------------

    def build_projects(self) -> list[Draft]:
        categories = {c.code: c for c in Category.objects.all()}
        industries = {i.code: i for i in IndustryField.objects.all()}
        drafts: list[Draft] = []
        # The first projects go to the demo owner and the demo street so that their accounts
        # have something to show however few projects are asked for.
        anchors = {0: "uci", 1: "uci", 2: "uci", 3: "town"}
        for i in range(self.count):
            roll = self.rng.random()
            _share, low, high = next(t for t in TIERS if roll < t[0])
            pool = [t for t in TEMPLATES if t.span[0] < high and t.span[1] > low]
            anchor = anchors.get(i)
            if anchor == "uci":
                pool = [t for t in pool if "uci" in t.owner_keys]
            elif anchor == "town":
                pool = [TEMPLATES[0]]
            template = self.rng.choices(pool, [t.weight for t in pool])[0]
            total = self.money(max(low, template.span[0]), min(high, template.span[1]))
            owner = self.choose_owner(template, anchor, total)
            drafts.append(self.project_draft(template, owner, total, categories, industries))
        Person.objects.bulk_create(self.new_people, batch_size=BATCH_SIZE)
        self.counts["people"] = len(self.new_people)
        Project.objects.bulk_create([d.project for d in drafts], batch_size=BATCH_SIZE)
        self.counts["projects"] = len(drafts)
        return drafts

    def choose_owner(self, template: Template, anchor: str | None, total: Decimal) -> Owner:
        if anchor == "uci":
            return self.owners["uci"][0]
        if anchor == "town":
            candidates = [o for o in self.owners["company"] if o.town and o.town.name == DEMO_TOWN]
            if candidates:
                return self.pick(candidates)
        key = self.pick(template.owner_keys)
        owners = self.owner_pool(key, total >= 20_000)
        if key == "company":
            # A company mostly builds what its trade is about.
            fitting = self.owner_pool(key, False, template.industries)
            if fitting and self.chance(0.85):
                return self.pick(fitting)
        return self.pick(owners)

    def owner_pool(self, key: str, large: bool, industries: tuple[str, ...] = ()) -> list[Owner]:
        """Owners of a kind, worked out once: those fit for a large project, or in given industries."""
        cache_key = (key, large, industries)
        if cache_key not in self.pools:
            owners = self.owners[key]
            if large:
                # Township schools and clinics do not build on that scale.
                owners = [o for o in owners if o.key == "company" or o.town is None] or owners
            if industries:
                owners = [o for o in owners if TRADES[o.trade][0] in industries]
            self.pools[cache_key] = owners
        return self.pools[cache_key]

    def project_draft(
        self,
        template: Template,
        owner: Owner,
        total: Decimal,
        categories: dict[str, Category],
        industries: dict[str, IndustryField],
    ) -> Draft:
        rng = self.rng
        y, as_of = self.year, self.as_of
        town = (
            owner.town
            if owner.town
            else (self.rng.choices(self.towns, TOWN_WEIGHTS)[0] if self.chance(0.9) else None)
        )
        industry = self.pick(template.industries)
        # Start year: most projects around the plan years, a tail of long-running older ones.
        start = (
            y + rng.choices([-8, -7, -6, -5, -4, -3, -2, -1, 0, 1], [1, 1, 1, 3, 5, 10, 17, 23, 25, 14])[0]
        )
        duration = rng.choices([1, 2, 3, 4], [22, 38, 28, 12])[0]
        if total >= 100_000:
            duration += 1
        if start <= y - 6:
            duration = max(duration, y - start - rng.choice([-1, 0, 1, 2]))
        end = start + duration - 1
        name = self.project_name(template, owner, town, start)
        start_month = rng.choices(range(1, 13), [2, 3, 9, 10, 9, 8, 7, 6, 6, 5, 3, 2])[0]
        planned_start = date(start, start_month, rng.randint(1, 28))
        completion_month = rng.randint(6, 12) if end > start else rng.randint(min(start_month + 2, 12), 12)
        planned_completion = date(end, completion_month, 28)
        if planned_completion <= planned_start:
            planned_completion = planned_start + timedelta(days=120)
            end = planned_completion.year

        status = ProjectStatus.PRELIMINARY
        actual_start = actual_completion = None
        draft = Draft(
            project=Project(),
            template=template,
            duration=end - start + 1,
            prelim_on=planned_start - timedelta(days=rng.randint(90, 420)),
            created_on=planned_start,
        )
        if planned_start <= as_of and self.chance(0.95 if start < y else 0.8):
            # Ahead of time by up to 20 days, but not into the year before: no plan of that year lists it.
            early = min(20, (planned_start - date(start, 1, 1)).days)
            actual_start = min(planned_start + timedelta(days=rng.randint(-early, 75)), as_of)
            status = ProjectStatus.CONSTRUCTION
            if planned_completion <= as_of and self.chance(0.85):
                earliest = actual_start + timedelta(days=90)
                actual_completion = min(
                    max(planned_completion + timedelta(days=rng.randint(-30, 90)), earliest), as_of
                )
                if actual_completion >= earliest:
                    status = ProjectStatus.COMPLETED
                    op_day = actual_completion + timedelta(days=rng.randint(30, 120))
                    if template.category == "industry" and op_day <= as_of and self.chance(0.7):
                        status = ProjectStatus.OPERATING
                        draft.operating_on = op_day
                else:
                    actual_completion = None
            if status == ProjectStatus.CONSTRUCTION and (as_of - actual_start).days > 60:
                if self.chance(0.05):
                    status = ProjectStatus.SUSPENDED
                    draft.suspended_from = ProjectStatus.CONSTRUCTION
                    draft.suspended_on = self.day_between(actual_start + timedelta(days=30), as_of)
                elif self.chance(0.04):
                    draft.resume_break = self.day_between(
                        actual_start + timedelta(days=20), as_of - timedelta(days=30)
                    )
                    draft.resumed_on = self.day_between(draft.resume_break + timedelta(days=10), as_of)
                elif self.chance(0.01):
                    status = ProjectStatus.CANCELLED
                    draft.cancelled_on = self.day_between(actual_start + timedelta(days=30), as_of)
        elif start > y and self.chance(0.55):
            status = ProjectStatus.RESERVE
        elif draft.prelim_on < as_of:
            if self.chance(0.04):
                status = ProjectStatus.SUSPENDED
                draft.suspended_from = ProjectStatus.PRELIMINARY
                draft.suspended_on = self.day_between(draft.prelim_on + timedelta(days=30), as_of)
            elif self.chance(0.02):
                status = ProjectStatus.CANCELLED
                draft.cancelled_on = self.day_between(draft.prelim_on + timedelta(days=30), as_of)
            draft.stuck = self.chance(0.12)
        planned_start, planned_completion = self.replanned(
            planned_start, planned_completion, actual_start, actual_completion
        )
        start, end = planned_start.year, planned_completion.year
        draft.duration = end - start + 1
        if draft.prelim_on > as_of and status != ProjectStatus.RESERVE:
            draft.prelim_on = as_of - timedelta(days=rng.randint(0, 60))
        if actual_start and draft.prelim_on >= actual_start:
            draft.prelim_on = actual_start - timedelta(days=rng.randint(60, 200))
        draft.created_on = min(draft.prelim_on - timedelta(days=rng.randint(0, 30)), as_of)

        # Project code: issued with the approval filing; two thirds of projects have one.
        has_code = self.chance({ProjectStatus.RESERVE: 0.1, ProjectStatus.PRELIMINARY: 0.6}.get(status, 0.85))
        if status == ProjectStatus.SUSPENDED and draft.suspended_from == ProjectStatus.PRELIMINARY:
            has_code = self.chance(0.6)
        investment_nature = (
            InvestmentNature.ENTERPRISE
            if template.category == "industry"
            and not (owner.key in ("ici", "aci", "cti") and self.chance(0.6))
            else InvestmentNature.GOVERNMENT
        )
        filed = min(draft.prelim_on, as_of)
        code = self.project_code(filed, start, industry, investment_nature, total) if has_code else ""

        responsible = owner.unit.parent
        # Streets and towns answer for the companies they attracted and for local works on their
        # ground (renewal, resettlement housing, sewage); departments for the rest.
        if town is not None and (
            (template.category == "industry" and owner.key == "company" and self.chance(0.3))
            or (template.industries[0] in TOWN_LED_INDUSTRIES and self.chance(0.45))
        ):
            responsible = town
        lat = lon = None
        if self.chance(0.88):
            centre = self.town_centre[town.pk] if town is not None else CENTRE
            lat = min(max(rng.gauss(centre[0], 0.018), CENTRE[0] - BOX[0]), CENTRE[0] + BOX[0])
            lon = min(max(rng.gauss(centre[1], 0.022), CENTRE[1] - BOX[1]), CENTRE[1] + BOX[1])
        where = self.town_short[town.pk] if town is not None else "示范区"
        address = self.pick(
            [f"{where}{self.road()}与{self.road()}交叉口{self.pick(['东北角', '西北角', '东南角', '西南角'])}",
             f"{where}{self.place(None)}片区", f"{where}{self.road()}{rng.randint(1, 300)}号"]
        )  # fmt: skip

        government = investment_nature == InvestmentNature.GOVERNMENT
        started = actual_start is not None
        responsible_officers = self.officers_by_unit.get(responsible.pk, []) if responsible else []
        chief = (
            self.pick(responsible_officers)
            if responsible_officers and self.chance(0.5)
            else self.pick(self.drc_officers)
        )
        big = total >= 50_000
        leader = None
        if self.chance(0.95 if big else 0.65):
            # The district head leads the largest projects; deputies share the rest.
            leader = self.leaders[0] if total >= 100_000 and self.chance(0.5) else self.pick(self.leaders)
        project = draft.project
        project.code = code
        project.name = name
        project.industry = industries[industry]
        project.category = categories[template.category]
        project.investment_nature = investment_nature
        project.construction_nature = template.nature
        project.content = template.content(rng)
        project.address = address
        project.town = town
        project.latitude = Decimal(f"{lat:.6f}") if lat is not None else None
        project.longitude = Decimal(f"{lon:.6f}") if lon is not None else None
        project.build_years = f"{start}-{end}" if end > start else str(start)
        project.start_year, project.end_year = start, end
        project.planned_start_date = planned_start
        project.planned_completion_date = planned_completion
        project.actual_start_date = actual_start
        project.actual_completion_date = actual_completion
        project.total_investment = total
        project.signing_status = (
            self.pick(["已签订投资协议", "已签约，项目公司已注册", "已签约", "正在洽谈，已签订框架协议"])
            if template.category == "industry" and not government
            else ""
        )
        project.demolition_progress = (
            self.pick(
                ["无需拆迁", "已完成拆迁", f"已完成拆迁{rng.randint(5, 9)}0%", "拆迁方案已批复，正在入户调查"]
            )
            if template.category == "infrastructure" and template.nature != ConstructionNature.RENOVATION
            else ""
        )
        project.responsible_unit = responsible
        project.owner_unit = owner.unit
        project.leader_in_charge = self.person_of[leader.pk] if leader else None
        project.chief_officer = self.person_of[chief.pk]
        name = self.person()
        project.responsible_person = self.contact(
            responsible, name, self.mobile() if self.chance(0.8) else self.landline(), "责任人"
        )
        name = self.person()
        project.owner_contact = self.contact(owner.unit, name, self.mobile(), "联系人")
        project.green_channel = self.chance(0.3 if big else 0.12)
        project.is_ppp = government and template.category == "infrastructure" and self.chance(0.06)
        project.has_special_bond = government and template.category != "industry" and self.chance(0.2)
        project.in_statistics = started and total >= 500 and self.chance(0.93)
        project.is_public = status not in (ProjectStatus.RESERVE, ProjectStatus.CANCELLED) and self.chance(
            0.7
        )
        # Some projects under construction are watched more closely (seed 002: 半月报, even 周报).
        project.report_frequency = ReportFrequency.MONTHLY
        if status == ProjectStatus.CONSTRUCTION and self.chance(0.1):
            project.report_frequency = self.pick(
                [ReportFrequency.HALF_MONTHLY] * 3 + [ReportFrequency.TEN_DAILY, ReportFrequency.WEEKLY]
            )
        project.status = status
        project.status_reason = ""
        if status == ProjectStatus.SUSPENDED:
            project.status_reason = self.pick(SUSPEND_REASONS)
        elif status == ProjectStatus.CANCELLED:
            project.status_reason = self.pick(CANCEL_REASONS)
        project.created_by = self.coordinator
        project.created_at = self.moment(draft.created_on)
        # Plan membership is drawn once, so a project stays on the same lists from year to year.
        draft.u_local, draft.u_city, draft.u_province = rng.random(), rng.random(), rng.random()
        return draft

    def replanned(
        self,
        planned_start: date,
        planned_completion: date,
        actual_start: date | None,
        actual_completion: date | None,
    ) -> tuple[date, date]:
        """调整计划开竣工时间: the planned dates of a project that slipped past a year, as put back.

        Not started by the end of its planned start year: planned to start this year, completion put
        back as many years. Completed in a later year than planned: planned to complete in that month.
        Unfinished after its planned completion year: planned to complete this year. Every year's plan
        then lists the project by the dates it has now (plans.models.entry_date_warnings).
        """
        y = self.year
        if actual_start is None and planned_start.year < y:
            years = y - planned_start.year
            planned_start = same_day_in(y, planned_start)
            planned_completion = same_day_in(planned_completion.year + years, planned_completion)
        if actual_completion is not None:
            if actual_completion.year > planned_completion.year:
                planned_completion = date(actual_completion.year, actual_completion.month, 28)
        elif planned_completion.year < y:
            planned_completion = same_day_in(y, planned_completion)
        return planned_start, planned_completion

    def project_code(self, filed: date, start: int, industry: str, nature: str, total: Decimal) -> str:
        """项目代码: old form (year) for projects filed up to 2020, new form (YYMM) afterwards."""
        division = CITY_DIVISION if total >= 100_000 and self.chance(0.4) else DIVISION
        kind = "01" if nature == InvestmentNature.GOVERNMENT else self.pick(["03", "03", "03", "02"])
        while True:
            if start <= 2020 or filed.year <= 2020:
                year = min(max(filed.year, 2015), 2020)
                code = f"{year}-{division}-{self.pick(CODE_INDUSTRY[industry])}-{kind}-{self.rng.randrange(1, 10**6):06d}"
                if self.chance(0.2):
                    code += "-000"
            else:
                serial = f"{self.rng.randrange(1, 10**5):05d}"
                check = sum((i + 2) * int(d) for i, d in enumerate(serial)) % 10
                department = self.pick(["04", "04", "05", "02"])
                code = f"{filed:%y%m}-{division}-{department}-{kind}-{serial}{check}"
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    # Status history --------------------------------------------------------------------------------

    def build_history(self, drafts: list[Draft]) -> None:
        def changes() -> Iterator[ProjectStatusChange]:
            for d in drafts:
                yield from self.history_of(d)

        total = 0
        for chunk in batched(changes(), BATCH_SIZE):
            ProjectStatusChange.objects.bulk_create(chunk, batch_size=BATCH_SIZE)
            total += len(chunk)
        self.counts["status_changes"] = total

    def history_of(self, d: Draft) -> Iterator[ProjectStatusChange]:
        p = d.project
        by = [self.coordinator.pk, p.chief_officer.user_id if p.chief_officer else self.coordinator.pk]

        def step(old: str, new: str, on: date, reason: str = "") -> ProjectStatusChange:
            return ProjectStatusChange(
                project_id=p.pk, from_status=old, to_status=new, reason=reason, effective_date=on,
                changed_by_id=self.pick(by), changed_at=self.moment(on),
            )  # fmt: skip

        if p.status == ProjectStatus.RESERVE:
            return
        yield step(ProjectStatus.RESERVE, ProjectStatus.PRELIMINARY, d.prelim_on)
        if d.suspended_from == ProjectStatus.PRELIMINARY and d.suspended_on:
            yield step(ProjectStatus.PRELIMINARY, ProjectStatus.SUSPENDED, d.suspended_on, p.status_reason)
            return
        if p.actual_start_date is None:
            if d.cancelled_on:
                yield step(
                    ProjectStatus.PRELIMINARY, ProjectStatus.CANCELLED, d.cancelled_on, p.status_reason
                )
            return
        yield step(ProjectStatus.PRELIMINARY, ProjectStatus.CONSTRUCTION, p.actual_start_date)
        if d.resume_break and d.resumed_on:
            yield step(
                ProjectStatus.CONSTRUCTION,
                ProjectStatus.SUSPENDED,
                d.resume_break,
                self.pick(SUSPEND_REASONS),
            )
            yield step(ProjectStatus.SUSPENDED, ProjectStatus.CONSTRUCTION, d.resumed_on)
        if d.suspended_on:
            yield step(ProjectStatus.CONSTRUCTION, ProjectStatus.SUSPENDED, d.suspended_on, p.status_reason)
        if d.cancelled_on:
            yield step(ProjectStatus.CONSTRUCTION, ProjectStatus.CANCELLED, d.cancelled_on, p.status_reason)
        if p.actual_completion_date:
            yield step(ProjectStatus.CONSTRUCTION, ProjectStatus.COMPLETED, p.actual_completion_date)
        if d.operating_on:
            yield step(ProjectStatus.COMPLETED, ProjectStatus.OPERATING, d.operating_on)

    # Procedures ------------------------------------------------------------------------------------

    def build_procedures(self, drafts: list[Draft]) -> None:
        types = {t.code: t for t in ProcedureType.objects.all()}
        self.departments = {code: self.units[key] for code, key in PROCEDURE_DEPARTMENTS.items()}
        # The approval catalogue names the same departments (审批事项目录: N个部门、M个事项).
        for code, unit in self.departments.items():
            ProcedureType.objects.filter(code=code, department__isnull=True).update(department=unit)

        def rows() -> Iterator[Procedure]:
            for d in drafts:
                yield from self.procedures_of(d, types)

        total = 0
        for chunk in batched(rows(), BATCH_SIZE):
            Procedure.objects.bulk_create(chunk, batch_size=BATCH_SIZE)
            total += len(chunk)
        self.counts["procedures"] = total

    def procedure_codes(self, d: Draft) -> list[str]:
        codes = [
            "approval",
            "land_pre",
            "land",
            "land_planning",
            "works_planning",
            "eia",
            "construction_permit",
        ]
        if d.template.category == "industry":
            codes.insert(1, "energy_review")
        if (
            d.template.industries[0] in ("water", "ecology", "transport")
            or d.project.total_investment >= 50_000
        ):
            codes.append("soil_water")
        return codes

    def procedures_of(self, d: Draft, types: dict[str, ProcedureType]) -> Iterator[Procedure]:
        p = d.project
        rng = self.rng
        codes = [c for c in self.procedure_codes(d) if c in types]
        not_needed = {
            c for c in codes if c in NEW_LAND_TYPES and p.construction_nature == ConstructionNature.RENOVATION
        }
        if self.chance(0.3):
            not_needed.add("eia")  # 环评登记表 projects need no approval
        green = p.green_channel

        def days(code: str) -> int:
            limit = types[code].time_limit_days or 20
            factor = rng.uniform(0.15, 0.5) if green else rng.uniform(0.3, 1.1)
            return max(1, round(limit * factor))

        def row(
            code: str, status: str, submitted: date | None = None, approved: date | None = None
        ) -> Procedure:
            done = status == ProcedureStatus.DONE
            return Procedure(
                project_id=p.pk,
                type_id=types[code].pk,
                status=status,
                submitted_on=submitted,
                approved_on=approved,
                document_number=self.document_number(code, approved.year) if done and approved else "",
                department_id=self.departments[code].pk if status != ProcedureStatus.NOT_NEEDED else None,
                green_channel=green and status != ProcedureStatus.NOT_NEEDED,
                note="不涉及新增用地" if status == ProcedureStatus.NOT_NEEDED and code in NEW_LAND_TYPES
                else "填报环境影响登记表，无需审批" if status == ProcedureStatus.NOT_NEEDED else "",
            )  # fmt: skip

        if p.status == ProjectStatus.RESERVE:
            if d.prelim_on <= self.as_of and self.chance(0.3):
                yield row("approval", ProcedureStatus.IN_PROGRESS, d.prelim_on)
            else:
                yield row("approval", ProcedureStatus.NOT_STARTED)
            return
        needed = [c for c in codes if c not in not_needed]
        for code in codes:
            if code in not_needed:
                yield row(code, ProcedureStatus.NOT_NEEDED)
        if p.actual_start_date is not None:
            # Started: every procedure was approved before the start, worked out backwards from it.
            approved = p.actual_start_date - timedelta(days=rng.randint(0, 20))
            for code in reversed(needed):
                submitted = approved - timedelta(days=days(code))
                yield row(code, ProcedureStatus.DONE, submitted, approved)
                approved = submitted - timedelta(days=rng.randint(0, 15))
                # The preliminary stage began no later than the first filing.
                d.prelim_on = min(d.prelim_on, submitted)
            return
        # Not started: procedures run forwards from the preliminary stage until the reference day
        # (or the day the project was suspended or cancelled); the rest have not started.
        stop = d.suspended_on or d.cancelled_on or self.as_of
        submitted = d.prelim_on
        running = True
        for code in needed:
            if not running or submitted > stop:
                yield row(code, ProcedureStatus.NOT_STARTED)
                running = False
                continue
            approved = submitted + timedelta(days=days(code) * (4 if d.stuck else 1))
            if approved <= stop:
                yield row(code, ProcedureStatus.DONE, submitted, approved)
                submitted = approved + timedelta(days=rng.randint(0, 20))
            else:
                yield row(code, ProcedureStatus.IN_PROGRESS, submitted)
                running = False

    # Plans -----------------------------------------------------------------------------------------

    def plan_row(self, d: Draft, t: int) -> tuple[str, Decimal, str, int | None, int | None] | None:
        """The entry a project would have in year t's plans: type, 年度计划投资, target, months."""
        p = d.project
        rng = self.rng
        if d.cancelled_on and d.cancelled_on.year < t:
            return None
        if p.actual_completion_date and p.actual_completion_date.year < t:
            return None
        start, end, total = p.start_year or t, p.end_year or t, p.total_investment
        started_year = p.actual_start_date.year if p.actual_start_date else None
        start_month = completion_month = None
        if started_year is not None and started_year < t:
            if end <= t or (p.actual_completion_date and p.actual_completion_date.year == t):
                kind = PlanType.COMPLETING
                due = p.planned_completion_date
                completion_month = due.month if due and due.year == t else rng.randint(6, 12)
                share = rng.uniform(0.12, 0.35)
            else:
                kind = PlanType.CONTINUING
                share = min(rng.uniform(0.8, 1.3) / max(d.duration, 1), 0.6)
        elif started_year == t or start == t:
            # Planned to start this year, or started this year a little after its planned start late
            # last year (replanned() has put back the dates of projects that slipped further).
            kind = PlanType.NEW_START
            due = p.planned_start_date if start == t else p.actual_start_date
            start_month = due.month if due else rng.randint(3, 9)
            share = rng.uniform(0.6, 0.95) if d.duration <= 1 else rng.uniform(0.6, 1.0) / d.duration
            if end == t:
                completion_month = max(
                    start_month, p.planned_completion_date.month if p.planned_completion_date else 12
                )
        elif start == t + 1 and rng.random() < 0.6:
            kind = PlanType.PRELIMINARY
            share = 0.0 if rng.random() < 0.3 else rng.uniform(0.005, 0.04)
        else:
            return None
        amount = Decimal(round(float(total) * share)).quantize(Decimal("0.01"))
        amount = min(amount, total)
        target = self.pick(TARGETS[kind]).format(m=start_month or completion_month or 12)
        return kind, amount, target, start_month, completion_month

    def build_plans(self, drafts: list[Draft]) -> None:
        years = [self.year - 2, self.year - 1, self.year]
        # City and province lists favour the large projects (DOMAIN §3).
        city_p = [(100_000, 0.95), (50_000, 0.8), (10_000, 0.5), (0, 0.25)]
        province_p = [(100_000, 0.8), (50_000, 0.35), (10_000, 0.05), (0, 0.0)]

        def share(table: list[tuple[int, float]], total: Decimal) -> float:
            return next(p for low, p in table if total >= low)

        members: dict[tuple[int, str], list[Draft]] = {
            (t, lvl): [] for t in years for lvl in PlanLevel.values
        }
        for d in drafts:
            for t in years:
                row = self.plan_row(d, t)
                if row is None:
                    continue
                d.plan_rows[t] = row
                if d.u_local < 0.9:
                    members[(t, PlanLevel.LOCAL)].append(d)
                    if d.u_city < share(city_p, d.project.total_investment):
                        members[(t, PlanLevel.CITY)].append(d)
                        if d.u_province < share(province_p, d.project.total_investment) / share(
                            city_p, d.project.total_investment
                        ):
                            members[(t, PlanLevel.PROVINCE)].append(d)
        titles = {
            PlanLevel.LOCAL: ("{y}年示范区重点建设项目计划", "示政〔{y}〕{n}号"),
            PlanLevel.CITY: ("{y}年市重点建设项目计划（示范区）", "市政〔{y}〕{n}号"),
            PlanLevel.PROVINCE: ("{y}年省重点建设项目计划（示范区）", "省发改重点〔{y}〕{n}号"),
        }
        plans: dict[tuple[int, str], Plan] = {}
        total_entries = 0
        for t in years:
            for level in (PlanLevel.PROVINCE, PlanLevel.CITY, PlanLevel.LOCAL):
                title, number = titles[level]
                issued = min(date(t, self.rng.randint(2, 3), self.rng.randint(1, 28)), self.as_of)
                plan = Plan.objects.create(
                    year=t, level=level, version=1, kind=PlanKind.INITIAL, title=title.format(y=t),
                    document_number=number.format(y=t, n=self.rng.randint(2, 30)), issued_on=issued,
                    created_by=self.coordinator, created_at=self.moment(issued),
                )  # fmt: skip
                plans[(t, level)] = plan
                entries = (self.entry(plan, d, d.plan_rows[t]) for d in members[(t, level)])
                for chunk in batched(entries, BATCH_SIZE):
                    PlanEntry.objects.bulk_create(chunk, batch_size=BATCH_SIZE)
                    total_entries += len(chunk)
        total_entries += self.adjust_local_plan(plans[(self.year, PlanLevel.LOCAL)], drafts, members)
        for t in years:
            recount(t)  # the entries went in by bulk_create
        self.counts["plans"] = Plan.objects.count()
        self.counts["plan_entries"] = total_entries

    def entry(
        self, plan: Plan, d: Draft, row: tuple[str, Decimal, str, int | None, int | None], note: str = ""
    ) -> PlanEntry:
        kind, amount, target, start_month, completion_month = row
        return PlanEntry(
            plan=plan, project_id=d.project.pk, plan_type=kind, annual_investment=amount, target=target,
            planned_start_month=start_month, planned_completion_month=completion_month, note=note,
        )  # fmt: skip

    def adjust_local_plan(
        self, plan: Plan, drafts: list[Draft], members: dict[tuple[int, str], list[Draft]]
    ) -> int:
        """调整方案 of this year's local plan: a few entries changed, added and removed."""
        y = self.year
        issued = min(date(y, 7, self.rng.randint(10, 28)), self.as_of)
        adjusted = plan.adjust(
            by=self.coordinator,
            note="根据项目推进情况，调整部分项目年度计划投资，调入具备条件的项目，调出终止及暂缓实施的项目。",
        )
        Plan.objects.filter(pk=adjusted.pk).update(
            issued_on=issued,
            document_number=f"示政〔{y}〕{self.rng.randint(31, 60)}号",
            created_at=self.moment(issued),
        )
        listed = members[(y, PlanLevel.LOCAL)]
        listed_ids = {d.project.pk for d in listed}
        few = max(3, min(len(listed) // 50, 400))
        # Removed: projects cancelled this year, and a few preliminary ones put off.
        removed = [d.project.pk for d in listed if d.cancelled_on and d.cancelled_on.year == y]
        prelim = [
            d.project.pk
            for d in listed
            if d.plan_rows[y][0] == PlanType.PRELIMINARY and d.project.pk not in removed
        ]
        removed += self.rng.sample(prelim, min(few // 2, len(prelim)))
        for chunk in batched(removed, 500):
            PlanEntry.objects.filter(plan=adjusted, project_id__in=chunk).delete()
        # Changed: 年度计划投资 raised or cut, suspended projects cut by half.
        removed_set = set(removed)
        candidates = [d for d in listed if d.project.pk not in removed_set]
        chosen = [d for d in candidates if d.project.status == ProjectStatus.SUSPENDED]
        chosen += self.rng.sample(candidates, min(few * 2, len(candidates)))
        changes: dict[int, Decimal] = {}
        for d in chosen:
            old = d.plan_rows[y][1]
            factor = (
                0.5
                if d.project.status == ProjectStatus.SUSPENDED
                else self.rng.choice([0.6, 0.7, 0.8, 1.2, 1.3, 1.5])
            )
            new = min(
                Decimal(round(float(old) * factor)).quantize(Decimal("0.01")), d.project.total_investment
            )
            if new != old:
                changes[d.project.pk] = new
        to_update = list(PlanEntry.objects.filter(plan=adjusted, project_id__in=list(changes)[:5000]))
        for e in to_update:
            e.note = f"年度计划投资由{e.annual_investment}万元调整为{changes[e.project_id]}万元"
            e.annual_investment = changes[e.project_id]
        PlanEntry.objects.bulk_update(to_update, ["annual_investment", "note"], batch_size=500)
        # Added: projects ready this year that the initial plan left out.
        outside = [d for d in drafts if y in d.plan_rows and d.project.pk not in listed_ids]
        added = self.rng.sample(outside, min(few, len(outside)))
        PlanEntry.objects.bulk_create(
            [self.entry(adjusted, d, d.plan_rows[y], "调整方案新增") for d in added], batch_size=BATCH_SIZE
        )
        return PlanEntry.objects.filter(plan=adjusted).count()

    # Whole build -----------------------------------------------------------------------------------

    def build(self, log: Callable[[str], Any] | None = None) -> dict[str, int]:
        started = time.perf_counter()

        def stage(label: str, work: Callable[[], Any]) -> Any:
            began = time.perf_counter()
            result = work()
            if log:
                log(f"  {label}: {time.perf_counter() - began:.1f} s")
            return result

        with transaction.atomic():
            load_all()
            stage("单位 units", self.build_units)
            stage("用户 users", self.build_users)
            drafts = stage("项目 projects", self.build_projects)
            stage("手续 procedures", lambda: self.build_procedures(drafts))
            stage("状态变更 status changes", lambda: self.build_history(drafts))
            stage("年度计划 plans", lambda: self.build_plans(drafts))
        self.counts["seconds"] = round(time.perf_counter() - started)
        return self.counts


# Records of the other modules, removed before the projects and units: some protect the units they
# name (议定事项, 督办通知单, 谋划项目, 要素需求) and meetings and review rounds outlive the projects.
# Children first; what hangs off these rows goes with them.
DEMO_RECORDS = [
    "alerts.AlertEvent",
    "alerts.Alert",
    "problems.Matter",
    "problems.Meeting",
    "problems.Problem",
    "supervision.Notice",
    "supervision.Inspection",
    "milestones.Milestone",
    "pipeline.ReviewRound",
    "pipeline.PipelineEntry",
    "starts.StartEvent",
    "reviews.Round",
    "financing.MatchEvent",
    "financing.FinancingNeed",
    "elements.FundingRecord",
    "elements.ElementNeed",
    "evaluation.Evaluation",
    "service.ServiceRecord",
    "service.TeamMember",
    "kiosk.ScreenLink",
    "portfolios.ListItem",
    "portfolios.ProjectList",
]


def flush_demo() -> dict[str, int]:
    """Delete the registry: the other modules' records, plans, projects (with what hangs off them), units
    and non-superuser accounts.

    Dictionaries and superusers stay, so a flushed database can be seeded again.
    """
    counts: dict[str, int] = {"records": 0}
    with transaction.atomic():
        for label in DEMO_RECORDS:
            app_label, model = label.split(".")
            if apps.is_installed(app_label):
                counts["records"] += apps.get_model(app_label, model).objects.all().delete()[0]
        counts["plan_entries"] = PlanEntry.objects.all().delete()[0]
        counts["plans"] = Plan.objects.all().delete()[0]
        Procedure.objects.all().delete()
        ProjectStatusChange.objects.all().delete()
        counts["projects"] = Project.objects.all().delete()[0]
        counts["people"] = Person.objects.all().delete()[0]
        User.objects.filter(is_superuser=True).update(unit=None)
        counts["users"] = User.objects.filter(is_superuser=False).delete()[0]
        # The approval items stay, without the demo's departments; the next seed names them again.
        ProcedureType.objects.filter(department__in=Unit.objects.all()).update(department=None)
        # Children before parents: the tree is protected against deleting a unit that has children.
        units = list(Unit.objects.order_by("-path").values_list("pk", "path"))
        for depth in sorted({path.count("/") for _pk, path in units}, reverse=True):
            Unit.objects.filter(pk__in=[pk for pk, path in units if path.count("/") == depth]).delete()
        counts["units"] = len(units)
    return counts
