from django.urls import path

from elements import views

app_name = "elements"
urlpatterns = [
    path("funding/", views.funding, name="funding"),
    path("funding/<int:record_pk>/", views.funding_edit, name="funding_edit"),
    path("funding/<int:record_pk>/delete/", views.funding_delete, name="funding_delete"),
    path("projects/<int:pk>/funding/new/", views.funding_edit, name="funding_create"),
    path("board/", views.board, name="board"),
    path("needs/<int:need_pk>/", views.need_edit, name="need_edit"),
    path("needs/<int:need_pk>/delete/", views.need_delete, name="need_delete"),
    path("projects/<int:pk>/needs/new/", views.need_edit, name="need_create"),
]
