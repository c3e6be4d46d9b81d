from django.urls import path

from disclosure import views

app_name = "disclosure"
urlpatterns = [
    path("", views.index, name="index"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("photos/<int:pk>.jpg", views.photo, name="photo"),
    path("oc4ids.json", views.oc4ids, name="oc4ids"),
]
