from django.urls import path

from portfolios import views

app_name = "portfolios"
urlpatterns = [
    path("", views.list_index, name="list"),
    path("new/", views.list_edit, name="create"),
    path("<int:pk>/", views.list_detail, name="detail"),
    path("<int:pk>/edit/", views.list_edit, name="edit"),
    path("<int:pk>/delete/", views.list_delete, name="delete"),
    path("<int:pk>/add/", views.items_add, name="add_items"),
    path("<int:pk>/items/<int:item_pk>/edit/", views.item_edit, name="item_edit"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
]
