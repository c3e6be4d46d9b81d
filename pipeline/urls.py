from django.urls import path

from pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_edit, name="create"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/delete/", views.entry_delete, name="delete"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("promote/", views.promote, name="promote"),
]
