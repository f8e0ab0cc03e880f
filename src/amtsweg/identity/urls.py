"""Back-office identity URLs (``identity`` namespace): the staff sign-in lives in ``staff``."""

from django.urls import include, path

app_name = "identity"
urlpatterns = [
    path("", include("amtsweg.identity.staff.urls")),
]
