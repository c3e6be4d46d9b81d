"""How changes are said in the seeds: 同比增加6个, 同比增长12.3%, 审批效能提升84%."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def count_change(value: int | None) -> str:
    """A change in number: "增加6个", "减少2个", "持平"; empty when there is nothing to compare with."""
    if value is None:
        return ""
    if value > 0:
        return _("增加%(n)s个") % {"n": value}
    if value < 0:
        return _("减少%(n)s个") % {"n": -value}
    return _("持平")


@register.filter
def percent_change(value: Decimal | None) -> str:
    """同比: "增长12.3%", "减少4.0%"; empty when there is nothing to compare with."""
    if value is None:
        return ""
    if value >= 0:
        return _("增长%(p)s%%") % {"p": value}
    return _("减少%(p)s%%") % {"p": -value}


@register.filter
def efficiency_change(value: Decimal | None) -> str:
    """审批效能: "提升84.0%" when faster, "下降5.0%" when slower."""
    if value is None:
        return ""
    if value >= 0:
        return _("提升%(p)s%%") % {"p": value}
    return _("下降%(p)s%%") % {"p": -value}
