from django.urls import path

from problems import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("board/", views.problem_board, name="board"),
    path("new/", views.problem_create, name="create"),
    path("options/", views.problem_options, name="options"),
    path("<int:pk>/", views.problem_detail, name="detail"),
    path("<int:pk>/edit/", views.problem_edit, name="edit"),
    path("<int:pk>/move/<str:action>/", views.problem_move, name="move"),
    path("<int:pk>/comments/", views.problem_comment, name="comment"),
    path("<int:pk>/attachments/", views.problem_attach, name="attach"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
