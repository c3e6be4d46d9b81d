from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/diff/", views.plan_diff, name="diff"),
    path("<int:pk>/adjust/", views.plan_adjust, name="adjust"),
    path("<int:pk>/entries/new/", views.entry_edit, name="entry_create"),
    path("<int:pk>/entries/<int:entry_pk>/", views.entry_edit, name="entry_edit"),
    path("<int:pk>/entries/<int:entry_pk>/delete/", views.entry_delete, name="entry_delete"),
]
