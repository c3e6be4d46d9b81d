from django.apps import AppConfig
from django.db.models.signals import post_save


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "排名与考核"

    def ready(self) -> None:
        from assessment.submissions import on_import_saved
        from exchange.models import ImportBatch

        # A unit's committed import of 附件1–3 is its submission of the table (表格报送).
        post_save.connect(on_import_saved, sender=ImportBatch, dispatch_uid="assessment_table_submission")
