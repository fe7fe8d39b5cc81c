"""Access to information on the home pages (territories.highlights): how the requests
received in the last twelve months were answered against the legal time limit."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from infitah.information.models import InformationRequest
from infitah.information.selectors import is_accepting
from infitah.information.workflow import OPEN
from infitah.territories.highlights import (
    Figure,
    FigureGroup,
    FigureSource,
    percent,
    register_figures,
    timeliness_of,
    watch,
    window_start,
)
from infitah.territories.models import Collectivity


def information_figures(collectivity: Collectivity | None, today: dt.date) -> FigureGroup:
    """Requests received since `window_start(today)` (confirmed: a request never
    confirmed was never received; private ones count, as on the register), answered,
    answered within the time limit, deemed refused; the median answer time in working
    days (2–3 queries). Nothing about any requester."""
    cases = InformationRequest.objects.public().filter(received_on__gte=window_start(today))
    if collectivity is not None:
        cases = cases.filter(collectivity=collectivity)
    timeliness = timeliness_of(
        cases,
        today=today,
        open_statuses=OPEN,
        days_field="answer_working_days",
        working_days=True,
        # Deemed refused: the due date passed without an answer (then, e.g., complained of).
        also_late=Q(deemed_refused_on__isnull=False),
    )
    title = gettext_lazy("Access to information")
    rate = timeliness.on_time_percent
    if collectivity is None:
        return FigureGroup(
            key="information",
            title=title,
            timeliness=timeliness,
            empty=gettext_lazy("No request received in the last 12 months."),
            url=reverse("information:network-register"),
            url_label=gettext_lazy("The register of requests"),
            headline=Figure(
                value=percent(rate),
                label=gettext_lazy("of information requests answered on time (12 months)"),
            )
            if rate is not None
            else None,
            order=20,
        )
    accepting = is_accepting(collectivity)
    url_label: str | Promise = ""
    url = ""
    if timeliness.has_cases:
        url = reverse("information:register", kwargs={"slug": collectivity.slug})
        url_label = gettext_lazy("The register of requests")
    elif accepting:
        url = reverse("information:home", kwargs={"slug": collectivity.slug})
        url_label = gettext_lazy("Ask for information")
    return FigureGroup(
        key="information",
        title=title,
        timeliness=timeliness,
        empty=gettext_lazy("No request received in the last 12 months.")
        if accepting
        else gettext_lazy("Does not take access-to-information requests on the platform yet."),
        url=url,
        url_label=url_label,
        order=20,
    )


def highlights_register() -> None:
    register_figures(FigureSource(key="information", compute=information_figures, order=20))
    watch(InformationRequest)
