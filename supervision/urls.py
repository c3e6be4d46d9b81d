from django.urls import path

from supervision import views

app_name = "supervision"
urlpatterns = [
    path("notices/", views.notice_list, name="notices"),
    path("notices/new/", views.notice_edit, name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/move/<str:action>/", views.notice_move, name="notice_move"),
    path("notices/<int:pk>/notice.docx", views.notice_document, name="notice_docx"),
    path("replies/<int:pk>/file/", views.reply_file, name="reply_file"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_edit, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspection-photos/<int:pk>/<str:kind>/", views.inspection_photo, name="inspection_photo"),
]
