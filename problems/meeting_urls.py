from django.urls import path

from problems import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_edit, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/minutes.docx", views.meeting_minutes, name="minutes"),
    path("<int:meeting_pk>/matters/new/", views.matter_edit, name="matter_create"),
    path("matters/", views.matter_list, name="matters"),
    path("matters/<int:pk>/", views.matter_detail, name="matter"),
    path("matters/<int:pk>/edit/", views.matter_edit, name="matter_edit"),
    path("matters/<int:pk>/move/<str:action>/", views.matter_move, name="matter_move"),
]
