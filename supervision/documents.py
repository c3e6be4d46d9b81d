"""The supervision notice (督办通知单) as a Word document in the official layout."""

from django.utils.translation import gettext as _

from lib import officedoc
from lib.officedoc import CENTER, chinese_date
from supervision.models import Notice


def notice_docx(notice: Notice) -> bytes:
    """督办通知单: title, 文号, 主送单位, the matters, 办理时限, 反馈要求, issuing office and date."""
    document = officedoc.new_document()
    officedoc.title(document, _("督办通知单"))
    officedoc.paragraph(document, notice.number, align=CENTER, indent=False, space_after=18)
    officedoc.paragraph(document, f"{notice.target_unit.name}：", indent=False)
    officedoc.paragraph(document, _("事由：%(t)s") % {"t": notice.title})

    officedoc.heading(document, _("一、督办事项"))
    officedoc.body(document, notice.content)
    projects = list(notice.projects.order_by("name_key", "name"))
    if projects:
        officedoc.labelled(document, _("涉及项目："), "、".join(project.name for project in projects))
    problems = list(notice.problems.select_related("project"))
    for index, problem in enumerate(problems, start=1):
        officedoc.paragraph(
            document,
            _("涉及问题%(n)d：%(p)s，%(d)s")
            % {"n": index, "p": problem.project.name, "d": " ".join(problem.description.split())},
        )

    officedoc.heading(document, _("二、办理时限"))
    officedoc.paragraph(document, _("请于%(d)s前办结。") % {"d": chinese_date(notice.deadline)})
    officedoc.heading(document, _("三、反馈要求"))
    officedoc.body(document, notice.reply_requirement)

    officedoc.signature(document, notice.issuing_office, notice.issued_on)
    return officedoc.to_bytes(document)
