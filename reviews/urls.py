from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_edit, name="create"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/edit/", views.round_edit, name="edit"),
    path("<int:pk>/delete/", views.round_delete, name="delete"),
    path("stops/<int:pk>/", views.stop_detail, name="stop"),
    path("stops/<int:pk>/edit/", views.stop_edit, name="stop_edit"),
    path("photos/<int:pk>/delete/", views.stop_photo_delete, name="photo_delete"),
    path("photos/<int:pk>/<str:kind>/", views.stop_photo, name="photo"),
]
