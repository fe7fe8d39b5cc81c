"""The ocid of a process: the deployment's prefix, the collectivity, the year, a number."""

from __future__ import annotations

import pytest

from infitah.finance.ocds import ocid_for
from infitah.territories.models import Collectivity


@pytest.mark.django_db
def test_an_ocid_starts_with_the_deployment_prefix(
    collectivity_a: Collectivity, settings: object
) -> None:
    ocid = ocid_for(collectivity_a, 2026, 7)
    assert ocid.startswith("ocds-infita-")
    assert ocid.endswith("-2026-7")
