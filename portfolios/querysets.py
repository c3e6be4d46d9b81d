"""Named project lists: what a user sees of them, and their totals."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from projects.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from org.models import User
    from portfolios.models import ListItem, ProjectList

ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)


class ProjectListQuerySet(models.QuerySet["ProjectList"]):
    def with_totals(self, user: "User | AnonymousUser") -> "ProjectListQuerySet":
        """Each list with the number, 总投资 and 资产价值 of its projects the user may see."""
        from portfolios.models import ListItem

        items = ListItem.objects.visible_to(user).filter(project_list_id=OuterRef("pk")).order_by()
        grouped = items.values("project_list_id")
        return self.annotate(
            project_count=Coalesce(Subquery(grouped.annotate(n=Count("id")).values("n")), 0),
            total_investment=Coalesce(
                Subquery(
                    grouped.annotate(t=Sum("project__total_investment")).values("t"), output_field=MONEY
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
            asset_value=Coalesce(
                Subquery(grouped.annotate(a=Sum("asset_value")).values("a"), output_field=MONEY),
                Value(ZERO),
                output_field=MONEY,
            ),
        )


class ListItemQuerySet(ScopedQuerySet["ListItem"]):
    scope_prefix = "project__"
    # A named list holds tens or hundreds of projects beside the registry's thousands.
    few_rows = True

    def totals(self) -> dict[str, Any]:
        """项目数、总投资、资产价值 of these items, in one query."""
        return self.aggregate(
            count=Count("id"),
            total_investment=Coalesce(Sum("project__total_investment"), Value(ZERO), output_field=MONEY),
            asset_value=Coalesce(Sum("asset_value"), Value(ZERO), output_field=MONEY),
        )

    def by_disposal(self) -> list[dict[str, Any]]:
        """盘活方式: the items of each disposal method, with their number and 资产价值."""
        return list(
            self.order_by("disposal_method")
            .values("disposal_method")
            .annotate(
                count=Count("id"),
                asset_value=Coalesce(Sum("asset_value"), Value(ZERO), output_field=MONEY),
                total_investment=Coalesce(Sum("project__total_investment"), Value(ZERO), output_field=MONEY),
            )
        )
