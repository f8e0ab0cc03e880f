"""The service designer's pages in the back office, below /backoffice/loesungen/."""

from django.urls import path

from amtsweg.catalog import views

app_name = "designer"
version = "<uuid:solution_uuid>/versionen/<int:number>/"
urlpatterns = [
    path("", views.designer_solutions, name="solutions"),
    path("paket-importieren/", views.designer_import_package, name="import_package"),
    path("<uuid:solution_uuid>/neue-version/", views.designer_new_version, name="new_version"),
    path("<uuid:solution_uuid>/fim-import/", views.designer_fim_import, name="fim_import"),
    path(version, views.designer_version, name="version"),
    path(f"{version}bearbeiten/", views.designer_edit, name="edit"),
    path(f"{version}pruefen/", views.designer_validate, name="validate"),
    path(f"{version}vorschau/", views.designer_preview, name="preview"),
    path(f"{version}pruefung/", views.designer_request_review, name="request_review"),
    path(f"{version}zurueckgeben/", views.designer_return, name="return_to_draft"),
    path(f"{version}freigeben/", views.designer_publish, name="publish"),
    path(f"{version}einstellungen/", views.designer_settings, name="settings"),
    path(f"{version}aenderungen/", views.designer_diff, name="diff"),
    path(f"{version}szenarien/", views.designer_scenarios, name="scenarios"),
    path(f"{version}datenschema.json", views.designer_data_schema, name="data_schema"),
]
