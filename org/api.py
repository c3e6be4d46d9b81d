"""/api/units/ and /api/auth/token/: the unit tree and API tokens."""

from django.contrib.auth import authenticate, user_logged_in
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api import LoggedWritesMixin
from lib.api import CleanModelSerializer, ReadOnlyOrAdmin
from org.models import Unit


class UnitSerializer(CleanModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "parent",
            "parent_name",
            "path",
            "credit_code",
            "contact_name",
            "contact_phone",
            "sort_order",
            "is_active",
        ]


class UnitViewSet(LoggedWritesMixin, viewsets.ModelViewSet):
    """单位: the units a user can see (its own subtree, or all); changed by administrators only."""

    serializer_class = UnitSerializer
    permission_classes = [permissions.IsAuthenticated, ReadOnlyOrAdmin]
    filterset_fields = ["kind", "parent", "is_active"]
    ordering_fields = ["sort_order", "name", "path"]

    def get_queryset(self) -> QuerySet[Unit]:
        return Unit.objects.visible_to(self.request.user).select_related("parent")


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), write_only=True)
    password = serializers.CharField(
        label=_("密码"), write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(label=_("令牌"), read_only=True)


class ObtainTokenView(APIView):
    """An API token for a user name and password, under the same lockout as the login page."""

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="用户名或密码错误"),
            403: OpenApiResponse(description="须先修改初始密码"),
            429: OpenApiResponse(description="登录失败次数过多，已锁定"),
        },
        auth=[],
        summary="获取API令牌",
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # authenticate() with the request, so django-axes counts failures and refuses locked-out users.
        user = authenticate(request=request, **serializer.validated_data)
        if getattr(request, "axes_locked_out", False):
            return Response(
                {"detail": _("登录失败次数过多，账号已暂时锁定，请稍后再试。")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            raise exceptions.ValidationError({"non_field_errors": [_("用户名或密码错误。")]})
        if user.must_change_password:
            raise exceptions.PermissionDenied(_("请先在网页上修改初始密码，再申请令牌。"))
        # A token is a login: last login, the login log and axes' reset of failures follow from it.
        user_logged_in.send(sender=type(user), request=request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
