from django.urls import path

from amtsweg.tenants import views

app_name = "tenants"
urlpatterns = [
    path("", views.portal_home, name="portal_home"),
]
