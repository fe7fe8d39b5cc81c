"""`Method.objects.current()` on an emptied table: version 1 comes back, the tick goes on."""

import pytest

from infitah.openness.models import DEFAULT_WEIGHTS, Method


@pytest.mark.django_db
def test_an_emptied_method_table_gets_version_1_back() -> None:
    Method.objects.all().delete()
    method = Method.objects.current()
    assert (method.version, method.weights) == (1, DEFAULT_WEIGHTS)
    assert Method.objects.current().pk == method.pk
    assert Method.objects.count() == 1
