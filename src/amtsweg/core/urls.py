from django.urls import path

from amtsweg.core import views

app_name = "core"
urlpatterns = [
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
    path("barrierefreiheit/danke/", views.feedback_thanks, name="feedback_thanks"),
    path("impressum/", views.imprint, name="imprint"),
    path("datenschutz/", views.privacy, name="privacy"),
    path(
        "kommunen/<slug:municipality_slug>/barrierefreiheit/",
        views.accessibility,
        name="accessibility",
    ),
    path(
        "kommunen/<slug:municipality_slug>/barrierefreiheit/danke/",
        views.feedback_thanks,
        name="feedback_thanks",
    ),
    path("kommunen/<slug:municipality_slug>/impressum/", views.imprint, name="imprint"),
    path("kommunen/<slug:municipality_slug>/datenschutz/", views.privacy, name="privacy"),
    path("sitzung/verlaengern/", views.extend_session, name="extend_session"),
]
