from django.urls import path

from amtsweg.identity.bundid import views

app_name = "bundid"
urlpatterns = [
    path("metadata/", views.metadata, name="metadata"),
    path("login/", views.login, name="login"),
    path("acs/", views.acs, name="acs"),
    path("fertig/<str:token>/", views.finish, name="finish"),
    path("logout/", views.logout, name="logout"),
    path("sls/", views.single_logout, name="single_logout"),
]
