"""Reaching one project from a request: 404 for what the user may not see."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from projects.models import Project


def get_project_for_user(request: HttpRequest, pk: int, write: bool = False) -> Project:
    """The project `pk` if the user may see it (and change it, with write=True).

    Another unit's project is a 404, exactly like one that does not exist; a project the user
    may read but not change is a 403.
    """
    visible = Project.objects.visible_to(request.user)  # type: ignore[arg-type]
    project = visible.with_list_relations().filter(pk=pk).first()
    if project is None:
        raise Http404(_("项目不存在或无权查看。"))
    if write and not Project.objects.editable_by(request.user).filter(pk=pk).exists():  # type: ignore[arg-type]
        raise PermissionDenied(_("您无权修改该项目。"))
    return project
