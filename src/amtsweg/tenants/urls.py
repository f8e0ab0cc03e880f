from django.urls import path

from amtsweg.tenants import views

app_name = "tenants"
urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("kommunen/<slug:municipality_slug>/wappen/", views.municipality_logo, name="logo"),
    path(
        "backoffice/kommunen/<slug:municipality_slug>/darstellung/",
        views.appearance_settings,
        name="appearance",
    ),
]
