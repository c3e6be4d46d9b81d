from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("template/", views.template, name="template"),
    path("upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.batch_detail, name="batch"),
    path("imports/<int:pk>/names/", views.batch_names, name="names"),
    path("imports/<int:pk>/commit/", views.batch_commit, name="commit"),
    path("imports/<int:pk>/discard/", views.batch_discard, name="discard"),
    path("imports/<int:pk>/file/", views.batch_download, name="download"),
    path("aliases/", views.alias_list, name="aliases"),
    path("aliases/add/", views.alias_add, name="alias_add"),
    path("aliases/<int:pk>/delete/", views.alias_delete, name="alias_delete"),
]
