"""Complaints on the home pages (territories.highlights): how the complaints received in
the last twelve months were answered against the legal time limit."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy

from infitah.complaints.models import Complaint
from infitah.complaints.workflow import OPEN
from infitah.territories.highlights import (
    FigureGroup,
    FigureSource,
    register_figures,
    timeliness_of,
    watch,
    window_start,
)
from infitah.territories.models import Collectivity


def complaint_figures(collectivity: Collectivity | None, today: dt.date) -> FigureGroup:
    """Complaints, observations and suggestions received since `window_start(today)`,
    answered, answered within the time limit; the median answer time in calendar days
    (1–2 queries). Counts only: never a complaint's text or its author."""
    cases = Complaint.objects.received().filter(received_on__gte=window_start(today))
    if collectivity is not None:
        cases = cases.filter(collectivity=collectivity)
    timeliness = timeliness_of(
        cases, today=today, open_statuses=OPEN, days_field="answer_days", working_days=False
    )
    title = gettext_lazy("Complaints, observations and suggestions")
    if collectivity is None:
        return FigureGroup(
            key="complaints",
            title=title,
            timeliness=timeliness,
            empty=gettext_lazy("No complaint received in the last 12 months."),
            order=30,
        )
    # Only the network's members take complaints on the platform (their complaints page).
    member = collectivity.is_network_member
    return FigureGroup(
        key="complaints",
        title=title,
        timeliness=timeliness,
        empty=gettext_lazy("No complaint received in the last 12 months.")
        if member
        else gettext_lazy("Does not take complaints on the platform."),
        url=reverse("complaints:home", kwargs={"slug": collectivity.slug}) if member else "",
        url_label=gettext_lazy("Complaints and the answers published"),
        order=30,
    )


def highlights_register() -> None:
    register_figures(FigureSource(key="complaints", compute=complaint_figures, order=30))
    watch(Complaint)
