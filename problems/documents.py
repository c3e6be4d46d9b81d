"""Meeting minutes (会议纪要) as a Word document in the official layout."""

from django.conf import settings
from django.utils.translation import gettext as _

from lib import officedoc
from lib.officedoc import CENTER, SUBHEADING_FONT, chinese_date
from problems.models import Meeting

NUMERALS = "一二三四五六七八九十"


def ordinal(n: int) -> str:
    """（一）…（十）, then （11）…: the second-level numbering of official documents."""
    return f"（{NUMERALS[n - 1]}）" if n <= len(NUMERALS) else f"（{n}）"


def minutes_docx(meeting: Meeting) -> bytes:
    """会议纪要: when, who, what was on the agenda and every decided matter with its owner and deadline."""
    document = officedoc.new_document()
    officedoc.title(document, _("%(t)s纪要") % {"t": meeting.title})
    subtitle = _("%(y)s年第%(n)d次%(k)s") % {
        "y": meeting.date.year,
        "n": meeting.ordinal(),
        "k": meeting.get_kind_display(),
    }
    officedoc.paragraph(document, subtitle, SUBHEADING_FONT, align=CENTER, indent=False, space_after=12)

    chair = meeting.chair.get_full_name() if meeting.chair else ""
    opening = _(
        "%(d)s，%(c)s在%(p)s主持召开%(t)s，研究解决重点项目建设中的问题。现将会议议定事项纪要如下。"
    ) % {
        "d": chinese_date(meeting.date),
        "c": chair or _("会议主持人"),
        "p": meeting.place or _("会议室"),
        "t": meeting.title,
    }
    officedoc.paragraph(document, opening)
    names = [
        f"{user.get_full_name()}（{user.unit or ''}）" for user in meeting.attendees.select_related("unit")
    ]
    if meeting.other_attendees:
        names.append(meeting.other_attendees)
    if names:
        officedoc.labelled(document, _("参会人员："), "、".join(names))

    agenda = list(meeting.agenda.select_related("project"))
    section = 1
    if agenda:
        officedoc.heading(document, _("%(n)s、会议议题") % {"n": NUMERALS[section - 1]})
        for index, problem in enumerate(agenda, start=1):
            officedoc.paragraph(
                document,
                f"{ordinal(index)}{problem.project.name}：{' '.join(problem.description.split())}",
            )
        section += 1

    officedoc.heading(document, _("%(n)s、议定事项") % {"n": NUMERALS[section - 1]})
    matters = list(meeting.matters.select_related("owner_unit", "project"))
    for index, matter in enumerate(matters, start=1):
        project = f"{matter.project.name}：" if matter.project else ""
        officedoc.paragraph(
            document,
            _("%(o)s%(p)s%(c)s（牵头单位：%(u)s；办理时限：%(d)s）")
            % {
                "o": ordinal(index),
                "p": project,
                "c": matter.content,
                "u": matter.owner_unit.name,
                "d": chinese_date(matter.deadline),
            },
        )
    if not matters:
        officedoc.paragraph(document, _("本次会议未形成议定事项。"))
    section += 1

    if meeting.summary.strip():
        officedoc.heading(document, _("%(n)s、会议要求") % {"n": NUMERALS[section - 1]})
        officedoc.body(document, meeting.summary)

    office = meeting.created_by.unit.name if meeting.created_by and meeting.created_by.unit else ""
    officedoc.signature(document, office or settings.REGION_NAME, meeting.date)
    return officedoc.to_bytes(document)
