"""The demo's councils, walked through the OParl API and validated like the test tree.

Skipped while the demo has no council data (no term, no advisory body)."""

from __future__ import annotations

import pytest

from infitah.core.demo import demo_load
from infitah.oparl import selectors
from infitah.oparl.tests.walk import OParlSchemas, walk

pytestmark = pytest.mark.django_db


def test_the_demo_walks_and_validates(schemas: OParlSchemas) -> None:
    demo_load(log=lambda _line: None, import_dataset=False)
    if not selectors.bodies().exists():
        pytest.skip("the demo has no council data yet (no term, no advisory body)")
    seen = walk(schemas)
    assert not seen.errors, "\n".join(seen.errors[:50])
    assert {"System", "Body", "LegislativeTerm", "Organization", "Person"} <= seen.types()
