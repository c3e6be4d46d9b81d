"""政银企对接: who sees which needs and events, each need's state and signed amount, and the sums."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Case, Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from financing.choices import NeedState
from lib.numbers import percent, quantize
from projects.querysets import ScopedQuerySet, project_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from financing.models import FinancingNeed, MatchEvent, Signing
    from org.models import User

ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)


def money_sum(name: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(name, filter=condition), Value(ZERO), output_field=MONEY)


class FinancingNeedQuerySet(ScopedQuerySet["FinancingNeed"]):
    scope_prefix = "project__"
    # A need for a twelfth of the projects: the list walks its order's index, each need asking
    # whether its project is the user's, rather than listing a department's 20,000 projects first.
    few_rows = True

    def with_outcome(self, as_of: date | None = None) -> "FinancingNeedQuerySet":
        """Each need with `signed` (签约金额, by `as_of` when given), `bank_count` and its `state`:
        已签约 with a signing, else 已终止 when closed, else 已推介 once recommended at an event,
        else 待对接."""
        from financing.models import MatchEvent, Signing

        signings = Signing.objects.filter(need_id=OuterRef("pk"))
        promoted = MatchEvent.needs.through.objects.filter(financingneed_id=OuterRef("pk"))
        if as_of is not None:
            signings = signings.filter(signed_on__lte=as_of)
        total = signings.order_by().values("need_id").annotate(t=Sum("amount")).values("t")
        banks = signings.order_by().values("need_id").annotate(n=Count("bank", distinct=True)).values("n")
        return self.annotate(
            signed=Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY),
            bank_count=Coalesce(Subquery(banks), Value(0)),
            state=Case(
                When(Exists(signings), then=Value(NeedState.SIGNED.value)),
                When(closed=True, then=Value(NeedState.CLOSED.value)),
                When(Exists(promoted), then=Value(NeedState.PROMOTED.value)),
                default=Value(NeedState.WAITING.value),
            ),
        )

    def totals(self, as_of: date | None = None) -> dict[str, Any]:
        """融资需求 n 个、金额 x 万元，已签约 m 个、签约金额 y 万元，签约率 (签约金额 / 需求金额)."""
        from financing.models import Signing

        row = self.aggregate(needs=Count("id"), sought=money_sum("amount"))
        signings = Signing.objects.filter(need__in=self.order_by().values("pk"))
        if as_of is not None:
            signings = signings.filter(signed_on__lte=as_of)
        signed = signings.aggregate(
            needs=Count("need", distinct=True), amount=money_sum("amount"), banks=Count("bank", distinct=True)
        )
        return {
            "needs": row["needs"],
            "sought": quantize(row["sought"]),
            "signed_needs": signed["needs"],
            "signed": quantize(signed["amount"]),
            "banks": signed["banks"],
            "signing_rate": percent(signed["amount"], row["sought"]),
        }


class MatchEventQuerySet(models.QuerySet["MatchEvent"]):
    def visible_to(self, user: "User | AnonymousUser") -> "MatchEventQuerySet":
        """Everyone who sees all projects sees every event; others, the events that recommended a need
        of theirs. Each event asks whether one did: joined to its needs and made distinct, an event
        came once for every need of the user's, and the totals (with_totals()) were worked out for
        each of them before the duplicates went (a town's 对接活动 at 100,000 projects, 4 s)."""
        if project_scope(user) is None:
            return self
        from financing.models import FinancingNeed

        return self.filter(Exists(FinancingNeed.objects.visible_to(user).filter(events=OuterRef("pk"))))

    def with_totals(self, user: "User | AnonymousUser") -> "MatchEventQuerySet":
        """Each event with the number and amount of the needs it recommended, and what was signed at
        it, counting the needs the user may see."""
        from financing.models import FinancingNeed, Signing

        needs = FinancingNeed.objects.visible_to(user).filter(events=OuterRef("pk")).order_by()
        count = needs.values("events").annotate(n=Count("id")).values("n")
        sought = needs.values("events").annotate(t=Sum("amount")).values("t")
        signings = Signing.objects.visible_to(user).filter(event=OuterRef("pk")).order_by()
        signed = signings.values("event").annotate(t=Sum("amount")).values("t")
        return self.annotate(
            need_count=Coalesce(Subquery(count), Value(0)),
            sought=Coalesce(Subquery(sought, output_field=MONEY), Value(ZERO), output_field=MONEY),
            signed=Coalesce(Subquery(signed, output_field=MONEY), Value(ZERO), output_field=MONEY),
        )


class SigningQuerySet(ScopedQuerySet["Signing"]):
    scope_prefix = "need__project__"

    def by_bank(self) -> list[dict[str, Any]]:
        """签约 by bank: needs signed, amount, largest first."""
        rows = list(
            self.order_by()
            .values("bank_id", "bank__name")
            .annotate(needs=Count("need", distinct=True), amount=money_sum("amount"))
            .order_by("-amount", "bank__name")
        )
        return [{**row, "amount": quantize(row["amount"])} for row in rows]
