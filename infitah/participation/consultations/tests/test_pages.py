"""The pages of consultations, end to end through the test client (in /ar/ and /fr/).

Assertions look at data, status codes and structure, not at translated text (except
the participant's own words and the data).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import ngettext

from infitah.accounts.models import User
from infitah.participation.consultations import services
from infitah.participation.consultations.models import Comment, Consultation, Section, Stance
from infitah.participation.consultations.tests.conftest import NOW, Consult, sections_of
from infitah.participation.consultations.workflow import Moderation, RejectionReason
from infitah.participation.models import Participant
from infitah.participation.testing import login_participant, make_participant

pytestmark = pytest.mark.django_db

PUBLIC = "/{lang}/c/commune-a/consultations/"
STAFF = "/ar/staff/commune-a/consultations/"


def _detail(c: Consultation, lang: str = "ar") -> str:
    return f"{PUBLIC.format(lang=lang)}{c.pk}/"


def _section_url(c: Consultation, s: Section, action: str = "") -> str:
    return f"{_detail(c)}sections/{s.pk}/" + (f"{action}/" if action else "")


def _html(response: Any) -> str:
    return response.content.decode()


def _messages(response: Any) -> list[str]:
    return [m.level_tag for m in response.context["messages"]]


# ------------------------------------------------------------------------- public


def test_list_groups_open_upcoming_closed(consult: Consult) -> None:
    open_one = consult(title_fr="Ouverte", title_ar="مفتوحة", closes_at=NOW + dt.timedelta(days=3))
    consult(
        title_ar="قادمة", opens_at=NOW + dt.timedelta(days=5), closes_at=NOW + dt.timedelta(days=9)
    )
    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        consult(
            title_ar="مغلقة",
            opens_at=NOW - dt.timedelta(days=29),
            closes_at=NOW - dt.timedelta(days=2),
        )
    for lang in ("ar", "fr"):
        response = Client().get(PUBLIC.format(lang=lang))
        assert response.status_code == 200
    html = _html(Client().get(PUBLIC.format(lang="ar")))
    assert html.index("مفتوحة") < html.index("قادمة") < html.index("مغلقة")
    assert f'href="/ar/c/commune-a/consultations/{open_one.pk}/"' in html
    assert 'lang="ar" dir="rtl"' in html
    assert len(response.content) < 30_000


def test_days_left_shown(consult: Consult) -> None:
    consult(closes_at=NOW + dt.timedelta(days=3))
    response = Client().get(PUBLIC.format(lang="fr"))
    assert [c.days_left for c in response.context["open"]] == [3]
    with translation.override("fr"):
        expected = ngettext("%(days)s day left", "%(days)s days left", 3) % {"days": 3}
    assert expected in _html(response)


def test_unknown_or_non_member_collectivity_is_404(consult: Consult) -> None:
    c = consult()
    assert Client().get("/ar/c/commune-b/consultations/").status_code == 404
    assert Client().get(f"/ar/c/commune-b/consultations/{c.pk}/").status_code == 404
    assert Client().get("/ar/c/commune-a/consultations/999999/").status_code == 404


def test_detail_for_a_visitor_invites_to_take_part(consult: Consult) -> None:
    c = consult()
    response = Client().get(_detail(c))
    html = _html(response)
    assert response.status_code == 200
    assert "/ar/participation/join/?next=" in html
    assert "<textarea" not in html and 'name="value"' not in html
    for s in sections_of(c):
        assert f'id="section-{s.pk}"' in html and s.title_ar in html


def test_comment_and_stance_forms_work_without_javascript(
    consult: Consult, participant: Participant, participant_client: Client, focal: User
) -> None:
    c = consult(moderation=Moderation.PRE)
    s1 = sections_of(c)[0]
    html = _html(participant_client.get(_detail(c)))
    assert f'action="{_section_url(c, s1, "comment")}"' in html
    assert f'action="{_section_url(c, s1, "stance")}"' in html
    response = participant_client.post(_section_url(c, s1, "comment"), {"text": "تعليقي"})
    assert response.status_code == 302 and response["Location"] == f"{_detail(c)}#section-{s1.pk}"
    comment = Comment.objects.get()
    assert (comment.text, comment.status, comment.participant) == ("تعليقي", "pending", participant)
    # The author sees it, marked as awaiting moderation; the public does not.
    assert "تعليقي" in _html(participant_client.get(_detail(c)))
    assert "تعليقي" not in _html(Client().get(_detail(c)))
    response = participant_client.post(_section_url(c, s1, "stance"), {"value": "support"})
    assert response.status_code == 302
    assert Stance.objects.get().value == "support"
    html = _html(participant_client.get(_detail(c)))
    assert 'value="support" aria-pressed="true"' in html and 'value="withdraw"' in html
    services.comment_moderate(comment=comment, actor=focal, action="approve")
    html = _html(Client().get(_detail(c)))
    assert "تعليقي" in html and participant.display_name in html and participant.email not in html


def test_rejection_reason_is_shown_to_the_author_only(
    consult: Consult, participant: Participant, participant_client: Client, focal: User
) -> None:
    c = consult(moderation=Moderation.PRE)
    comment = services.comment_post(
        section=sections_of(c)[0], participant=participant, text="نص مرفوض"
    )
    services.comment_moderate(
        comment=comment, actor=focal, action="reject", reason="off_topic", note="خارج الموضوع تماما"
    )
    mine = _html(participant_client.get(_detail(c, "fr")))
    assert "نص مرفوض" in mine and "خارج الموضوع تماما" in mine
    with translation.override("fr"):
        assert str(RejectionReason.OFF_TOPIC.label) in mine
    other = Client()
    login_participant(other, make_participant(email="other@example.test"))
    for client in (other, Client()):
        html = _html(client.get(_detail(c, "fr")))
        assert "نص مرفوض" not in html and "خارج الموضوع تماما" not in html


def test_reply_through_the_page(
    consult: Consult, participant: Participant, participant_client: Client
) -> None:
    c = consult(moderation=Moderation.POST)
    s1 = sections_of(c)[0]
    top = services.comment_post(
        section=s1,
        participant=make_participant(email="b@example.test", display_name="Badr"),
        text="Question ?",
    )
    html = _html(participant_client.get(_detail(c)))
    assert f'name="parent" value="{top.pk}"' in html
    response = participant_client.post(
        _section_url(c, s1, "comment"), {"text": "Réponse.", "parent": str(top.pk)}
    )
    assert response.status_code == 302
    reply = Comment.objects.get(parent=top)
    assert reply.text == "Réponse." and reply.status == "published"
    html = _html(Client().get(_detail(c)))
    assert html.index("Question ?") < html.index("Réponse.")


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"text": ""}, 400),
        ({}, 400),
        ({"text": "x" * 5001}, 400),
        ({"text": "a\x00b"}, 400),
        ({"text": "ok", "parent": "abc"}, 400),
        ({"text": "ok", "parent": "0"}, 400),
        ({"text": "ok", "parent": "999999"}, 400),
        ({"text": "ok", "parent": "99999999999999999999"}, 400),
    ],
)
def test_bad_comment_input_on_the_page(
    consult: Consult, participant_client: Client, data: dict[str, str], status: int
) -> None:
    c = consult()
    response = participant_client.post(_section_url(c, sections_of(c)[0], "comment"), data)
    assert response.status_code == status
    assert 'role="alert"' in _html(response)
    assert not Comment.objects.exists()


def test_bad_stance_input_on_the_page(consult: Consult, participant_client: Client) -> None:
    c = consult()
    for data in ({}, {"value": "maybe"}, {"value": "x" * 1000}):
        response = participant_client.post(_section_url(c, sections_of(c)[0], "stance"), data)
        assert response.status_code == 400 and _messages(response) == ["error"]
    assert not Stance.objects.exists()


def test_after_closing_the_page_says_so_and_accepts_nothing(
    consult: Consult, participant_client: Client
) -> None:
    c = consult()
    s1 = sections_of(c)[0]
    with time_machine.travel(NOW + dt.timedelta(days=11), tick=False):
        html = _html(participant_client.get(_detail(c)))
        assert 'role="status"' in html and "<textarea" not in html and 'name="value"' not in html
        comment = participant_client.post(_section_url(c, s1, "comment"), {"text": "Trop tard"})
        stance = participant_client.post(_section_url(c, s1, "stance"), {"value": "oppose"})
    for response in (comment, stance):
        assert response.status_code == 409 and _messages(response) == ["error"]
    assert not Comment.objects.exists() and not Stance.objects.exists()


def test_a_visitor_posting_is_sent_to_join(consult: Consult) -> None:
    c = consult()
    s1 = sections_of(c)[0]
    for action, data in (("comment", {"text": "x"}), ("stance", {"value": "support"})):
        response = Client().post(_section_url(c, s1, action), data)
        assert response.status_code == 302
        assert response["Location"].startswith("/ar/participation/join/?next=")
    assert not Comment.objects.exists() and not Stance.objects.exists()


def test_get_on_post_urls_is_405(consult: Consult, participant_client: Client) -> None:
    c = consult()
    for action in ("comment", "stance"):
        assert participant_client.get(_section_url(c, sections_of(c)[0], action)).status_code == 405


def test_synthesis_shown_after_closing(consult: Consult, focal: User) -> None:
    c = consult()
    s1 = sections_of(c)[0]
    with time_machine.travel(NOW + dt.timedelta(days=11), tick=False):
        services.synthesis_save(
            consultation=c,
            actor=focal,
            synthesis_ar="خلاصة غير منشورة",
            synthesis_fr="",
            responses={},
        )
        assert "خلاصة غير منشورة" not in _html(Client().get(_detail(c)))
        services.synthesis_publish(
            consultation=c,
            actor=focal,
            synthesis_ar="خلاصة التشاور",
            synthesis_fr="Synthèse",
            responses={s1.pk: ("جواب الجماعة على المحور", "Réponse")},
        )
        html = _html(Client().get(_detail(c)))
        assert "خلاصة التشاور" in html and "جواب الجماعة على المحور" in html
        assert "Synthèse" in _html(Client().get(_detail(c, "fr")))


def test_section_page_lists_every_thread(consult: Consult, participant: Participant) -> None:
    c = consult(moderation=Moderation.POST)
    s1 = sections_of(c)[0]
    for i in range(8):
        services.comment_post(section=s1, participant=participant, text=f"تعليق رقم {i}")
    detail = _html(Client().get(_detail(c)))
    assert "تعليق رقم 0<" not in detail and "تعليق رقم 7" in detail  # the five latest
    assert f'href="{_section_url(c, s1)}"' in detail
    page = _html(Client().get(_section_url(c, s1)))
    assert all(f"تعليق رقم {i}" in page for i in range(8))
    assert Client().get(_section_url(c, s1) + "?page=abc").status_code == 200


def test_public_pages_query_counts(
    consult: Consult, django_assert_max_num_queries: Any, participant_client: Client, focal: User
) -> None:
    c = consult(moderation=Moderation.POST)
    for n in range(12):
        who = make_participant(email=f"p{n}@example.test")
        for s in sections_of(c):
            top = services.comment_post(section=s, participant=who, text=f"c{n}")
            services.comment_post(section=s, participant=who, text=f"r{n}", parent=top)
            services.stance_set(section=s, participant=who, value="support" if n % 2 else "oppose")
        consult()
    with django_assert_max_num_queries(6):
        assert Client().get(PUBLIC.format(lang="ar")).status_code == 200
    with django_assert_max_num_queries(8):
        assert Client().get(_detail(c)).status_code == 200
    with django_assert_max_num_queries(12):
        assert participant_client.get(_detail(c)).status_code == 200
    with django_assert_max_num_queries(12):
        assert participant_client.get(_section_url(c, sections_of(c)[0])).status_code == 200


# -------------------------------------------------------------------------- staff


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "regulation",
        "title_ar": "مشروع نظام",
        "title_fr": "Projet de règlement",
        "description_ar": "",
        "description_fr": "",
        "opens_at": "2026-03-05T09:00",
        "closes_at": "2026-04-05T18:00",
        "moderation": "post",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_creates_a_consultation_and_its_sections(staff_client: Client) -> None:
    response = staff_client.post(f"{STAFF}new/", _form())
    c = Consultation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{STAFF}{c.pk}/"
    assert (c.kind, c.moderation, c.title_fr) == ("regulation", "post", "Projet de règlement")
    assert timezone.localtime(c.opens_at).strftime("%Y-%m-%d %H:%M") == "2026-03-05 09:00"
    response = staff_client.post(
        f"{STAFF}{c.pk}/sections/",
        {
            "order": "",
            "title_ar": "المادة 1",
            "title_fr": "",
            "body_ar": "نص المادة",
            "body_fr": "",
        },
    )
    assert response.status_code == 302
    section = c.sections.get()  # type: ignore[attr-defined]
    assert (section.order, section.title_ar) == (1, "المادة 1")
    response = staff_client.post(
        f"{STAFF}{c.pk}/sections/{section.pk}/",
        {
            "order": "2",
            "title_ar": "المادة الأولى",
            "title_fr": "Article 1",
            "body_ar": "نص",
            "body_fr": "Texte",
        },
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert (section.order, section.title_fr) == (2, "Article 1")
    page = staff_client.get(f"{STAFF}{c.pk}/")
    assert page.status_code == 200 and "المادة الأولى" in _html(page)
    assert staff_client.post(f"{STAFF}{c.pk}/sections/{section.pk}/delete/").status_code == 302
    assert not Section.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "manifesto"}, "kind"),
        ({"kind": None}, "kind"),
        ({"title_ar": "", "title_fr": ""}, "title_ar"),
        ({"title_ar": "x" * 201}, "title_ar"),
        ({"title_fr": "a\x00b"}, "title_fr"),
        ({"description_ar": "x" * 20_001}, "description_ar"),
        ({"description_fr": "\x00"}, "description_fr"),
        ({"opens_at": ""}, "opens_at"),
        ({"opens_at": "demain"}, "opens_at"),
        ({"opens_at": "2026-13-45T99:99"}, "opens_at"),
        ({"closes_at": "99999-01-01T00:00"}, "closes_at"),
        ({"closes_at": "2026-03-01T09:00"}, "closes_at"),
        ({"opens_at": "2025-01-01T09:00", "closes_at": "2025-02-01T09:00"}, "closes_at"),
        ({"moderation": "never"}, "moderation"),
        ({"moderation": None}, "moderation"),
    ],
)
def test_staff_create_bad_input(
    staff_client: Client, overrides: dict[str, Any], field: str
) -> None:
    response = staff_client.post(f"{STAFF}new/", _form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'role="alert"' in _html(response)
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title_ar": "", "title_fr": "", "body_ar": "ن"}, "title_ar"),
        ({"title_ar": "ع", "body_ar": "", "body_fr": ""}, "body_ar"),
        ({"title_ar": "ع", "body_ar": "ن", "order": "0"}, "order"),
        ({"title_ar": "ع", "body_ar": "ن", "order": "abc"}, "order"),
        ({"title_ar": "ع", "body_ar": "ن", "order": "99999999999999999999"}, "order"),
        ({"title_ar": "x" * 201, "body_ar": "ن"}, "title_ar"),
        ({"title_ar": "ع", "body_ar": "ن", "body_fr": "\x00"}, "body_fr"),
    ],
)
def test_staff_section_bad_input(
    consult: Consult, staff_client: Client, data: dict[str, str], field: str
) -> None:
    c = consult(sections=[])
    response = staff_client.post(f"{STAFF}{c.pk}/sections/", data)
    assert response.status_code == 400
    assert field in response.context["new_section"].errors
    assert not Section.objects.exists()


def test_staff_edits_and_closes(consult: Consult, staff_client: Client) -> None:
    c = consult(opens_at=NOW - dt.timedelta(days=1, seconds=-17))
    data = _form(
        opens_at=timezone.localtime(c.opens_at).strftime("%Y-%m-%dT%H:%M"), title_fr="Modifié"
    )
    response = staff_client.post(f"{STAFF}{c.pk}/", data)
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.title_fr == "Modifié"
    bad = staff_client.post(f"{STAFF}{c.pk}/", _form(opens_at="2026-03-10T09:00"))
    assert bad.status_code == 400 and "opens_at" in bad.context["form"].errors
    assert staff_client.post(f"{STAFF}{c.pk}/close/").status_code == 302
    c.refresh_from_db()
    assert c.is_closed
    again = staff_client.post(f"{STAFF}{c.pk}/close/")
    assert again.status_code == 409 and _messages(again)[-1] == "error"
    closed = staff_client.post(f"{STAFF}{c.pk}/", data)
    assert closed.status_code == 409


def test_staff_moderation_queue(
    consult: Consult, staff_client: Client, participant: Participant
) -> None:
    c = consult(moderation=Moderation.PRE)
    s1 = sections_of(c)[0]
    good = services.comment_post(section=s1, participant=participant, text="مقبول")
    spam = services.comment_post(section=s1, participant=participant, text="إشهار")
    html = _html(staff_client.get(f"{STAFF}{c.pk}/moderation/"))
    assert "مقبول" in html and "إشهار" in html and participant.email not in html
    assert staff_client.post(f"{STAFF}{c.pk}/comments/{good.pk}/approve/").status_code == 302
    # A rejection without a reason: 400, unchanged.
    bad = staff_client.post(f"{STAFF}{c.pk}/comments/{spam.pk}/reject/", {"reason": ""})
    assert bad.status_code == 400 and "reason" in _html(bad)
    for reason in ("nonsense", "x" * 300):
        assert (
            staff_client.post(
                f"{STAFF}{c.pk}/comments/{spam.pk}/reject/", {"reason": reason}
            ).status_code
            == 400
        )
    spam.refresh_from_db()
    assert spam.status == "pending"
    ok = staff_client.post(
        f"{STAFF}{c.pk}/comments/{spam.pk}/reject/", {"reason": "spam", "note": "إشهار تجاري"}
    )
    assert ok.status_code == 302
    spam.refresh_from_db()
    assert (spam.status, spam.reason, spam.reason_note) == ("rejected", "spam", "إشهار تجاري")
    # Not allowed from this state: 409.
    assert (
        staff_client.post(f"{STAFF}{c.pk}/comments/{spam.pk}/hide/", {"reason": "spam"}).status_code
        == 409
    )
    # Unknown action or comment: 404.
    assert staff_client.post(f"{STAFF}{c.pk}/comments/{spam.pk}/delete/").status_code == 404
    assert staff_client.post(f"{STAFF}{c.pk}/comments/999999/approve/").status_code == 404
    good.refresh_from_db()
    assert good.status == "published"
    for state in ("published", "rejected", "hidden", "all", "nonsense"):
        assert staff_client.get(f"{STAFF}{c.pk}/moderation/?state={state}").status_code == 200
    hide = staff_client.post(
        f"{STAFF}{c.pk}/comments/{good.pk}/hide/?state=published", {"reason": "duplicate"}
    )
    assert hide.status_code == 302 and hide["Location"].endswith("?state=published")
    good.refresh_from_db()
    assert good.status == "hidden"


def test_staff_synthesis_page(consult: Consult, staff_client: Client) -> None:
    c = consult()
    s1, s2 = sections_of(c)
    url = f"{STAFF}{c.pk}/synthesis/"
    assert staff_client.get(url).status_code == 200
    early = staff_client.post(url, {"synthesis_ar": "خلاصة", "publish": "1"})
    assert early.status_code == 409
    with time_machine.travel(NOW + dt.timedelta(days=11), tick=False):
        empty = staff_client.post(url, {"synthesis_ar": "", "synthesis_fr": "", "publish": "1"})
        assert empty.status_code == 400 and "synthesis_ar" in empty.context["form"].errors
        long = staff_client.post(
            url, {"synthesis_ar": "خ", f"response_fr_{s2.pk}": "x" * 20_001, "save": "1"}
        )
        assert long.status_code == 400 and f"response_fr_{s2.pk}" in long.context["form"].errors
        saved = staff_client.post(
            url, {"synthesis_ar": "مسودة", f"response_ar_{s1.pk}": "جواب", "save": "1"}
        )
        assert saved.status_code == 302
        c.refresh_from_db()
        assert c.synthesis_published_at is None and c.synthesis_ar == "مسودة"
        published = staff_client.post(
            url,
            {
                "synthesis_ar": "خلاصة",
                "synthesis_fr": "Synthèse",
                f"response_ar_{s1.pk}": "جواب",
                "publish": "1",
            },
        )
        assert published.status_code == 302
    c.refresh_from_db()
    s1.refresh_from_db()
    assert c.synthesis_published_at is not None and s1.response_ar == "جواب"


def test_staff_pages_render(
    consult: Consult, staff_client: Client, participant: Participant
) -> None:
    c = consult()
    services.comment_post(section=sections_of(c)[0], participant=participant, text="x")
    for path in (
        "",
        "new/",
        f"{c.pk}/",
        f"{c.pk}/moderation/",
        f"{c.pk}/synthesis/",
        f"{c.pk}/report/",
        f"{c.pk}/report.csv",
    ):
        for lang in ("ar", "fr"):
            response = staff_client.get(STAFF.replace("/ar/", f"/{lang}/") + path)
            assert response.status_code == 200, (lang, path)


def test_staff_list_query_count(
    consult: Consult,
    staff_client: Client,
    participant: Participant,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(10):
        c = consult()
        services.comment_post(section=sections_of(c)[0], participant=participant, text="x")
    with django_assert_max_num_queries(12):
        response = staff_client.get(STAFF)
    assert response.status_code == 200 and len(response.context["consultations"]) == 10
    assert all(x.n_pending == 1 and x.n_sections == 2 for x in response.context["consultations"])
    with django_assert_max_num_queries(14):
        assert staff_client.get(f"{STAFF}{c.pk}/moderation/?state=all").status_code == 200


def _staff_urls(c: Consultation, section: Section, comment: Comment) -> list[str]:
    base = "/fr/staff/commune-a/consultations/"
    return [
        base,
        f"{base}new/",
        f"{base}{c.pk}/",
        f"{base}{c.pk}/close/",
        f"{base}{c.pk}/sections/",
        f"{base}{c.pk}/sections/{section.pk}/",
        f"{base}{c.pk}/sections/{section.pk}/delete/",
        f"{base}{c.pk}/moderation/",
        f"{base}{c.pk}/comments/{comment.pk}/approve/",
        f"{base}{c.pk}/comments/{comment.pk}/reject/",
        f"{base}{c.pk}/comments/{comment.pk}/hide/",
        f"{base}{c.pk}/synthesis/",
        f"{base}{c.pk}/report/",
        f"{base}{c.pk}/report.csv",
        f"{base}{c.pk}/report.pdf",
    ]


def test_every_staff_url_is_404_for_another_collectivity(
    consult: Consult, participant: Participant, charlie: User, citizen: User, network_admin: User
) -> None:
    c = consult()
    comment = services.comment_post(section=sections_of(c)[0], participant=participant, text="x")
    for outsider in (charlie, citizen, network_admin):
        client = Client()
        client.force_login(outsider)
        login_participant(client, participant)
        for url in _staff_urls(c, sections_of(c)[0], comment):
            assert client.get(url).status_code == 404, (outsider, url)
            assert client.post(url, {"reason": "spam", "title_ar": "x"}).status_code == 404, (
                outsider,
                url,
            )
    comment.refresh_from_db()
    c.refresh_from_db()
    assert comment.status == "pending" and not c.is_closed and c.sections.count() == 2  # type: ignore[attr-defined]


def test_another_collectivitys_consultation_is_404_for_staff(
    consult: Consult, staff_client: Client, collectivity_b: Any
) -> None:
    theirs = consult(collectivity=collectivity_b)
    for path in ("", "moderation/", "report/", "synthesis/"):
        assert staff_client.get(f"{STAFF}{theirs.pk}/{path}").status_code == 404


def test_anonymous_staff_page_redirects_to_login(consult: Consult) -> None:
    response = Client().get(STAFF)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_huge_ids_in_urls_are_404(
    consult: Consult, staff_client: Client, participant_client: Client
) -> None:
    c = consult()
    s1 = sections_of(c)[0]
    huge = "99999999999999999999"
    for url in (
        f"{PUBLIC.format(lang='ar')}{huge}/",
        f"{_detail(c)}sections/{huge}/",
        f"{STAFF}{huge}/",
        f"{STAFF}{c.pk}/sections/{huge}/delete/",
        f"{STAFF}{c.pk}/comments/{huge}/approve/",
    ):
        client = staff_client if "/staff/" in url else participant_client
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url).status_code == 404, url
    assert (
        participant_client.post(f"{_detail(c)}sections/{huge}/comment/", {"text": "x"}).status_code
        == 404
    )
    assert (
        participant_client.post(
            f"{_detail(c)}sections/{s1.pk}/comment/", {"text": "x", "parent": huge}
        ).status_code
        == 400
    )
