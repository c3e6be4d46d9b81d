from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("logins/", views.login_log, name="login_log"),
    path("operations/", views.operation_log, name="operation_log"),
]
