"""Reaching one row from a request: 404 for what the user may not see, 403 for what they may only read."""

from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from projects.models import Project

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from org.models import User

M = TypeVar("M", bound=Model)
M_co = TypeVar("M_co", bound=Model, covariant=True)


class ScopedRows(Protocol[M_co]):
    """A queryset with a data scope: ScopedQuerySet and the querysets that scope rows their own way."""

    @property
    def model(self) -> type[M_co]: ...

    def visible_to(self, user: "User | AnonymousUser") -> "QuerySet[M_co]": ...


class EditableRows(Protocol):
    """The manager of a model whose queryset says which rows a user may change."""

    def editable_by(self, user: "User | AnonymousUser") -> "QuerySet[Any]": ...


def get_for_user(
    request: HttpRequest,
    rows: ScopedRows[M],
    pk: Any,
    missing: str,
    *,
    write: bool = False,
    forbidden: str = "",
) -> M:
    """Row `pk` of a scoped queryset if the user may see it (and change it, with write=True).

    What is out of the user's sight is a 404, exactly like what does not exist; what the user
    may read but not change is a 403. `rows` carries the select_related the caller needs.
    """
    found = rows.visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(missing)
    # The stubs type a manager as Manager[M], without the methods it takes from its queryset.
    manager = cast(EditableRows, rows.model._default_manager)
    if write and not manager.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(forbidden)
    return found


def get_project_for_user(request: HttpRequest, pk: int, write: bool = False) -> Project:
    """The project `pk` if the user may see it (and change it, with write=True)."""
    return get_for_user(
        request,
        Project.objects.with_list_relations(),
        pk,
        _("项目不存在或无权查看。"),
        write=write,
        forbidden=_("您无权修改该项目。"),
    )
