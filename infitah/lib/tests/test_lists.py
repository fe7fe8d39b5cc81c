"""Lists in Arabic use the Arabic comma; in French the Latin one."""

from django.template import Context, Template
from django.utils import translation

from infitah.lib.lists import list_join


def test_list_join_follows_the_language() -> None:
    with translation.override("ar"):
        assert list_join(["أ", "ب", "ج"]) == "أ، ب، ج"
    with translation.override("fr"):
        assert list_join(["a", "b"]) == "a, b"
    assert list_join([]) == ""


def test_the_template_filter() -> None:
    template = Template("{% load infitah_text %}{{ roles|listjoin }}")
    with translation.override("ar"):
        assert (
            template.render(Context({"roles": ["مسؤول", "نقطة الارتكاز"]}))
            == "مسؤول، نقطة الارتكاز"
        )


def test_bdi_isolates_and_escapes() -> None:
    template = Template("{% load infitah_text %}{{ who|bdi }}")
    assert template.render(Context({"who": "a<b@example.test"})) == "<bdi>a&lt;b@example.test</bdi>"
