from django.urls import path

from milestones import views

app_name = "milestones"
urlpatterns = [
    path("", views.gantt, name="gantt"),
    path("project/<int:pk>/", views.project_milestones, name="project"),
    path("project/<int:pk>/new/", views.milestone_edit, name="create"),
    path("project/<int:pk>/apply/", views.apply_template, name="apply"),
    path("project/<int:pk>/<int:milestone_pk>/", views.milestone_edit, name="edit"),
    path("project/<int:pk>/<int:milestone_pk>/delete/", views.milestone_delete, name="delete"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_edit, name="template_create"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
]
