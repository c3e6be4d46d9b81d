from django.urls import path

from approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.efficiency, name="efficiency"),
    path("overdue/", views.overdue, name="overdue"),
]
