"""Mein Amtsweg, the citizen's own area (mounted at /mein-amtsweg/)."""

from django.urls import path

from amtsweg.cases import citizen_views as views

app_name = "citizen"
urlpatterns = [
    path("", views.home, name="home"),
    path("antraege/<uuid:submission_uuid>/", views.mailbox, name="mailbox"),
    path(
        "antraege/<uuid:submission_uuid>/nachforderungen/<uuid:message_uuid>/antwort/",
        views.answer,
        name="answer",
    ),
    path(
        "antraege/<uuid:submission_uuid>/anlagen/<uuid:attachment_uuid>/",
        views.attachment,
        name="attachment",
    ),
    path(
        "antraege/<uuid:submission_uuid>/dokumente/<uuid:document_uuid>/",
        views.document,
        name="document",
    ),
    path("antraege/<uuid:submission_uuid>/zurueckziehen/", views.withdraw, name="withdraw"),
    path("entwuerfe/<uuid:draft_uuid>/fortsetzen/", views.resume_draft, name="resume_draft"),
]
