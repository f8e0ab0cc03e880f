from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "identity"
urlpatterns = [
    path(
        "anmelden/",
        auth_views.LoginView.as_view(
            template_name="identity/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
]
