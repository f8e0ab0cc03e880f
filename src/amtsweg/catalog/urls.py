from django.urls import path

from amtsweg.catalog import views

app_name = "catalog"
urlpatterns = [
    path("<slug:municipality_slug>/", views.municipality_page, name="municipality"),
    path(
        "<slug:municipality_slug>/leistungen/<slug:offering_slug>/",
        views.offering_page,
        name="offering",
    ),
]
