from django.urls import path

from service import views

app_name = "service"
urlpatterns = [
    path("leaders/", views.leaders, name="leaders"),
    path("leaders/mine/", views.mine, name="mine"),
    path("leaders/<int:pk>/", views.leader, name="leader"),
    path("projects/<int:pk>/team/new/", views.member_edit, name="member_create"),
    path("team/<int:member_pk>/", views.member_edit, name="member_edit"),
    path("team/<int:member_pk>/delete/", views.member_delete, name="member_delete"),
    path("projects/<int:pk>/records/new/", views.record_edit, name="record_create"),
    path("records/<int:record_pk>/", views.record_edit, name="record_edit"),
    path("records/<int:record_pk>/delete/", views.record_delete, name="record_delete"),
]
