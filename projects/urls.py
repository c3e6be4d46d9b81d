from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("options/", views.project_options, name="options"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/status/", views.project_status, name="status"),
    path("<int:pk>/procedures/new/", views.procedure_edit, name="procedure_create"),
    path("<int:pk>/procedures/<int:procedure_pk>/", views.procedure_edit, name="procedure_edit"),
    path("<int:pk>/procedures/<int:procedure_pk>/delete/", views.procedure_delete, name="procedure_delete"),
]
