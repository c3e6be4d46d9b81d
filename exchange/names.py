"""The names a table uses (units, people, dictionary values), each resolved once, whatever rows repeat it.

The resolve stage of an import. A name is known when it is an entry's exact name, a unit's short
name or a remembered alias (别名). Every other name is listed once, with the rows that use it,
candidates (rapidfuzz over normalised names: region prefixes dropped, the usual short forms of
department names expanded, brackets and spaces ignored) and a proposal: map it to the best
candidate, or create it. The user confirms or changes each proposal; nothing is written until the
import commits, when `Names.apply` creates what was decided and remembers each mapping as an alias.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from rapidfuzz import fuzz, process

from catalog.models import Category, IndustryField
from exchange.models import Alias, AliasKind
from exchange.reader import Issue, ParsedSheet
from org.choices import UnitKind
from org.models import Person, Unit, User

# Table columns that name something the system keeps a list of, and the list.
NAME_COLUMNS: dict[str, AliasKind] = {
    "responsible_unit": AliasKind.UNIT,
    "owner_unit": AliasKind.UNIT,
    "chief_officer": AliasKind.PERSON,
    "leader_in_charge": AliasKind.PERSON,
    "industry": AliasKind.INDUSTRY,
    "category": AliasKind.CATEGORY,
}
MAP, CREATE = "map", "create"
# A candidate this close (0–100) is proposed as the mapping; two this close to different entries
# with the same score are a choice for the user, never a guess.
MAP_SCORE = 85
# Companies one character apart (孟轲实业 / 孟轲置业) are different companies.
COMPANY_MAP_SCORE = 95
COMPANY_RE = re.compile(r"(公司|集团|厂|合作社)$")
CANDIDATE_SCORE = 55
CANDIDATES = 5
# Row numbers an unknown name lists; the count is always complete.
SHOWN_ROWS = 12

# How department names are shortened in everyday writing, and what they stand for.
SHORT_FORMS = {
    "住建局": "住房和城乡建设局",
    "住建委": "住房和城乡建设委员会",
    "发改局": "发展和改革局",
    "发改委": "发展和改革委员会",
    "城管局": "城市管理局",
    "城管执法局": "城市管理和综合执法局",
    "自规局": "自然资源和规划局",
    "自然资源局": "自然资源和规划局",
    "国土局": "自然资源和规划局",
    "规划局": "自然资源和规划局",
    "教体局": "教育和体育局",
    "教育局": "教育局",
    "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "人社局": "人力资源和社会保障局",
    "工信局": "工业和信息化局",
    "科技局": "科学技术局",
    "科工信局": "科技和工业信息化局",
    "文旅局": "文化广电旅游体育局",
    "文广旅局": "文化广电旅游局",
    "市场监管局": "市场监督管理局",
    "应急局": "应急管理局",
    "交通局": "交通运输局",
    "农业农村局": "农业农村局",
    "农水局": "农业农村和水利局",
    "水务局": "水务局",
    "生态环境局": "生态环境局",
    "环保局": "生态环境局",
    "商务局": "商务局",
    "财政局": "财政局",
    "民政局": "民政局",
    "督查局": "督查局",
    "重点办": "重点项目建设办公室",
    "管委会": "管理委员会",
}
BRACKETS = str.maketrans("", "", "()（）[]【】〔〕<>《》「」 \u3000")
# "广州市越秀区…", "河南省…", "湛河区…": a place name before a department's own name.
REGION_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}?(?:自治区|自治州|省|市|地区|区|县|旗)")
# Places that end in 区 without being a district: a 管委会 of a 新区 or 园区 is its own unit.
NOT_REGIONS = ("新区", "园区", "开发区", "工业区", "景区", "片区", "高新区", "保税区", "试验区")
TOWN_RE = re.compile(r"(街道|街道办事处|镇|乡)(人民政府)?$")
DEPARTMENT_RE = re.compile(r"(局|委|办|中心|委员会|办公室|指挥部|管委会|分局|政府)$")


def normalise_unit(name: str) -> str:
    """A unit's name as compared: half-width, no brackets or spaces, no region prefix, short forms expanded."""
    text = unicodedata.normalize("NFKC", name).translate(BRACKETS)
    for _ in range(3):
        match = REGION_RE.match(text)
        if not match or len(text) - match.end() < 2 or match.group().endswith(NOT_REGIONS):
            break
        text = text[match.end() :]
    if len(text) > 2 and text[0] in "省市区县":
        text = text[1:]
    text = text.removesuffix("办事处").removesuffix("人民政府") if TOWN_RE.search(text) else text
    for short, full in SHORT_FORMS.items():
        if text.endswith(short):
            return text[: -len(short)] + full
    return text


def normalise_text(name: str) -> str:
    return unicodedata.normalize("NFKC", name).translate(BRACKETS)


def clean_name(value: object) -> str:
    return " ".join(str(value or "").split())


def guess_unit_kind(column: str, name: str) -> str:
    """项目单位/建设单位 → owner unit; 街道/镇/乡 → town; 局/委/办/中心 → department."""
    if column == "owner_unit":
        return UnitKind.OWNER
    if TOWN_RE.search(name):
        return UnitKind.TOWN
    if DEPARTMENT_RE.search(name):
        return UnitKind.DEPARTMENT
    return UnitKind.OWNER if name.endswith(("公司", "集团", "厂")) else UnitKind.DEPARTMENT


@dataclass
class Candidate:
    id: int
    label: str
    score: float


@dataclass
class Unknown:
    """A name the system does not know, with the rows that use it and what to do about it."""

    kind: AliasKind
    name: str
    column: str
    rows: list[int] = field(default_factory=list)
    row_count: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    proposal: dict[str, Any] = field(default_factory=dict)
    decision: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.name}"

    @property
    def ambiguous(self) -> bool:
        """Two or more entries match equally well: the user chooses."""
        return not self.proposal

    @property
    def rows_text(self) -> str:
        shown = "、".join(str(row) for row in self.rows[:SHOWN_ROWS])
        more = f"等{self.row_count}行" if self.row_count > SHOWN_ROWS else "行"
        return f"第{shown}{more}"

    @property
    def kind_label(self) -> str:
        return str(AliasKind(self.kind).label)

    @property
    def chosen(self) -> dict[str, Any]:
        return self.decision or self.proposal

    def describe(self, decision: dict[str, Any], labels: dict[int, str]) -> str:
        """The decision in words, as the preview and the command line say it."""
        if decision.get("action") == MAP:
            return f"对应到“{labels.get(decision['target'], decision['target'])}”"
        if self.kind == AliasKind.UNIT:
            kind = UnitKind(decision.get("unit_kind", UnitKind.DEPARTMENT)).label
            parent = decision.get("parent") or ""
            parent_text = (
                (
                    parent.removeprefix("new:")
                    if str(parent).startswith("new:")
                    else labels.get(int(parent), "")
                )
                if parent
                else ""
            )
            return f"新建{kind}" + (f"（上级：{parent_text}）" if parent_text else "")
        return f"新建{self.kind_label}"


@dataclass
class Created:
    """What applying the decisions wrote: new entries by kind, and the aliases remembered."""

    units: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        parts = (
            ("单位", self.units),
            ("人员", self.people),
            ("行业领域", self.industries),
            ("项目类别", self.categories),
            ("别名", self.aliases),
        )
        return (
            [f"新建{what} {len(names)} 个：{'、'.join(names)}" for what, names in parts if names]
            if any(names for _what, names in parts)
            else []
        )


class Names:
    """The name columns of one parsed table, looked up against units, people, dictionaries and aliases."""

    def __init__(
        self,
        parsed: ParsedSheet,
        *,
        user: User | None,
        decisions: dict[str, dict[str, Any]] | None = None,
        accept_proposals: bool = False,
    ) -> None:
        self.parsed = parsed
        self.user = user
        self.decisions = decisions or {}
        self.accept_proposals = accept_proposals
        self.may_create = user is None or user.edits_everything
        self.unknown: list[Unknown] = []
        self.created = Created()
        self.labels: dict[str, dict[int, str]] = {}
        self.indexes: dict[str, dict[str, Any]] = {}
        self.governments: list[int] = []
        self.owner_parents: dict[str, str] = {}

    # Looking up ---------------------------------------------------------------------------------

    def scan(self) -> "Names":
        """Find each distinct value of the name columns, and every one the system does not know."""
        columns = [key for key in NAME_COLUMNS if key in self.parsed.columns]
        if not columns or not self.parsed.rows:
            return self
        positions = self.parsed.rows[0].positions
        uses: dict[tuple[str, str], list[int]] = defaultdict(list)
        first_column: dict[tuple[str, str], str] = {}
        # The responsible unit each owner unit is first seen with: a new owner unit's parent.
        for row in self.parsed.rows:
            for key in columns:
                position = positions.get(key)
                name = clean_name(row.cells[position]) if position is not None else ""
                if not name:
                    continue
                ident = (NAME_COLUMNS[key], name)
                uses[ident].append(row.number)
                first_column.setdefault(ident, key)
            owner = clean_name(row.get("owner_unit"))
            responsible = clean_name(row.get("responsible_unit"))
            if owner and responsible:
                self.owner_parents.setdefault(owner, responsible)
        by_kind: dict[str, list[str]] = defaultdict(list)
        for kind, name in uses:
            by_kind[kind].append(name)
        for kind, names in by_kind.items():
            index = self._index(AliasKind(kind))
            for name in sorted(names):
                if self._known(index, name) is not None:
                    continue
                rows = uses[(kind, name)]
                unknown = Unknown(
                    AliasKind(kind), name, first_column[(kind, name)], rows[:SHOWN_ROWS], len(rows)
                )
                self._propose(unknown, index)
                decision = self.decisions.get(unknown.key)
                if decision is not None and self._valid(unknown, decision):
                    unknown.decision = decision
                self.unknown.append(unknown)
        # In the order a person reading the table meets them.
        order = list(NAME_COLUMNS)
        self.unknown.sort(key=lambda u: (u.rows[0], order.index(u.column), u.name))
        self._parents_of_mapped()
        return self

    def _parents_of_mapped(self) -> None:
        """A new owner unit under a 责任单位 that is itself an unknown name mapped to a unit: under that unit."""
        mapped = {
            u.name: u.chosen["target"]
            for u in self.unknown
            if u.kind == AliasKind.UNIT and u.chosen.get("action") == MAP
        }
        for unknown in self.unknown:
            parent = str(unknown.proposal.get("parent") or "")
            if parent.startswith("new:") and parent[4:] in mapped:
                unknown.proposal["parent"] = str(mapped[parent[4:]])

    def _index(self, kind: AliasKind) -> dict[str, Any]:
        """Exact names, aliases and normalised names of one kind of entry, and their labels."""
        exact: dict[str, list[int]] = defaultdict(list)
        labels: dict[int, str] = {}
        normal: dict[str, list[int]] = defaultdict(list)
        if kind == AliasKind.UNIT:
            # Inactive units too: a unit's name is unique, so a name in use is never created again.
            rows = Unit.objects.values_list("id", "name", "short_name", "kind")
            self.unit_kinds = {pk: unit_kind for pk, _name, _short, unit_kind in rows}
            for pk, name, short, _kind in rows:
                labels[pk] = name
                exact[name].append(pk)
                normal[normalise_unit(name)].append(pk)
                if short:
                    exact[short].append(pk)
                    normal[normalise_unit(short)].append(pk)
            self.governments = [
                pk for pk, unit_kind in self.unit_kinds.items() if unit_kind == UnitKind.GOVERNMENT
            ]
        elif kind == AliasKind.PERSON:
            for pk, name, unit_name, post in Person.objects.filter(is_active=True).values_list(
                "id", "name", "unit__name", "post"
            ):
                where = " ".join(part for part in (unit_name, post) if part)
                labels[pk] = f"{name}（{where}）" if where else name
                exact[name].append(pk)
                normal[normalise_text(name)].append(pk)
        else:
            model = IndustryField if kind == AliasKind.INDUSTRY else Category
            for pk, name in model.objects.values_list("id", "name"):
                labels[pk] = name
                exact[name].append(pk)
                normal[normalise_text(name)].append(pk)
        aliases = dict(Alias.objects.filter(kind=kind).values_list("name", f"{kind}_id"))
        self.labels[kind] = labels
        self.indexes[kind] = {"exact": exact, "aliases": aliases, "normal": normal, "labels": labels}
        return self.indexes[kind]

    @staticmethod
    def _known(index: dict[str, Any], name: str) -> int | None:
        if name in index["aliases"]:
            return index["aliases"][name]
        ids = index["exact"].get(name, [])
        return ids[0] if len(set(ids)) == 1 else None

    def _propose(self, unknown: Unknown, index: dict[str, Any]) -> None:
        """Candidates best first, and the proposal: the one clear match, else a new entry."""
        normalise = normalise_unit if unknown.kind == AliasKind.UNIT else normalise_text
        query = normalise(unknown.name)
        normal: dict[str, list[int]] = index["normal"]
        scores: dict[int, float] = {}
        if unknown.kind != AliasKind.PERSON:
            for choice, score, _ in process.extract(
                query, list(normal), scorer=fuzz.ratio, limit=CANDIDATES * 2, score_cutoff=CANDIDATE_SCORE
            ):
                for pk in normal[choice]:
                    scores[pk] = max(scores.get(pk, 0), score)
        # Same name several times over (two people called 张伟): each is a candidate, none is chosen.
        for pk in set(index["exact"].get(unknown.name, [])) | set(normal.get(query, [])):
            scores[pk] = 100.0
        ranked = sorted(scores.items(), key=lambda item: (-item[1], index["labels"].get(item[0], "")))
        unknown.candidates = [
            Candidate(pk, index["labels"][pk], round(score, 1)) for pk, score in ranked[:CANDIDATES]
        ]
        best = unknown.candidates[0] if unknown.candidates else None
        needed = COMPANY_MAP_SCORE if COMPANY_RE.search(unknown.name) else MAP_SCORE
        if best is not None and best.score >= needed:
            tied = [c for c in unknown.candidates if c.score == best.score]
            unknown.proposal = {"action": MAP, "target": best.id} if len(tied) == 1 else {}
            return
        unknown.proposal = self._creation(unknown)

    def _creation(self, unknown: Unknown) -> dict[str, Any]:
        if unknown.kind != AliasKind.UNIT:
            return {"action": CREATE}
        unit_kind = guess_unit_kind(unknown.column, unknown.name)
        parent: str = ""
        if unit_kind == UnitKind.OWNER:
            responsible = self.owner_parents.get(unknown.name, "")
            if responsible:
                known = self._known(self.indexes[AliasKind.UNIT], responsible)
                parent = str(known) if known is not None else f"new:{responsible}"
        if not parent and len(self.governments) == 1:
            parent = str(self.governments[0])
        return {"action": CREATE, "unit_kind": unit_kind, "parent": parent}

    def _valid(self, unknown: Unknown, decision: dict[str, Any]) -> bool:
        """Whether a decision from a form or a stored batch still makes sense today."""
        action = decision.get("action")
        if action == MAP:
            return decision.get("target") in self.labels.get(unknown.kind, {})
        if action != CREATE:
            return False
        if unknown.kind != AliasKind.UNIT:
            return True
        if decision.get("unit_kind") not in UnitKind.values:
            return False
        parent = str(decision.get("parent") or "")
        return (
            not parent
            or parent.startswith("new:")
            or (parent.isdigit() and int(parent) in self.labels.get(AliasKind.UNIT, {}))
        )

    # What is still open ------------------------------------------------------------------------

    def decision_for(self, unknown: Unknown) -> dict[str, Any] | None:
        if unknown.decision is not None:
            return unknown.decision
        if self.accept_proposals and unknown.proposal:
            return unknown.proposal
        return None

    def issues(self) -> list[Issue]:
        """One error per name that has no decision: what it is, where it is used, what could be meant."""
        issues: list[Issue] = []
        for unknown in self.unknown:
            decision = self.decision_for(unknown)
            header = self.parsed.headers.get(unknown.column, "")
            if decision is None:
                if unknown.ambiguous:
                    names = "、".join(
                        f"“{c.label}”" for c in unknown.candidates if c.score == unknown.candidates[0].score
                    )
                    message = f"{unknown.kind_label}“{unknown.name}”有多个同样接近的对应：{names}，请指定（{unknown.rows_text}）"
                else:
                    message = f"{unknown.kind_label}“{unknown.name}”不存在（{unknown.rows_text}）"
                issues.append(Issue(None, header, message))
            elif decision["action"] == CREATE and not self.may_create:
                issues.append(
                    Issue(
                        None,
                        header,
                        f"{unknown.kind_label}“{unknown.name}”不存在，只有统筹协调部门可以新建（{unknown.rows_text}）",
                    )
                )
        return issues

    @property
    def unresolved(self) -> set[tuple[str, str]]:
        return {(u.kind, u.name) for u in self.unknown if self.decision_for(u) is None}

    @property
    def to_write(self) -> list[tuple[Unknown, dict[str, Any]]]:
        decided = [(u, self.decision_for(u)) for u in self.unknown]
        return [(u, d) for u, d in decided if d is not None]

    def summary(self) -> list[str]:
        """Each decided name in words: “越秀区住建局” → 对应到“广州市越秀区住房和城乡建设局”."""
        return [
            f"{u.kind_label}“{u.name}”：{u.describe(d, self.labels.get(u.kind, {}))}"
            for u, d in self.to_write
        ]

    # Writing ------------------------------------------------------------------------------------

    def apply(self) -> Created:
        """Create what was decided and remember each mapping as an alias. Runs in the import's transaction."""
        if self.issues():
            return self.created
        by_user = self.user if self.user is not None and self.user.is_authenticated else None
        pending = self.to_write
        decided = {u.name: d for u, d in pending if u.kind == AliasKind.UNIT}
        new_units: dict[str, Unit] = {}
        # Departments and towns first: a new owner unit may sit under one of them.
        for unknown, decision in sorted(
            (item for item in pending if item[0].kind == AliasKind.UNIT and item[1]["action"] == CREATE),
            key=lambda item: item[1].get("unit_kind") == UnitKind.OWNER,
        ):
            parent_text = str(decision.get("parent") or "")
            parent = None
            if parent_text.startswith("new:"):
                named = parent_text[4:]
                target = decided.get(named, {}).get("target")
                parent = new_units.get(named) or Unit.objects.filter(pk=target or 0).first()
            elif parent_text:
                parent = Unit.objects.filter(pk=int(parent_text)).first()
            unit = Unit(name=unknown.name[:100], kind=decision["unit_kind"], parent=parent)
            unit.save()
            new_units[unknown.name] = unit
            self.created.units.append(unknown.name)
        people = self._accounts(
            [u.name for u, d in pending if u.kind == AliasKind.PERSON and d["action"] == CREATE]
        )
        for unknown, decision in pending:
            if decision["action"] == MAP:
                target = f"{unknown.kind}_id"
                Alias.objects.create(
                    kind=unknown.kind,
                    name=unknown.name[:100],
                    created_by=by_user,
                    **{target: decision["target"]},
                )
                self.created.aliases.append(
                    f"{unknown.name}→{self.labels[unknown.kind].get(decision['target'], '')}"
                )
            elif unknown.kind == AliasKind.PERSON:
                account = people.get(unknown.name)
                Person.objects.create(
                    name=unknown.name[:40],
                    post=str(self.parsed.headers.get(unknown.column, ""))[:60],
                    user=account,
                    unit_id=account.unit_id if account is not None else None,
                    phone=account.phone if account is not None else "",
                )
                self.created.people.append(unknown.name)
            elif unknown.kind in (AliasKind.INDUSTRY, AliasKind.CATEGORY):
                model = IndustryField if unknown.kind == AliasKind.INDUSTRY else Category
                model.objects.create(
                    code=_new_code(model, unknown.kind), name=unknown.name[:60], sort_order=_next_order(model)
                )
                (
                    self.created.industries if unknown.kind == AliasKind.INDUSTRY else self.created.categories
                ).append(unknown.name)
        return self.created

    @staticmethod
    def _accounts(names: Iterable[str]) -> dict[str, User]:
        """Accounts that a new person is the owner of: one active account of exactly that name, not yet linked."""
        found: dict[str, list[User]] = defaultdict(list)
        for user in User.objects.filter(name__in=list(names), is_active=True, person__isnull=True):
            found[user.name].append(user)
        return {name: users[0] for name, users in found.items() if len(users) == 1}


def _new_code(model: Any, kind: str) -> str:
    """A code for a dictionary entry added by an import: "imported-<n>", never one in use."""
    taken = set(model.objects.filter(code__startswith="imported-").values_list("code", flat=True))
    number = len(taken) + 1
    while f"imported-{number}" in taken:
        number += 1
    return f"imported-{number}"


def _next_order(model: Any) -> int:
    return (model.objects.aggregate(top=Max("sort_order"))["top"] or 0) + 10
