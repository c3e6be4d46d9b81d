from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_board, name="board"),
    path("rules/", views.rule_settings, name="rules"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/close/", views.alert_close, name="close"),
]
