"""URL map: the API and admin at the root, every page under /ar/ or /fr/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path

from infitah.api import api
from infitah.core.bench_views import minimal
from infitah.core.views import favicon


def root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect("/ar/")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", root),
    path("healthz", healthz),
    path("favicon.ico", favicon),
    path("api/v1/", api.urls),
    path("oparl/v1/", include("infitah.oparl.urls")),
    path("register/log/", include("infitah.ledger.log_urls")),
    path("open311/v2/", include("infitah.open311.urls")),
    path("django-admin/", admin.site.urls),
    path("bench/minimal", minimal),
    path("data/", include("infitah.opendata.file_urls")),
    path("", include("infitah.opendata.ckan_urls")),
    path("", include("infitah.opendata.dcat_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("infitah.territories.urls")),
    path("calendar/", include("infitah.deadlines.urls")),
    path("register/", include("infitah.ledger.urls")),
    path("search/", include("infitah.search.urls")),
    path("c/<slug:slug>/documents/", include("infitah.publication.urls")),
    path("staff/<slug:slug>/publication/", include("infitah.publication.staff_urls")),
    path("", include("infitah.information.urls")),
    path("staff/<slug:slug>/information/", include("infitah.information.staff_urls")),
    path("", include("infitah.complaints.urls")),
    path("staff/<slug:slug>/complaints/", include("infitah.complaints.staff_urls")),
    path("", include("infitah.petitions.urls")),
    path("staff/<slug:slug>/petitions/", include("infitah.petitions.staff_urls")),
    path("", include("infitah.participation.urls")),
    path("", include("infitah.participation.consultations.urls")),
    path(
        "staff/<slug:slug>/consultations/",
        include("infitah.participation.consultations.staff_urls"),
    ),
    path("", include("infitah.participation.surveys.urls")),
    path("staff/<slug:slug>/surveys/", include("infitah.participation.surveys.staff_urls")),
    path("", include("infitah.participation.labs.urls")),
    path("staff/<slug:slug>/labs/", include("infitah.participation.labs.staff_urls")),
    path("c/<slug:slug>/council/", include("infitah.council.urls")),
    path("staff/<slug:slug>/council/", include("infitah.council.staff_urls")),
    path("c/<slug:slug>/advisory/", include("infitah.advisory.urls")),
    path("staff/<slug:slug>/advisory/", include("infitah.advisory.staff_urls")),
    path("c/<slug:slug>/programmes/", include("infitah.openplan.urls")),
    path("staff/<slug:slug>/programmes/", include("infitah.openplan.staff_urls")),
    path("programmes/", include("infitah.openplan.network_urls")),
    path("c/<slug:slug>/finance/", include("infitah.finance.urls")),
    path("staff/<slug:slug>/finance/", include("infitah.finance.staff_urls")),
    path("", include("infitah.opendata.urls")),
    path("", include("infitah.openness.urls")),
    path("staff/<slug:slug>/correspondence/", include("infitah.correspondence.staff_urls")),
    path("accounts/", include("infitah.accounts.urls")),
    path("staff/<slug:slug>/team/", include("infitah.accounts.team_urls")),
    path("staff/<slug:slug>/open311/", include("infitah.open311.staff_urls")),
    path("staff/<slug:slug>/practices/", include("infitah.network.practice_staff_urls")),
    path("staff/", include("infitah.backoffice.urls")),
    path("network/mail/", include("infitah.notifications.urls")),
    path("network/office/accounts/", include("infitah.accounts.network_urls")),
    path("network/participation/", include("infitah.participation.network_urls")),
    path("network/", include("infitah.network.urls")),
    prefix_default_language=True,
)
