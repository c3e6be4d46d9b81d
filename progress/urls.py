from django.urls import path

from progress import views

app_name = "progress"
urlpatterns = [
    path("", views.my_reports, name="mine"),
    path("board/", views.board, name="board"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.report_review, name="review"),
    path("project/<int:pk>/", views.project_reports, name="project"),
    path("project/<int:pk>/<str:period_key>/", views.report_edit, name="edit"),
    path("project/<int:pk>/<str:period_key>/check/", views.report_check, name="check"),
    path("photos/<int:pk>/public/", views.photo_public, name="photo_public"),
    path("photos/<int:pk>/<str:kind>/", views.photo_file, name="photo"),
]
