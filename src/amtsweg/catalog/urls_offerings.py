"""A municipal admin's offerings in the back office, below /backoffice/angebote/."""

from django.urls import path

from amtsweg.catalog import views_library as views

app_name = "offerings"
urlpatterns = [
    path("", views.offering_list, name="list"),
    path("<uuid:offering_uuid>/", views.offering_detail, name="detail"),
    path("<uuid:offering_uuid>/vorschau/", views.offering_preview, name="preview"),
    path("<uuid:offering_uuid>/live/", views.offering_go_live, name="go_live"),
    path("<uuid:offering_uuid>/version/<int:number>/", views.offering_switch, name="switch"),
]
