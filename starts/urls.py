from django.urls import path

from starts import views

app_name = "starts"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_edit, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/delete/", views.event_delete, name="delete"),
]
