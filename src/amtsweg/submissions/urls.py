from django.urls import path

from amtsweg.submissions import views

app_name = "submissions"
urlpatterns = [
    path(
        "kommunen/<slug:municipality_slug>/leistungen/<slug:offering_slug>/antrag/",
        views.start,
        name="start",
    ),
    path("antrag/<uuid:draft_uuid>/schritt/<slug:step_key>/", views.step, name="step"),
    path(
        "antrag/<uuid:draft_uuid>/schritt/<slug:step_key>/pruefen/",
        views.validate_field,
        name="validate_field",
    ),
    path("antrag/<uuid:draft_uuid>/zusammenfassung/", views.summary, name="summary"),
    path("antrag/<uuid:draft_uuid>/bestaetigung/", views.confirmation, name="confirmation"),
    path(
        "antrag/<uuid:draft_uuid>/spaeter-fortsetzen/",
        views.save_for_later,
        name="save_for_later",
    ),
    path(
        "antrag/<uuid:draft_uuid>/spaeter-fortsetzen/gesendet/",
        views.resume_mail_sent,
        name="resume_mail_sent",
    ),
    path("antrag/fortsetzen/<str:token>/", views.resume, name="resume"),
    path("status/", views.status_lookup, name="status"),
]
