"""The public transparency page, below /kommunen/<slug>/."""

from django.urls import path

from amtsweg.progress import views

app_name = "transparency"
urlpatterns = [
    path("<slug:municipality_slug>/digitale-dienste/", views.transparency, name="municipality"),
]
