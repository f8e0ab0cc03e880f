from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from amtsweg.api.api import api
from amtsweg.core import views as core_views

urlpatterns = [
    path("", include("amtsweg.tenants.urls")),
    path("", include("amtsweg.core.urls")),  # legal pages, also under kommunen/<slug>/
    path("kommunen/", include("amtsweg.catalog.urls")),
    path("kommunen/", include("amtsweg.progress.public_urls")),
    path("", include("amtsweg.submissions.urls")),
    path("", include("amtsweg.documents.urls")),
    path("mein-amtsweg/", include("amtsweg.cases.citizen_urls")),
    path("backoffice/", include("amtsweg.cases.urls")),
    path("backoffice/", include("amtsweg.identity.urls")),
    path("saml/", include("amtsweg.identity.bundid.urls")),
    path("testidp/", include("amtsweg.identity.testidp.urls")),
    path("backoffice/loesungen/bibliothek/", include("amtsweg.catalog.urls_library")),
    path("backoffice/angebote/", include("amtsweg.catalog.urls_offerings")),
    path("backoffice/loesungen/", include("amtsweg.catalog.urls_backoffice")),
    path("backoffice/fortschritt/", include("amtsweg.progress.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("sprache/", set_language, name="set_language"),
    path("healthz", core_views.health, name="health"),
    path("_bench/", include("amtsweg.core.bench_views")),  # only with AMTSWEG_BENCH_BASELINE
]

handler400 = "amtsweg.core.views.bad_request"
handler403 = "amtsweg.core.views.permission_denied"
handler404 = "amtsweg.core.views.page_not_found"
handler500 = "amtsweg.core.views.server_error"
