"""The minutes' pages: the secretariat's page (draft, approve, sign) and the public
download and signature check, end to end through the test client, in /ar/ and /fr/.

Assertions look at status codes, the context and data (names, hashes), never at
translated text. Public tests sign a small PDF made with pypdf (no WeasyPrint needed);
the full path through the staff page's "sign" button is marked `pdf`.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from pypdf import PdfWriter

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Role
from infitah.council.models import Minutes, MinutesStatus, Session
from infitah.council.tests.conftest import Council, held_session_for
from infitah.council.workflow import Status
from infitah.lib.pades import pdf_sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_world")]

LANGS = ["ar", "fr"]


def staff_url(session: Session, lang: str = "fr", pdf: bool = False) -> str:
    tail = "minutes.pdf" if pdf else "minutes/"
    return f"/{lang}/staff/{session.collectivity.slug}/council/sessions/{session.pk}/{tail}"


def public_url(
    session: Session, slug: str | None = None, lang: str = "fr", pdf: bool = False
) -> str:
    tail = "minutes.pdf" if pdf else "minutes/check/"
    return f"/{lang}/c/{slug or session.collectivity.slug}/council/sessions/{session.pk}/{tail}"


@pytest.fixture
def secretary_client(staff_for: Any) -> Client:
    client = Client()
    client.force_login(staff_for(Role.COUNCIL_SECRETARY))
    return client


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_directly(council: Council, session: Session) -> tuple[Minutes, bytes]:
    """Signed minutes built with the ORM around a small signed PDF (as minutes_sign
    stores them, without drawing the PDF)."""
    signed = pdf_sign(
        _blank_pdf(),
        collectivity=session.collectivity,
        signers=[council.president.name_ar, council.secretary.name_ar],
        fields=["President", "Secretary"],
        reason="Minutes",
    )
    minutes = Minutes(
        session=session,
        status=MinutesStatus.SIGNED,
        text_ar="نص المحضر",
        approved_at=timezone.now(),
        signed_at=timezone.now(),
        signed_sha256=hashlib.sha256(signed).hexdigest(),
    )
    minutes.signed_pdf.save("minutes.pdf", ContentFile(signed), save=False)
    minutes.save()
    return minutes, signed


@pytest.fixture
def signed(council_a: Council, held_session: Session) -> tuple[Minutes, bytes]:
    return sign_directly(council_a, held_session)


# --- The secretariat's page ----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_secretary_writes_and_approves_the_minutes(secretary_client, held_session, lang) -> None:
    url = staff_url(held_session, lang)
    page = secretary_client.get(url)
    assert page.status_code == 200
    assert page.context["minutes"] is None and page.context["can_write"]
    assert page.context["president"].name_ar == "أحمد العلوي"

    saved = secretary_client.post(url, {"action": "save", "text_ar": "نص المحضر", "text_fr": ""})
    assert saved.status_code == 302
    minutes = Minutes.objects.get(session=held_session)
    assert minutes.text_ar == "نص المحضر" and minutes.status == MinutesStatus.DRAFT

    approved = secretary_client.post(url, {"action": "approve"})
    assert approved.status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED

    again = secretary_client.post(url, {"action": "approve"})  # refused, not a 500
    assert again.status_code == 400 and again.context["errors"]


@pytest.mark.parametrize(
    "data",
    [
        {"action": "save", "text_ar": "نص\x00", "text_fr": ""},
        {"action": "save", "text_ar": "", "text_fr": ""},
        {"action": "save"},
        {"action": "sign"},
        {"action": "nonsense"},
        {},
    ],
)
def test_bad_posts_are_refused_without_writing(secretary_client, held_session, data) -> None:
    response = secretary_client.post(staff_url(held_session), data)
    assert response.status_code == 400
    assert not Minutes.objects.filter(session=held_session, status=MinutesStatus.SIGNED).exists()
    assert not Minutes.objects.filter(session=held_session).exclude(text_ar="").exists()


def test_the_page_of_a_session_not_yet_held_has_no_form(secretary_client, council_a) -> None:
    session = held_session_for(council_a, status=Status.CONVENED)
    page = secretary_client.get(staff_url(session))
    assert page.status_code == 200 and not page.context["can_write"]
    assert (
        secretary_client.post(staff_url(session), {"action": "save", "text_ar": "x"}).status_code
        == 400
    )
    assert not Minutes.objects.exists()


@pytest.mark.pdf
def test_secretary_signs_and_sees_the_check(secretary_client, held_session) -> None:
    url = staff_url(held_session)
    secretary_client.post(url, {"action": "save", "text_ar": "نص المحضر", "text_fr": "Texte"})
    secretary_client.post(url, {"action": "approve"})
    response = secretary_client.post(url, {"action": "sign"})
    assert response.status_code == 302
    minutes = Minutes.objects.get(session=held_session)
    assert minutes.status == MinutesStatus.SIGNED
    page = secretary_client.get(url)
    assert page.context["check"].valid and page.context["check"].trusted
    assert not page.context["can_write"]
    download = secretary_client.get(staff_url(held_session, pdf=True))
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == minutes.signed_sha256
    # And the public can download and check it.
    public = Client().get(public_url(held_session))
    assert public.status_code == 200 and public.context["check"].valid


def test_staff_pdf_is_404_before_signing(secretary_client, held_session) -> None:
    assert secretary_client.get(staff_url(held_session, pdf=True)).status_code == 404


def test_signed_minutes_page_shows_the_check(secretary_client, signed, held_session) -> None:
    page = secretary_client.get(staff_url(held_session, "ar"))
    assert page.status_code == 200
    check = page.context["check"]
    assert check.valid and check.trusted
    assert "أحمد العلوي" in page.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404(
    method, held_session, signed, charlie, citizen, network_admin, staff_for
) -> None:
    outsiders = [
        charlie,
        citizen,
        network_admin,
        staff_for(Role.COUNCIL_MEMBER),
        staff_for(Role.PUBLICATION_EDITOR),
    ]
    for user in outsiders:
        client = Client()
        client.force_login(user)
        for url in (staff_url(held_session), staff_url(held_session, pdf=True)):
            response = getattr(client, method)(url, {"action": "approve"})
            assert response.status_code == 404, (user, url)


def test_anonymous_is_sent_to_sign_in(held_session) -> None:
    response = Client().get(staff_url(held_session))
    assert response.status_code == 302 and "login" in response["Location"]


def test_another_collectivitys_session_is_404_for_the_secretariat(
    secretary_client, collectivity_b
) -> None:
    from infitah.council.tests.conftest import council_member, council_term

    term = council_term(collectivity_b)
    council_b = Council(
        term=term,
        president=council_member(term, "رئيس", "Président", "president"),
        secretary=council_member(term, "كاتب", "Secrétaire", "secretary"),
        members=[council_member(term, "عضو", "Membre")],
    )
    # Fill the council with five seats as held_session_for expects.
    council_b.members += [
        council_member(term, "عضو ثان", "Membre 2"),
        council_member(term, "عضو ثالث", "Membre 3"),
    ]
    session_b = held_session_for(council_b)
    url = f"/fr/staff/commune-a/council/sessions/{session_b.pk}/minutes/"
    assert secretary_client.get(url).status_code == 404
    assert secretary_client.post(url, {"action": "save", "text_ar": "x"}).status_code == 404
    assert not Minutes.objects.exists()


# --- The public -------------------------------------------------------------------------------


def test_public_pdf_only_once_signed(council_a, held_session) -> None:
    client = Client()
    assert client.get(public_url(held_session, pdf=True)).status_code == 404
    assert client.get(public_url(held_session)).status_code == 404
    Minutes.objects.create(session=held_session, text_ar="نص", status=MinutesStatus.APPROVED)
    assert client.get(public_url(held_session, pdf=True)).status_code == 404
    assert client.get(public_url(held_session)).status_code == 404


@pytest.mark.parametrize("lang", LANGS)
def test_public_download_and_check(signed, held_session, lang) -> None:
    minutes, data = signed
    client = Client()
    download = client.get(public_url(held_session, lang=lang, pdf=True))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert download.content == data
    page = client.get(public_url(held_session, lang=lang))
    assert page.status_code == 200
    check = page.context["check"]
    assert check.valid and check.trusted
    assert check.signer_names == ["أحمد العلوي", "فاطمة الزهراء بناني"]
    content = page.content.decode()
    assert "أحمد العلوي" in content and minutes.signed_sha256 in content


def test_public_pages_are_404_under_another_collectivity(
    signed, held_session, collectivity_b
) -> None:
    client = Client()
    for pdf in (True, False):
        assert (
            client.get(public_url(held_session, slug=collectivity_b.slug, pdf=pdf)).status_code
            == 404
        )
        assert client.get(public_url(held_session, slug="nowhere", pdf=pdf)).status_code == 404


def test_minutes_of_a_sitting_in_camera_are_not_public(council_a) -> None:
    session = held_session_for(council_a, is_public=False)
    sign_directly(council_a, session)
    client = Client()
    assert client.get(public_url(session, pdf=True)).status_code == 404
    assert client.get(public_url(session)).status_code == 404


def test_minutes_of_a_deleted_session_are_not_public(signed, held_session) -> None:
    held_session.deleted = True
    held_session.save()
    assert Client().get(public_url(held_session, pdf=True)).status_code == 404


def _upload(client: Client, session: Session, name: str, content: bytes, **extra: Any) -> Any:
    return client.post(
        public_url(session), {"file": SimpleUploadedFile(name, content, "application/pdf")}, **extra
    )


def test_upload_of_the_signed_file_is_recognised(signed, held_session) -> None:
    _minutes, data = signed
    response = _upload(Client(), held_session, "محضر.pdf", data)
    assert response.status_code == 200
    verdict = response.context["verdict"]
    assert verdict.is_same_file and verdict.check.valid
    assert verdict.sha256 == hashlib.sha256(data).hexdigest()


def test_upload_of_an_altered_copy_is_caught(signed, held_session) -> None:
    _minutes, data = signed
    altered = bytearray(data)
    altered[len(altered) // 4] ^= 0x01
    response = _upload(Client(), held_session, "copy.pdf", bytes(altered))
    assert response.status_code == 200
    verdict = response.context["verdict"]
    assert not verdict.is_same_file and not verdict.check.valid


def test_upload_of_another_signed_pdf_is_not_the_minutes(council_a, signed, held_session) -> None:
    other = pdf_sign(
        _blank_pdf(), collectivity=held_session.collectivity, signers=["X"], reason="r"
    )
    verdict = _upload(Client(), held_session, "other.pdf", other).context["verdict"]
    assert verdict.check.valid and not verdict.is_same_file


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.pdf", b""),
        ("text.pdf", b"hello, not a pdf"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("noextension", b"%PDF-1.7\n"),
        ("../../etc/passwd.pdf", b"%PDF-1.7\n"),
        ("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20),
        ("rtl\u202efdp.exe", b"%PDF-1.7\n"),
    ],
)
def test_garbage_uploads_never_cause_a_server_error(signed, held_session, name, content) -> None:
    response = _upload(Client(), held_session, name, content)
    assert response.status_code in {200, 400}
    verdict = response.context["verdict"]
    assert verdict is None or not (verdict.is_same_file or verdict.check.valid)


def test_post_without_a_file_or_too_large(signed, held_session) -> None:
    client = Client()
    assert client.post(public_url(held_session), {}).status_code == 400
    response = client.post(public_url(held_session), {}, CONTENT_LENGTH=str(10**9))
    assert response.status_code == 413
    response = client.post(public_url(held_session), {}, CONTENT_LENGTH="nonsense")
    assert response.status_code == 413


def test_the_check_form_needs_the_csrf_token(signed, held_session) -> None:
    _minutes, data = signed
    client = Client(enforce_csrf_checks=True)
    assert _upload(client, held_session, "m.pdf", data).status_code == 403
