from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = "项目谋划"

    def ready(self) -> None:
        from figures import registry
        from pipeline.figures import figures_section

        registry.register("pipeline", figures_section)
