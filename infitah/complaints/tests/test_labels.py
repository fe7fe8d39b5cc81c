"""The status "Received" is not the reception date: each has its own message."""

from __future__ import annotations

import pytest

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from infitah.complaints.selectors import Statistics
from infitah.complaints.workflow import Status


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_received_status_is_not_the_reception_date_column(language: str) -> None:
    with translation.override(language):
        date_column = gettext("Received")
        assert str(Status.RECEIVED.label) != date_column
        stats = render_to_string("complaints/_stats.html", {"stats": Statistics()})
        assert f'<th scope="row">{date_column}</th>' not in stats
