from django.urls import path

from quality import views

app_name = "quality"
urlpatterns = [
    path("", views.board, name="board"),
    path("<int:pk>/", views.flag_detail, name="detail"),
    path("<int:pk>/dismiss/", views.flag_dismiss, name="dismiss"),
    path("<int:pk>/reopen/", views.flag_reopen, name="reopen"),
]
