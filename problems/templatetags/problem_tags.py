"""Template helpers other apps' pages use to link into the problem ledger."""

from django import template

from projects.models import Project

register = template.Library()


@register.simple_tag(takes_context=True)
def can_raise_problem(context: template.Context, project: Project) -> bool:
    """Whether the current user may raise a problem on `project` (whoever may change the project)."""
    user = context["request"].user
    return Project.objects.editable_by(user).filter(pk=project.pk).exists()
