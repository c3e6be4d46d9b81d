from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "单位与用户"

    def ready(self) -> None:
        from org.models import Unit, forget_subtrees

        post_save.connect(forget_subtrees, sender=Unit, dispatch_uid="org.forget_subtrees_saved")
        post_delete.connect(forget_subtrees, sender=Unit, dispatch_uid="org.forget_subtrees_deleted")
