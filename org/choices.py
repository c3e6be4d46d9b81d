from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("政府")
    DEPARTMENT = "department", _("部门")
    TOWN = "town", _("乡镇/街道")
    OWNER = "owner", _("项目单位")


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("统筹协调（重点办）")
    LEADER = "leader", _("领导")
    UNIT = "unit", _("责任单位")
    OWNER = "owner", _("项目单位")
    INSPECTOR = "inspector", _("督查")
    ADMIN = "admin", _("系统管理员")


# Roles that read every project; of these, the ones that may also change them.
ROLES_SEEING_ALL = frozenset({Role.COORDINATOR, Role.LEADER, Role.INSPECTOR, Role.ADMIN})
ROLES_EDITING_ALL = frozenset({Role.COORDINATOR, Role.ADMIN})
ROLES_EDITING_OWN = frozenset({Role.UNIT, Role.OWNER})
# 督查督办权: who issues notices (督办通知单) and records site inspections.
SUPERVISOR_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN, Role.INSPECTOR})
