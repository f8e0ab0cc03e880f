"""The coordinators' dashboard, below /backoffice/fortschritt/."""

from django.urls import path

from amtsweg.progress import views

app_name = "progress"
urlpatterns = [
    path("", views.home, name="home"),
    path("vorgaenge/<uuid:case_uuid>/papier/", views.paper_steps, name="paper_steps"),
    path("<slug:municipality_slug>/", views.municipality_dashboard, name="municipality"),
    path("<slug:municipality_slug>/verbund/", views.cluster_dashboard, name="cluster"),
    path("<slug:municipality_slug>/leistungen/", views.catalogue, name="catalogue"),
    path("<slug:municipality_slug>/leistungen/<str:ozg_id>/", views.edit, name="edit"),
]
