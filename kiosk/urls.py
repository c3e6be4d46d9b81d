from django.urls import path

from kiosk import views

app_name = "kiosk"
urlpatterns = [
    path("", views.links, name="links"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/renew/", views.renew, name="renew"),
]
