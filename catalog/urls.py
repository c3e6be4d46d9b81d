from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.item_list, name="item_list"),
    path("<slug:slug>/new/", views.item_create, name="item_create"),
    path("<slug:slug>/<int:pk>/", views.item_edit, name="item_edit"),
    path("<slug:slug>/<int:pk>/toggle-active/", views.item_toggle_active, name="item_toggle_active"),
    path("<slug:slug>/<int:pk>/delete/", views.item_delete, name="item_delete"),
]
