from django.urls import path

from amtsweg.documents import views

app_name = "documents"
urlpatterns = [
    path(
        "antrag/<uuid:submission_uuid>/eingangsbestaetigung/",
        views.receipt,
        name="receipt",
    ),
    path(
        "antrag/<uuid:submission_uuid>/dokumente/<uuid:document_uuid>/",
        views.applicant_document,
        name="applicant_document",
    ),
    # Below /backoffice/: the staff middleware (log-in with second factor) guards it.
    path(
        "backoffice/vorgaenge/<uuid:case_uuid>/dokumente/<uuid:document_uuid>/",
        views.case_document,
        name="case_document",
    ),
]
