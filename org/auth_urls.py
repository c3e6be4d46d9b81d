from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from org import views
from org.forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
            extra_context={"failure_limit": settings.AXES_FAILURE_LIMIT},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", views.token_page, name="tokens"),
    path("tokens/<int:user_id>/revoke/", views.token_revoke, name="token_revoke"),
]
