"""The URLs of the whole site.

Django tries these patterns in order on every request. An include whose prefix does not match
is passed over at once, but one under ``""`` that does not hold the URL tries each of its own
patterns first (and raises and records what it tried): the journey's pages, the API and the
bare-insert baseline therefore come before those includes, which costs a citizen's page about
a hundred thousand instructions less (issue 9, docs/benchmarks.md). No two of these patterns
match the same URL, so the order changes nothing else.
"""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from amtsweg.api.api import api
from amtsweg.core import views as core_views

urlpatterns = [
    path("", include("amtsweg.submissions.urls")),
    path("kommunen/", include("amtsweg.catalog.urls")),
    path("api/v1/", api.urls),
    path("_bench/", include("amtsweg.core.bench_views")),  # only with AMTSWEG_BENCH_BASELINE
    path("", include("amtsweg.tenants.urls")),
    path("", include("amtsweg.core.urls")),  # legal pages, also under kommunen/<slug>/
    path("kommunen/", include("amtsweg.progress.public_urls")),
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
    path("admin/", admin.site.urls),
    path("sprache/", set_language, name="set_language"),
    path("healthz", core_views.health, name="health"),
]

handler400 = "amtsweg.core.views.bad_request"
handler403 = "amtsweg.core.views.permission_denied"
handler404 = "amtsweg.core.views.page_not_found"
handler500 = "amtsweg.core.views.server_error"
