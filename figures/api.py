"""/api/figures/: every figure of DOMAIN §9 for a month and a scope, within the user's data."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from figures.compute import compute
from figures.forms import ScopeForm
from figures.views import default_period
from lib.jsondata import plain
from lib.params import api_year, query_int

SCOPE_PARAMETERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="年度（默认为最近有已审核月报的月份所在年度）"),
    OpenApiParameter("month", OpenApiTypes.INT, description="截至月份 1–12（默认为最近有已审核月报的月份）"),
    OpenApiParameter("level", OpenApiTypes.STR, enum=["province", "city", "local"], description="计划级别"),
    OpenApiParameter("unit", OpenApiTypes.INT, description="责任单位ID（含下级单位）"),
    OpenApiParameter("town", OpenApiTypes.INT, description="乡镇/街道ID"),
    OpenApiParameter("category", OpenApiTypes.INT, description="项目类别ID"),
    OpenApiParameter("nature", OpenApiTypes.STR, enum=["government", "enterprise"], description="投资性质"),
    OpenApiParameter("min_total", OpenApiTypes.NUMBER, description="总投资不低于（万元），10000 即亿元以上"),
    OpenApiParameter("list", OpenApiTypes.INT, description="项目清单ID（关键项目、百个前期、存量资产等）"),
]


class FiguresViewSet(viewsets.ViewSet):
    """统计数据: the figures command's JSON (docs/figures.md), of the projects the user can see."""

    @extend_schema(parameters=SCOPE_PARAMETERS, responses=OpenApiTypes.OBJECT, summary="统计数据")
    def list(self, request: Request) -> Response:
        params = request.query_params
        if "year" in params or "month" in params:
            year = api_year(params)
            month = query_int(params, "month", 0, 1, 12)
            if not month:
                raise ValidationError({"month": [_("月份应为1到12之间的整数。")]})
        else:
            year, month = default_period(request.user, timezone.localdate())
        form = ScopeForm(params, user=request.user)
        if not form.is_valid():
            raise ValidationError(
                {name: [str(error) for error in errors] for name, errors in form.errors.items()}
            )
        return Response(plain(compute(year, month, form.scope())))
