from django.urls import include, path

urlpatterns = [
    path("", include("org.urls")),
    path("projects/", include("projects.urls")),
    path("plans/", include("plans.urls")),
    path("admin/", include("catalog.urls")),
    path("logs/", include("audit.urls")),
    path("api/", include("keyprojects.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
