from django.urls import path

from amtsweg.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("posteingang/<slug:municipality_slug>/", views.inbox_page, name="inbox"),
    path(
        "posteingang/<slug:municipality_slug>/ikz/",
        views.ikz_cases,
        name="ikz_cases",
    ),
    path("vorgaenge/<uuid:case_uuid>/", views.case_detail, name="detail"),
    path("vorgaenge/<uuid:case_uuid>/uebernehmen/", views.claim, name="claim"),
    path("vorgaenge/<uuid:case_uuid>/zuweisen/", views.assign, name="assign"),
    path("vorgaenge/<uuid:case_uuid>/abgeben/", views.handover, name="handover"),
    path("vorgaenge/<uuid:case_uuid>/status/", views.change_status, name="change_status"),
    path("vorgaenge/<uuid:case_uuid>/frist/", views.extend, name="extend_deadline"),
    path("vorgaenge/<uuid:case_uuid>/nachrichten/", views.message, name="message"),
    path("vorgaenge/<uuid:case_uuid>/nachforderung/", views.follow_up, name="follow_up"),
    path("vorgaenge/<uuid:case_uuid>/bescheid/", views.decision, name="decision"),
    path(
        "vorgaenge/<uuid:case_uuid>/bescheid/vorschau/",
        views.decision_preview,
        name="decision_preview",
    ),
    path(
        "vorgaenge/<uuid:case_uuid>/bescheid/entwurf/",
        views.decision_save_draft,
        name="decision_save_draft",
    ),
    path(
        "vorgaenge/<uuid:case_uuid>/bescheid/erlassen/",
        views.decision_issue,
        name="decision_issue",
    ),
    path(
        "vorgaenge/<uuid:case_uuid>/nachrichten/gelesen/",
        views.replies_seen,
        name="replies_seen",
    ),
    path(
        "vorgaenge/<uuid:case_uuid>/nachrichten/anlagen/<uuid:attachment_uuid>/",
        views.message_attachment,
        name="message_attachment",
    ),
    path(
        "vorgaenge/<uuid:case_uuid>/anlagen/<uuid:attachment_uuid>/",
        views.attachment,
        name="attachment",
    ),
    path(
        "vorgaenge/<uuid:case_uuid>/anlagen/<uuid:attachment_uuid>/ansehen/",
        views.attachment_preview,
        name="attachment_preview",
    ),
    path(
        "vorgaenge/<uuid:case_uuid>/nachrichten/anlagen/<uuid:attachment_uuid>/ansehen/",
        views.message_attachment_preview,
        name="message_attachment_preview",
    ),
]
