"""Template helpers other apps' pages use to link into the problem ledger."""

from django import template

from problems.querysets import raisable_projects
from projects.models import Project

register = template.Library()


@register.simple_tag(takes_context=True)
def can_raise_problem(context: template.Context, project: Project) -> bool:
    """Whether the current user may raise a problem on `project` (whoever may change the project)."""
    return raisable_projects(context["request"].user).filter(pk=project.pk).exists()
