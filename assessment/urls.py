from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("rankings/", views.rankings, name="rankings"),
    path("", views.assessment, name="scores"),
    path("indicators/", views.indicators, name="indicators"),
    path("tables/", views.tables, name="tables"),
    path("tables/record/", views.record_submission, name="record_submission"),
    path("tables/<int:pk>/undo/", views.undo_submission, name="undo_submission"),
]
