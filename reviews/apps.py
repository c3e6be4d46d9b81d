from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "观摩点评"

    def ready(self) -> None:
        from figures import registry
        from projects import page
        from reviews import views
        from reviews.figures import figures_section

        registry.register("reviews", figures_section)
        page.register_tab(
            page.Tab("reviews", _("观摩点评"), "reviews/includes/project_reviews.html", 78, views.project_tab)
        )
