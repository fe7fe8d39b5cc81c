"""The publication demo: the five seed texts as communiqués, idempotent."""

from __future__ import annotations

import pytest

from django.core.management import call_command

from infitah.publication.demo import CATEGORY_CODE, publication_demo_load, seeds_path, title_from
from infitah.publication.models import Document, TextStatus


def test_title_from_first_line() -> None:
    assert title_from("\n  بلاغ عن مجلس الجهة \nنص") == "بلاغ عن مجلس الجهة"
    long = "كلمة " * 100
    assert len(title_from(long)) <= 201 and title_from(long).endswith("…")


@pytest.mark.skipif(not seeds_path().is_dir(), reason="no seed texts beside the project")
@pytest.mark.django_db
def test_demo_publishes_the_seed_texts_once() -> None:
    call_command("demo", "--no-dataset")  # publishes the seeds (publication_demo_load)
    # The finance demo publishes Aït Melloul's enacted and citizens budgets (not seeds).
    seeds = Document.objects.filter(category__code=CATEGORY_CODE)
    assert seeds.count() == 5
    assert publication_demo_load(log=lambda s: None) == 0  # a second run adds nothing
    assert seeds.count() == 5
    documents = seeds.select_related("collectivity")
    counts: dict[str, int] = {}
    for d in documents:
        counts[d.collectivity.slug] = counts.get(d.collectivity.slug, 0) + 1
    assert counts == {
        "beni-mellal-khenifra": 2,
        "draa-tafilalet": 1,
        "ait-melloul": 1,
        "laayoune-sakia-el-hamra": 1,
    }
    first = documents.get(original_name="communique-000.txt")
    assert first.title_ar == "بلاغ عن مجلس الجهة" and first.file_type == "txt"
    assert first.text_status == TextStatus.EXTRACTED and "الشفافية" in first.text
