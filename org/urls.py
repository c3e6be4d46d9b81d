from django.urls import path

from org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/options/", views.unit_options, name="unit_options"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/toggle-active/", views.unit_toggle_active, name="unit_toggle_active"),
    path("units/<int:pk>/delete/", views.unit_delete, name="unit_delete"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("roles/", views.role_list, name="role_list"),
    path("people/", views.person_list, name="person_list"),
    path("people/options/", views.person_options, name="person_options"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_edit, name="person_edit"),
]
