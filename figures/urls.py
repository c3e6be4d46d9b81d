from django.urls import path

from figures import views

app_name = "figures"
urlpatterns = [
    path("data/<slug:chart>.xlsx", views.chart_data, name="chart_data"),
]
