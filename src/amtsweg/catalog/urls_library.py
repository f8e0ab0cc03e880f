"""The solution library in the back office, below /backoffice/loesungen/bibliothek/."""

from django.urls import path

from amtsweg.catalog import views_library as views

app_name = "library"
version = "<uuid:solution_uuid>/v<int:number>/"
urlpatterns = [
    path("", views.library, name="list"),
    path(version, views.library_version, name="version"),
    path(f"{version}vorschau/", views.library_preview, name="preview"),
    path(f"{version}aenderungen/", views.library_diff, name="diff"),
    path(f"{version}paket.json", views.library_export, name="export"),
    path(f"{version}nachnutzen/", views.adopt, name="adopt"),
    path(f"{version}abspalten/", views.fork, name="fork"),
]
