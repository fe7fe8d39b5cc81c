"""Co-creation pages end to end through the test client: the public board, workshop and
proposal pages in Arabic and French, the participant's forms (propose, comment,
support), the staff's board and actions; bad input gives 400 and writes nothing;
tenancy on every staff URL; public pages 404 outside the network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from infitah.accounts.models import Role, User
from infitah.openplan.models import (
    Axis,
    Commitment,
    Programme,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Workshop,
)
from infitah.openplan.services import cocreation, core
from infitah.openplan.staff_cocreation_urls import urlpatterns as staff_patterns
from infitah.openplan.tests.cocreation_world import (
    online_workshop,
    onsite_workshop,
    person,
    propose,
)
from infitah.openplan.tests.conftest import PROGRAMME_DATA
from infitah.openplan.workflow import ProposalKind, ProposalStatus, Status
from infitah.participation.models import Participant
from infitah.participation.testing import login_participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]


def _public(lang: str, programme: Programme, path: str = "cocreation/") -> str:
    return f"/{lang}/c/{programme.collectivity.slug}/programmes/{programme.pk}/{path}"


def _staff(lang: str, programme: Programme, path: str = "") -> str:
    return (
        f"/{lang}/staff/{programme.collectivity.slug}/programmes/{programme.pk}/cocreation/{path}"
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _as(participant: Participant) -> Client:
    client = Client()
    login_participant(client, participant)
    return client


@pytest.fixture
def workshop(programme: Programme, focal_point: User, axis: Axis) -> Workshop:
    return online_workshop(programme, focal_point, axis=axis, place="دار الشباب")


@pytest.fixture
def staff(focal_point: User) -> Client:
    return _client(focal_point)


@pytest.fixture
def programme_b(collectivity_b: Collectivity, charlie: User) -> Programme:
    programme = core.programme_create(
        collectivity=collectivity_b, actor=charlie, data=PROGRAMME_DATA
    )
    core.axis_save(programme=programme, actor=charlie, data={"title_fr": "Culture"})
    return programme


@pytest.fixture
def second(collectivity_a: Collectivity, focal_point: User) -> Programme:
    """Another programme of A, with its own axis and open workshop."""
    programme = core.programme_create(
        collectivity=collectivity_a, actor=focal_point, data=PROGRAMME_DATA
    )
    core.axis_save(programme=programme, actor=focal_point, data={"title_fr": "Eau"})
    online_workshop(programme, focal_point, axis=programme.axes.get())
    return programme


# --- public pages ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_board_shows_axes_proposals_supports_and_the_trail(
    lang: str,
    programme: Programme,
    workshop: Workshop,
    participant: Participant,
    focal_point: User,
    axis: Axis,
) -> None:
    main = propose(workshop, participant, "غياب المعلومات حول الميزانية")
    twin = propose(workshop, person(2), "المعلومات غير متاحة")
    solution = propose(workshop, person(3), "نشر الميزانية المفتوحة", kind=ProposalKind.SOLUTION)
    cocreation.proposal_group(proposals=[twin], under=main, actor=focal_point)
    cocreation.proposal_support(proposal=twin, participant=person(4))
    cocreation.proposals_to_commitment(
        programme=programme, actor=focal_point, proposals=[solution], data={"title_fr": "Budget"}
    )
    hidden = propose(workshop, person(5), "نص مسيء")
    cocreation.proposal_hide(proposal=hidden, actor=focal_point, reason="إساءة")
    response = Client().get(_public(lang, programme))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{lang}"' in html
    assert _public(lang, programme, f"proposals/{main.pk}/") in html
    assert _public(lang, programme, f"proposals/{solution.pk}/") in html
    # The duplicate is folded in its main proposal; the hidden one is not shown.
    assert _public(lang, programme, f"proposals/{twin.pk}/") not in html
    assert "نص مسيء" not in html
    assert _public(lang, programme, "commitments/1/") in html
    assert _public(lang, programme, f"workshops/{workshop.pk}/") in html
    assert f'id="axis-{axis.pk}"' in html
    assert participant.email not in html
    # Not signed in: the join link, back to this page.
    with translation.override(lang):
        assert escape(reverse("participation:join")) in html


def test_the_board_s_column_is_paged_and_404_for_bad_filters(
    programme: Programme, workshop: Workshop, second: Programme, axis: Axis
) -> None:
    for n in range(25):
        propose(workshop, person(n), f"مشكل رقم {n}")
    url = _public("fr", programme)
    board = Client().get(url).content.decode()
    assert f"?axis={axis.pk}&amp;kind=problem" in board
    page = Client().get(url, {"axis": str(axis.pk), "kind": "problem"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('id="proposal-') == 20 and "page=2" in html
    assert (
        Client().get(url, {"axis": str(axis.pk), "kind": "problem", "page": "2"}).status_code == 200
    )
    assert Client().get(url, {"axis": "none", "kind": "solution"}).status_code == 200
    assert Client().get(url, {"view": "workshops"}).status_code == 200
    other_axis = second.axes.get()
    queries: list[dict[str, str]] = [
        {"axis": "abc", "kind": "problem"},
        {"axis": "99999999999999999999", "kind": "problem"},
        {"axis": str(other_axis.pk), "kind": "problem"},
        {"axis": str(axis.pk), "kind": "wish"},
        {"axis": str(axis.pk)},
    ]
    for query in queries:
        assert Client().get(url, query).status_code == 404, query


def test_public_pages_404_outside_the_network_and_for_bad_ids(
    programme: Programme,
    programme_b: Programme,
    workshop: Workshop,
    participant: Participant,
    charlie: User,
) -> None:
    proposal = propose(workshop, participant)
    theirs = online_workshop(programme_b, charlie, axis=programme_b.axes.get())
    theirs_proposal = propose(theirs, person(2))
    client = Client()
    for path in ("cocreation/", f"workshops/{theirs.pk}/", f"proposals/{theirs_proposal.pk}/"):
        assert client.get(_public("ar", programme_b, path)).status_code == 404, path
    # The ids of another programme's objects through this programme: 404.
    assert client.get(_public("ar", programme, f"workshops/{theirs.pk}/")).status_code == 404
    assert (
        client.get(_public("ar", programme, f"proposals/{theirs_proposal.pk}/")).status_code == 404
    )
    base = "/ar/c/commune-a/programmes/"
    for path in (
        "99999999999999999999/cocreation/",
        f"{programme.pk}/workshops/99999999999999999999/",
        f"{programme.pk}/proposals/99999999999999999999/",
        "abc/cocreation/",
        f"{programme.pk}/proposals/abc/",
    ):
        assert client.get(base + path).status_code == 404, path
    assert client.get(_public("ar", programme, f"proposals/{proposal.pk}/")).status_code == 200
    # A participant acting on another programme's proposal through this programme: 404.
    signed = _as(participant)
    crafted = _public("ar", programme, f"proposals/{theirs_proposal.pk}/")
    assert signed.post(f"{crafted}support/", {"value": "support"}).status_code == 404
    assert signed.post(f"{crafted}comment/", {"text": "نعم"}).status_code == 404
    assert not ProposalSupport.objects.exists() and not ProposalComment.objects.exists()
    Programme.objects.filter(pk=programme.pk).update(status=Status.ABANDONED)
    assert client.get(_public("ar", programme)).status_code == 404


@pytest.mark.parametrize("lang", LANGS)
def test_a_workshop_page_and_its_proposal_form(
    lang: str, programme: Programme, workshop: Workshop, participant: Participant
) -> None:
    url = _public(lang, programme, f"workshops/{workshop.pk}/")
    html = Client().get(url).content.decode()
    assert f'lang="{lang}"' in html and "دار الشباب" in html
    propose_url = f"{url}propose/"
    assert f'action="{propose_url}"' not in html
    with translation.override(lang):
        assert escape(reverse("participation:join")) in html
    signed = _as(participant)
    html = signed.get(url).content.decode()
    assert f'action="{propose_url}"' in html and 'name="text"' in html
    # The workshop has an axis: no axis to choose.
    assert 'name="axis"' not in html
    response = signed.post(propose_url, {"kind": "solution", "text": "نشر المعطيات"})
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _public(lang, programme, f"proposals/{proposal.pk}/")
    assert proposal.participant == participant and proposal.axis == workshop.axis


def test_the_proposal_form_refuses_bad_input_and_writes_nothing(
    programme: Programme,
    focal_point: User,
    second: Programme,
    participant: Participant,
) -> None:
    open_all = online_workshop(programme, focal_point)
    url = _public("fr", programme, f"workshops/{open_all.pk}/propose/")
    signed = _as(participant)
    html = signed.get(_public("fr", programme, f"workshops/{open_all.pk}/")).content.decode()
    assert 'name="axis"' in html
    axis = programme.axes.first()
    assert axis is not None
    bad = [
        {"kind": "problem", "text": "", "axis": axis.pk},
        {"kind": "problem", "text": "x" * 2001, "axis": axis.pk},
        {"kind": "problem", "text": "a\x00b", "axis": axis.pk},
        {"kind": "wish", "text": "نص", "axis": axis.pk},
        {"kind": "problem", "text": "نص", "axis": "abc"},
        {"kind": "problem", "text": "نص", "axis": "99999999999999999999"},
        {"kind": "problem", "text": "نص", "axis": second.axes.get().pk},
        {"kind": "problem", "text": "نص"},
    ]
    for data in bad:
        response = signed.post(url, data)
        assert response.status_code == 400, data
        assert 'role="alert"' in response.content.decode()
    # Not signed in: to the join page, nothing written.
    response = Client().post(url, {"kind": "problem", "text": "نص", "axis": axis.pk})
    assert response.status_code == 302 and reverse("participation:join") in response["Location"]
    # A workshop of another programme through this programme's URL: 404.
    theirs = second.workshops.get()
    crafted = _public("fr", programme, f"workshops/{theirs.pk}/propose/")
    assert signed.post(crafted, {"kind": "problem", "text": "نص"}).status_code == 404
    assert not Proposal.objects.exists()


def test_a_closed_window_answers_409(
    programme: Programme, focal_point: User, participant: Participant, axis: Axis
) -> None:
    later = online_workshop(
        programme, focal_point, axis=axis, opens=dt.timedelta(days=1), closes=dt.timedelta(days=2)
    )
    signed = _as(participant)
    html = signed.get(_public("ar", programme, f"workshops/{later.pk}/")).content.decode()
    assert "propose/" not in html
    response = signed.post(
        _public("ar", programme, f"workshops/{later.pk}/propose/"),
        {"kind": "problem", "text": "نص"},
    )
    assert response.status_code == 409 and not Proposal.objects.exists()


@pytest.mark.parametrize("lang", LANGS)
def test_a_proposal_page_comments_supports_and_trail(
    lang: str,
    programme: Programme,
    workshop: Workshop,
    participant: Participant,
    focal_point: User,
    axis: Axis,
) -> None:
    proposal = propose(workshop, participant, "غياب الشفافية")
    url = _public(lang, programme, f"proposals/{proposal.pk}/")
    html = Client().get(url).content.decode()
    assert f'lang="{lang}"' in html and "غياب الشفافية" in html
    assert participant.display_name in html and participant.email not in html
    assert f'action="{url}support/"' not in html
    fan = person(2)
    signed = _as(fan)
    html = signed.get(url).content.decode()
    assert f'action="{url}support/"' in html and f'action="{url}comment/"' in html
    for _twice in range(2):
        assert signed.post(f"{url}support/", {"value": "support"}).status_code == 302
    assert ProposalSupport.objects.filter(proposal=proposal).count() == 1
    assert 'value="unsupport"' in signed.get(url).content.decode()
    assert signed.post(f"{url}support/", {"value": "unsupport"}).status_code == 302
    assert not ProposalSupport.objects.exists()
    assert signed.post(f"{url}support/", {"value": "love"}).status_code == 400
    assert not ProposalSupport.objects.exists()
    for bad in ("", "x" * 2001, "a\x00"):
        assert signed.post(f"{url}comment/", {"text": bad}).status_code == 400
    assert not ProposalComment.objects.exists()
    response = signed.post(f"{url}comment/", {"text": "فكرة جيدة"})
    comment = ProposalComment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")
    html = Client().get(url).content.decode()
    assert "فكرة جيدة" in html and fan.display_name in html and fan.email not in html
    # Not signed in: POSTs go to the join page.
    for path, data in (("support/", {"value": "support"}), ("comment/", {"text": "نعم"})):
        response = Client().post(f"{url}{path}", data)
        assert response.status_code == 302
        assert "/participation/join/" in response["Location"]
    assert ProposalComment.objects.count() == 1
    # The trail: it became commitment 1.
    cocreation.proposals_to_commitment(
        programme=programme, actor=focal_point, proposals=[proposal], data={"title_fr": "Budget"}
    )
    html = Client().get(url).content.decode()
    assert _public(lang, programme, "commitments/1/") in html


def test_on_site_and_hidden_proposals_pages(
    programme: Programme, focal_point: User, axis: Axis, participant: Participant
) -> None:
    workshop = onsite_workshop(programme, focal_point, axis=axis)
    recorded = cocreation.proposal_record(
        workshop=workshop,
        actor=focal_point,
        kind=ProposalKind.SOLUTION,
        text="منصة رقمية",
        author_label="جمعية الأمل",
    )
    url = _public("fr", programme, f"proposals/{recorded.pk}/")
    html = Client().get(url).content.decode()
    with translation.override("fr"):
        assert escape(gettext("Recorded on site")) in html
    assert "جمعية الأمل" in html and focal_point.email not in html
    cocreation.proposal_hide(proposal=recorded, actor=focal_point, reason="مكرر")
    html = Client().get(url).content.decode()
    assert "منصة رقمية" not in html and "مكرر" in html
    signed = _as(participant)
    assert signed.post(f"{url}support/", {"value": "support"}).status_code == 409
    assert signed.post(f"{url}comment/", {"text": "نعم"}).status_code == 409
    assert not ProposalSupport.objects.exists() and not ProposalComment.objects.exists()


def test_an_unverified_participant_cannot_act(
    programme: Programme, workshop: Workshop, participant: Participant
) -> None:
    proposal = propose(workshop, participant)
    stranger = Participant.objects.create(email="new@example.test", display_name="جديد")
    client = _as(stranger)
    # The session's participant must be verified: others are sent to the join page.
    url = _public("ar", programme, f"proposals/{proposal.pk}/")
    assert client.post(f"{url}support/", {"value": "support"}).status_code == 302
    assert (
        client.post(
            _public("ar", programme, f"workshops/{workshop.pk}/propose/"),
            {"kind": "problem", "text": "نص"},
        ).status_code
        == 302
    )
    assert not ProposalSupport.objects.exists() and Proposal.objects.count() == 1


# --- staff pages -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_staff_board_and_its_workshops(
    lang: str, programme: Programme, staff: Client, workshop: Workshop, participant: Participant
) -> None:
    proposal = propose(workshop, participant)
    url = _staff(lang, programme)
    response = staff.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{lang}"' in html
    box = f'name="proposals" value="{proposal.pk}"'
    assert box in html and f'action="{url}act/"' in html
    assert f'href="{url}workshops/new/"' in html and f'href="{url}workshops/{workshop.pk}/"' in html
    for query in ({"axis": "abc"}, {"kind": "x", "state": "y", "page": "zz"}, {"axis": "none"}):
        assert staff.get(url, query).status_code == 200
    assert box not in staff.get(url, {"state": "hidden"}).content.decode()


def test_staff_add_change_and_remove_workshops(
    programme: Programme, staff: Client, axis: Axis
) -> None:
    url = _staff("fr", programme, "workshops/new/")
    assert staff.get(url).status_code == 200
    bad = staff.post(url, {"title_ar": "", "mode": "online", "opens_at": "x"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    bad = staff.post(url, {"title_ar": "ورشة", "mode": "online", "axis": "abc"})
    assert bad.status_code == 400
    assert not Workshop.objects.exists()
    response = staff.post(
        url,
        {
            "title_ar": "ورشة الحكامة",
            "mode": "hybrid",
            "axis": axis.pk,
            "place": "القاعة",
            "held_at": "2027-02-01T10:00",
            "opens_at": "2027-01-20T08:00",
            "closes_at": "2027-02-05T18:00",
            "onsite_participants": "30",
        },
    )
    assert response.status_code == 302 and response["Location"] == _staff("fr", programme)
    workshop = Workshop.objects.get()
    assert workshop.onsite_participants == 30 and workshop.axis == axis
    edit = _staff("fr", programme, f"workshops/{workshop.pk}/")
    assert 'value="2027-02-01T10:00"' in staff.get(edit).content.decode()
    response = staff.post(
        edit,
        {
            "title_ar": "ورشة الحكامة",
            "mode": "on_site",
            "axis": axis.pk,
            "held_at": "2027-02-01T10:00",
        },
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.mode == "on_site" and workshop.opens_at is None
    assert staff.get(f"{edit}delete/").status_code == 405
    assert staff.post(f"{edit}delete/").status_code == 302
    assert not Workshop.objects.exists()


def test_staff_record_on_site_proposals(
    programme: Programme, staff: Client, focal_point: User, axis: Axis, second: Programme
) -> None:
    workshop = onsite_workshop(programme, focal_point)
    url = _staff("ar", programme, "record/")
    assert staff.get(url, {"workshop": workshop.pk}).status_code == 200
    assert staff.get(url, {"workshop": "abc"}).status_code == 200
    for data in (
        {"workshop": workshop.pk, "kind": "problem", "text": "", "axis": axis.pk},
        {"workshop": workshop.pk, "kind": "problem", "text": "x" * 2001, "axis": axis.pk},
        {"workshop": "abc", "kind": "problem", "text": "نص", "axis": axis.pk},
        {"workshop": second.workshops.get().pk, "kind": "problem", "text": "نص", "axis": axis.pk},
        {"workshop": workshop.pk, "kind": "problem", "text": "نص"},  # the axis is required
        {
            "workshop": workshop.pk,
            "kind": "problem",
            "text": "نص",
            "axis": axis.pk,
            "author_label": "a\x00",
        },
    ):
        assert staff.post(url, data).status_code == 400, data
    assert not Proposal.objects.exists()
    response = staff.post(
        url,
        {
            "workshop": workshop.pk,
            "kind": "solution",
            "text": "نشر المعطيات",
            "axis": axis.pk,
            "author_label": "الطاولة 3",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.recorded_by is not None and proposal.author_label == "الطاولة 3"


def test_staff_group_and_turn_proposals_into_a_commitment(
    programme: Programme,
    staff: Client,
    workshop: Workshop,
    participant: Participant,
    second: Programme,
    focal_point: User,
    commitment: Commitment,
) -> None:
    main, twin, third = (propose(workshop, person(n), f"مشكل {n}") for n in range(3))
    theirs = propose(second.workshops.get(), person(9))
    url = _staff("fr", programme, "act/")
    bad = [
        {"action": "group", "under": main.pk},
        {"action": "group", "proposals": [twin.pk]},
        {"action": "group", "proposals": ["abc"], "under": main.pk},
        {"action": "group", "proposals": ["99999999999999999999"], "under": main.pk},
        {"action": "group", "proposals": [theirs.pk], "under": main.pk},
        {"action": "group", "proposals": [twin.pk], "under": theirs.pk},
        {"action": "explode", "proposals": [twin.pk]},
        {"proposals": [twin.pk]},
        {"action": "commitment", "proposals": [twin.pk], "title_ar": "", "title_fr": ""},
        {"action": "commitment", "proposals": [twin.pk], "title_fr": "x" * 301},
        {"action": "link", "proposals": [twin.pk]},
        {"action": "link", "proposals": [twin.pk], "commitment": "abc"},
    ]
    for data in bad:
        response = staff.post(url, data)
        assert response.status_code == 400, data
        assert 'role="alert"' in response.content.decode()
    assert not Proposal.objects.filter(duplicate_of__isnull=False).exists()
    assert Commitment.objects.filter(programme=programme).count() == 1
    assert not commitment.proposals.exists()
    response = staff.post(
        url, {"action": "group", "proposals": [twin.pk, main.pk], "under": main.pk}
    )
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.duplicate_of == main
    # A duplicate chosen as the main one: 400 with the message beside the choice.
    assert (
        staff.post(url, {"action": "group", "proposals": [third.pk], "under": twin.pk}).status_code
        == 400
    )
    response = staff.post(
        url, {"action": "commitment", "proposals": [main.pk], "title_fr": "Transparence"}
    )
    assert response.status_code == 302
    created = Commitment.objects.get(programme=programme, number=2)
    assert set(created.proposals.values_list("pk", flat=True)) == {main.pk, twin.pk}
    response = staff.post(
        url, {"action": "link", "proposals": [third.pk], "commitment": commitment.pk}
    )
    assert response.status_code == 302
    assert list(commitment.proposals.values_list("pk", flat=True)) == [third.pk]
    Programme.objects.filter(pk=programme.pk).update(status=Status.ADOPTED)
    response = staff.post(
        url, {"action": "link", "proposals": [main.pk], "commitment": commitment.pk}
    )
    assert response.status_code == 409
    assert commitment.proposals.count() == 1


def test_staff_moderate_ungroup_and_unlink_on_a_proposal_s_page(
    programme: Programme,
    staff: Client,
    workshop: Workshop,
    participant: Participant,
    focal_point: User,
    commitment: Commitment,
) -> None:
    main, twin = propose(workshop, participant), propose(workshop, person(2), "نفس")
    cocreation.proposal_group(proposals=[twin], under=main, actor=focal_point)
    cocreation.proposals_link(commitment=commitment, proposals=[main], actor=focal_point)
    comment = cocreation.proposal_comment(proposal=twin, participant=person(3), text="تعليق")
    url = _staff("ar", programme, f"proposals/{twin.pk}/")
    html = staff.get(url).content.decode()
    assert f'action="{url}hide/"' in html and f'action="{url}ungroup/"' in html
    assert f'action="{url}unlink/{commitment.pk}/"' in html
    assert f'action="{url}comments/{comment.pk}/hide/"' in html
    # A retained proposal cannot be hidden: 409.
    assert staff.post(f"{url}hide/", {"reason": "إساءة"}).status_code == 409
    assert staff.post(f"{url}unlink/{commitment.pk}/").status_code == 302
    assert staff.post(f"{url}unlink/{commitment.pk}/").status_code == 409
    assert staff.post(f"{url}unlink/abc/").status_code == 404
    assert staff.post(f"{url}hide/", {"reason": ""}).status_code == 400
    assert staff.post(f"{url}hide/", {"reason": "r" * 501}).status_code == 400
    assert staff.post(f"{url}hide/", {"reason": "إساءة"}).status_code == 302
    twin.refresh_from_db()
    assert twin.status == ProposalStatus.HIDDEN and twin.hidden_reason == "إساءة"
    assert staff.post(f"{url}restore/").status_code == 302
    assert staff.post(f"{url}restore/").status_code == 409
    assert staff.post(f"{url}ungroup/").status_code == 302
    assert staff.post(f"{url}ungroup/").status_code == 409
    twin.refresh_from_db()
    assert twin.duplicate_of is None and twin.is_published
    hide = f"{url}comments/{comment.pk}/hide/"
    response = staff.post(hide, {"reason": ""})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert staff.post(hide, {"reason": "خارج الموضوع"}).status_code == 302
    comment.refresh_from_db()
    assert comment.status == ProposalStatus.HIDDEN
    assert staff.post(f"{url}comments/{comment.pk}/restore/").status_code == 302
    assert staff.post(f"{url}comments/99999999999999999999/restore/").status_code == 404


def _staff_urls(
    programme: Programme,
    workshop: Workshop,
    proposal: Proposal,
    commitment: Commitment,
    comment: ProposalComment,
) -> list[tuple[str, str]]:
    kwargs = {
        "slug": programme.collectivity.slug,
        "pk": programme.pk,
        "workshop": workshop.pk,
        "proposal": proposal.pk,
        "commitment": commitment.pk,
        "comment": comment.pk,
    }
    found = []
    for pattern in staff_patterns:
        names = set(pattern.pattern.converters) | {"slug"}  # type: ignore[attr-defined]
        args = {k: v for k, v in kwargs.items() if k in names}
        with translation.override("fr"):
            found.append(
                (str(pattern.name), reverse(f"openplan-staff:{pattern.name}", kwargs=args))
            )
    return found


def test_outsiders_get_404_on_every_staff_url(
    programme: Programme,
    workshop: Workshop,
    participant: Participant,
    focal_point: User,
    commitment: Commitment,
    charlie: User,
    citizen: User,
    staff_for: Callable[[str], User],
) -> None:
    proposal = propose(workshop, participant)
    cocreation.proposals_link(commitment=commitment, proposals=[proposal], actor=focal_point)
    comment = cocreation.proposal_comment(proposal=proposal, participant=participant, text="نعم")
    urls = _staff_urls(programme, workshop, proposal, commitment, comment)
    assert len(urls) == len(staff_patterns) == 13
    outsiders = [charlie, citizen, staff_for(Role.MONITOR), staff_for(Role.COUNCIL_SECRETARY)]
    for name, url in urls:
        for outsider in outsiders:
            client = _client(outsider)
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"reason": "x", "action": "group"})
                assert response.status_code == 404, (name, url, outsider, method)
    proposal.refresh_from_db()
    assert proposal.is_published and commitment.proposals.count() == 1
    assert ProposalComment.objects.get().status == ProposalStatus.PUBLISHED
    assert Workshop.objects.count() == 1
    # The programme's own staff reach each one.
    staff = _client(focal_point)
    for name, url in urls:
        if name in {
            "cocreation",
            "cocreation-workshop-new",
            "cocreation-workshop",
            "cocreation-record",
            "cocreation-proposal",
        }:
            assert staff.get(url).status_code == 200, name
        else:
            assert staff.get(url).status_code == 405, name


def test_staff_of_a_programme_of_b_do_not_reach_a_s_objects(
    programme: Programme,
    programme_b: Programme,
    workshop: Workshop,
    participant: Participant,
    charlie: User,
) -> None:
    """Charlie's own programme URL with A's ids: 404."""
    proposal = propose(workshop, participant)
    client = _client(charlie)
    assert client.get(_staff("fr", programme_b)).status_code == 200
    for path in (f"workshops/{workshop.pk}/", f"proposals/{proposal.pk}/"):
        assert client.get(_staff("fr", programme_b, path)).status_code == 404
    response = client.post(
        _staff("fr", programme_b, "act/"),
        {"action": "group", "proposals": [proposal.pk], "under": proposal.pk},
    )
    assert response.status_code == 400
    assert (
        client.post(
            _staff("fr", programme_b, f"proposals/{proposal.pk}/hide/"), {"reason": "x"}
        ).status_code
        == 404
    )
    proposal.refresh_from_db()
    assert proposal.is_published
