from django.urls import path

from evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("cases/", views.case_list, name="cases"),
    path("new/<int:project_pk>/", views.evaluation_edit, name="create"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/edit/", views.evaluation_edit_existing, name="edit"),
    path("<int:pk>/delete/", views.evaluation_delete, name="delete"),
]
