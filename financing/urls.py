from django.urls import path

from financing import views

app_name = "financing"
urlpatterns = [
    path("", views.need_list, name="needs"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:need_pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:need_pk>/delete/", views.need_delete, name="need_delete"),
    path("projects/<int:pk>/needs/new/", views.need_edit, name="need_create"),
    path("needs/<int:need_pk>/signings/new/", views.signing_edit, name="signing_create"),
    path("signings/<int:signing_pk>/", views.signing_edit, name="signing_edit"),
    path("signings/<int:signing_pk>/delete/", views.signing_delete, name="signing_delete"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_edit, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", views.event_delete, name="event_delete"),
]
