from django.urls import path

from bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_create, name="create"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/edit/", views.bulletin_edit, name="edit"),
    path("<int:pk>/redraft/", views.bulletin_redraft, name="redraft"),
    path("<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("<int:pk>/file.<str:fmt>", views.bulletin_file, name="file"),
]
