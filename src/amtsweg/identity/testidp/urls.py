from django.urls import path

from amtsweg.identity.testidp import views

app_name = "testidp"
urlpatterns = [
    path("metadata/", views.metadata, name="metadata"),
    path("sso/", views.single_sign_on, name="sso"),
    path("slo/", views.single_logout, name="slo"),
    path("abmelden/", views.log_out_everywhere, name="log_out_everywhere"),
]
