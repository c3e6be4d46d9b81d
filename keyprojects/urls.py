from django.urls import include, path

from figures.views import dashboard
from keyprojects.health import healthz

# The server error page needs neither the database nor the session (keyprojects.errors).
handler500 = "keyprojects.errors.server_error"

urlpatterns = [
    # The home page is the dashboard.
    path("", dashboard, name="home"),
    path("", include("org.auth_urls")),
    path("projects/", include("projects.urls")),
    path("plans/", include("plans.urls")),
    path("pipeline/", include("pipeline.urls")),
    path("starts/", include("starts.urls")),
    path("reviews/", include("reviews.urls")),
    path("financing/", include("financing.urls")),
    path("portfolios/", include("portfolios.urls")),
    path("elements/", include("elements.urls")),
    path("approvals/", include("approvals.urls")),
    path("reports/", include("progress.urls")),
    path("exchange/", include("exchange.urls")),
    path("dashboard/", include("figures.urls")),
    path("alerts/", include("alerts.urls")),
    path("notifications/", include("notifications.urls")),
    path("problems/", include("problems.urls")),
    path("meetings/", include("problems.meeting_urls")),
    path("supervision/", include("supervision.urls")),
    path("milestones/", include("milestones.urls")),
    path("assessment/", include("assessment.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("quality/", include("quality.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("service/", include("service.urls")),
    # The LED screen's links (大屏链接): kept by the coordinator; the screen itself opens without
    # signing in (org.menu.PUBLIC_PATH_PREFIXES).
    path("admin/screens/", include("kiosk.urls")),
    path("screen/", include("kiosk.screen_urls")),
    # 信息公开: open without signing in (org.menu.PUBLIC_PATH_PREFIXES).
    path("public/", include("disclosure.urls")),
    path("admin/org/", include("org.urls")),
    path("admin/dictionaries/", include("catalog.urls")),
    path("admin/logs/", include("audit.urls")),
    path("api/", include("keyprojects.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # For monitors and load balancers: no sign-in, no personal or business data.
    path("healthz", healthz, name="healthz"),
]
