from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("rankings/", views.rankings, name="rankings"),
    path("", views.assessment, name="scores"),
    path("indicators/", views.indicators, name="indicators"),
]
