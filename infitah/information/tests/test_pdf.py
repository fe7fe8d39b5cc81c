"""The receipt and the case file of an access-to-information request, as PDF.

How the Arabic is checked, faithfully. WeasyPrint lays text out with Pango, which shapes
Arabic with HarfBuzz: each letter is drawn with the glyph of its joining form (isolated,
initial, medial, final) from a system font, and the PDF carries, for every glyph, the
letter it stands for (a ToUnicode map). The PDF draws the glyphs of a right-to-left run
in visual order (left to right on the page); pypdf's `extract_text()` maps glyphs back
to letters and reverses each run of right-to-left letters, which gives Arabic words and
phrases in logical (reading) order. So, without any normalisation:

- a whole Arabic phrase (the title, the collectivity's name) is found as typed: the
  letters are in logical order;
- no character of the Arabic presentation-form blocks (U+FB50–U+FDFF, U+FE70–U+FEFF)
  appears: the text was not "reshaped" into compatibility characters by a library, it
  is real letters shaped by the font engine. NFKC would fold presentation forms back to
  letters and hide exactly what this checks, so it is deliberately not applied;
- one letter (lam) is drawn by several glyphs of the embedded font: the shaper chose
  different joining forms, so the font has Arabic glyphs and joins them (with no Arabic
  font, every lam would be the same missing-glyph box).

Only whitespace is normalised (`_words`), because a long phrase may wrap onto two lines.
pypdf does not run the full bidi algorithm: it keeps the runs of a line in the order they
are drawn, so a line mixing Arabic with digits, Latin or a final full stop comes out run
by run in visual order ("ميزانية سنة 2026" is drawn, and extracted, as "2026 ميزانية سنة").
The PDF itself is right (checked by eye, and the dates inside Arabic sentences are held
by LRM marks); the assertions therefore look for whole Arabic runs, and for Latin values
(reference, masked number) on their own. Dates are written in words, in each language
("6 دجنبر 2026", "6 décembre 2026"): the French date is found whole, the Arabic one by
its month name and its figures (`_assert_dated`), and no ISO date is left.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from typing import Any, cast

import pytest
import time_machine
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from infitah.accounts.models import User
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.pdf import case_file_pdf, receipt_pdf
from infitah.information.services import (
    RequestInput,
    request_clarify,
    request_complain,
    request_confirm,
    request_decide_complaint,
    request_file,
    request_refuse,
    request_reply,
)
from infitah.information.workflow import RefusalReason
from infitah.lib.tests.files import pdf_with_text
from infitah.territories.models import Collectivity

CLEAR_ID = "AB123456"
MASKED_ID = "•••••456"
RECEIPT_TITLE_AR = "وصل إيداع طلب الحصول على المعلومات"
RECEIPT_TITLE_FR = "Récépissé de dépôt d’une demande d’accès à l’information"
SUBJECT_AR = "ميزانية الجماعة وبرنامج عملها"
DESCRIPTION_AR = "أطلب نسخة من ميزانية الجماعة ومن محاضر دورات المجلس"
PRESENTATION_FORMS = [(0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]
LAM = "\u0644"
# The months as the Moroccan administration writes them, and in French.
MONTHS_AR = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
]
MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


# ---------------------------------------------------------------------- PDF reading


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _words(pdf: bytes) -> str:
    """The extracted text with every run of whitespace (line breaks too) as one space."""
    return " ".join(_text(pdf).split())


def _presentation_forms(text: str) -> list[str]:
    return [c for c in text if any(lo <= ord(c) <= hi for lo, hi in PRESENTATION_FORMS)]


def _glyphs_per_character(pdf: bytes) -> dict[str, set[tuple[str, str]]]:
    """For each character, the (font, glyph id) pairs that draw it, read from the
    ToUnicode maps of the embedded fonts (one `<glyph> <utf-16>` line per glyph)."""
    glyphs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        for reference in cast(DictionaryObject, resources["/Font"].get_object()).values():
            font = cast(DictionaryObject, reference.get_object())
            to_unicode = cast(StreamObject, font["/ToUnicode"].get_object())
            cmap = to_unicode.get_data().decode("ascii")
            in_chars = False
            for line in cmap.splitlines():
                if line.endswith("beginbfchar"):
                    in_chars = True
                elif line == "endbfchar":
                    in_chars = False
                elif in_chars:
                    glyph, unicode_hex = line.strip("<>").split("> <")
                    text = bytes.fromhex(unicode_hex).decode("utf-16-be")
                    if len(text) == 1:
                        glyphs[text].add((str(font["/BaseFont"]), glyph))
    return glyphs


def _every_byte(pdf: bytes) -> bytes:
    """The file, plus every stream decompressed and every object printed: a clear value
    hidden in a compressed stream or in the metadata would be found here."""
    reader = PdfReader(io.BytesIO(pdf))
    chunks = [pdf, repr(reader.metadata).encode()]
    for number in range(1, cast(int, reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: S112 - free or missing object numbers
            continue
        if isinstance(obj, StreamObject):
            chunks.append(obj.get_data())
        chunks.append(repr(obj).encode("utf-8"))
    return b"\n".join(chunks)


def _assert_arabic_shaped(pdf: bytes, *phrases: str) -> None:
    words = _words(pdf)
    for phrase in phrases:
        assert phrase in words
    assert _presentation_forms(_text(pdf)) == []
    assert len(_glyphs_per_character(pdf)[LAM]) >= 2


def _french(day: dt.date) -> str:
    return f"{day.day} {MONTHS_FR[day.month - 1]} {day.year}"


def _assert_dated(words: str, *days: dt.date, arabic: bool = True, french: bool = True) -> None:
    """Each day is written in French words ("6 décembre 2026") and, in Arabic, with the
    Moroccan month name and its figures; no date is left in ISO form."""
    for day in days:
        if french:
            assert _french(day) in words
        if arabic:
            assert _has_word(words, MONTHS_AR[day.month - 1])
            assert str(day.year) in words and str(day.day) in words
    assert ISO_DATE.findall(words) == []


def _has_word(words: str, word: str) -> bool:
    """`word` not inside a longer word (figures may touch it: pypdf gives "دجنبر7")."""
    return re.search(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", words) is not None


def _assert_no_clear_id(pdf: bytes) -> None:
    everything = _every_byte(pdf)
    for value in (CLEAR_ID, CLEAR_ID[:-3]):
        assert value.encode() not in everything
        assert value.encode("utf-16-be") not in everything
        assert value not in _text(pdf)
    assert MASKED_ID in _text(pdf)


# ------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def accepting(collectivity_a: Collectivity) -> InformationSettings:
    return InformationSettings.objects.create(
        collectivity=collectivity_a, cndp_authorisation="D-123/2026"
    )


def _data(**overrides: Any) -> RequestInput:
    values: dict[str, Any] = {
        "requester_type": "citizen",
        "first_name": "فاطمة",
        "last_name": "الزهراء",
        "id_type": "cin",
        "id_number": CLEAR_ID,
        "address": "12 زنقة الليمون، أيت ملول",
        "email": "fatima@example.test",
        "subject": SUBJECT_AR,
        "description": DESCRIPTION_AR,
        "delivery": "email",
    }
    values.update(overrides)
    return RequestInput(**values)


def _file(
    collectivity: Collectivity, *, confirm: bool = True, **overrides: Any
) -> InformationRequest:
    request, _token = request_file(
        collectivity=collectivity, data=_data(**overrides), language="ar"
    )
    if confirm:
        request_confirm(request=request)
    request.refresh_from_db()
    return request


def _handled_to_the_end(request: InformationRequest, officer: User) -> InformationRequest:
    """Clarification, reply, refusal, complaint and the head's decision with a file."""
    request_clarify(request=request, actor=officer, text="يرجى تحديد السنة المالية المعنية")
    request_reply(request=request, text="Il s'agit de l'exercice 2025.")
    request_refuse(
        request=request,
        actor=officer,
        reasons=[RefusalReason.NOT_HELD, RefusalReason.PRIVATE_LIFE],
        reasoning="الوثيقة غير متوفرة لدى مصالح الجماعة",
    )
    request_complain(request=request, text="أتظلم من قرار الرفض لأن الميزانية وثيقة عمومية")
    upload = SimpleUploadedFile(
        "budget-2025.pdf", pdf_with_text("Budget 2025"), content_type="application/pdf"
    )
    request_decide_complaint(
        request=request,
        actor=officer,
        decision="upheld",
        text="قُبلت الشكاية، وتجدون الميزانية مرفقة",
        files=[upload],
    )
    request.refresh_from_db()
    return request


# -------------------------------------------------------------------------- receipt


@pytest.mark.pdf
def test_receipt_carries_reference_dates_and_shaped_arabic(
    collectivity_a: Collectivity, accepting: InformationSettings
) -> None:
    request = _file(collectivity_a)
    assert request.received_on is not None and request.due_date is not None

    pdf = receipt_pdf(request)

    assert pdf.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    # Subset fonts: tens of kilobytes, not the megabytes of the font files.
    assert len(pdf) < 150_000
    words = _words(pdf)
    assert request.reference in words
    _assert_dated(words, request.received_on, request.due_date, timezone.localdate())
    # Legal basis of the due date, from the legal limit (law 31.13) in both languages.
    assert "31.13" in words
    assert "Loi n° 31.13" in words
    assert RECEIPT_TITLE_FR in words
    assert collectivity_a.name_fr in words
    assert "D-123/2026" in words
    _assert_arabic_shaped(pdf, RECEIPT_TITLE_AR, collectivity_a.name_ar, SUBJECT_AR)
    assert "فاطمة الزهراء" in words
    assert "في انتظار تأكيد" not in words


@pytest.mark.pdf
def test_receipt_writes_its_dates_in_arabic_and_in_french(
    collectivity_a: Collectivity, accepting: InformationSettings
) -> None:
    """Filed and confirmed on Wednesday 4 March 2026: "4 مارس 2026" in the Arabic part,
    "4 mars 2026" in the French one, whatever the language of the page asking."""
    filed = dt.datetime(2026, 3, 4, 10, 30, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(filed, tick=False):
        request = _file(collectivity_a)
        with translation.override("fr"):
            words = _words(receipt_pdf(request))
    assert request.received_on == dt.date(2026, 3, 4) and request.due_date is not None
    assert _has_word(words, "مارس") and "4 mars 2026" in words
    assert _french(request.due_date) in words
    assert _has_word(words, MONTHS_AR[request.due_date.month - 1])
    assert ISO_DATE.findall(words) == [] and "04/03/2026" not in words


@pytest.mark.pdf
def test_receipt_never_shows_the_clear_id_number(
    collectivity_a: Collectivity, accepting: InformationSettings
) -> None:
    pdf = receipt_pdf(_file(collectivity_a))
    _assert_no_clear_id(pdf)


@pytest.mark.pdf
def test_receipt_before_confirmation_shows_filing_date_awaiting_confirmation(
    collectivity_a: Collectivity, accepting: InformationSettings
) -> None:
    request = _file(collectivity_a, confirm=False)
    assert request.received_on is None and request.due_date is None

    words = _words(receipt_pdf(request))

    _assert_dated(words, timezone.localdate(request.submitted_at))
    assert "في انتظار تأكيد البريد الإلكتروني" in words
    assert "en attente de confirmation de l’adresse e-mail" in words
    assert "يسري الأجل ابتداء من تأكيد البريد الإلكتروني" in words


@pytest.mark.pdf
def test_urgent_receipt_names_the_urgent_period(
    collectivity_a: Collectivity, accepting: InformationSettings
) -> None:
    request = _file(collectivity_a, urgent=True, urgency_reason="خطر على سلامة الأشخاص.")
    words = _words(receipt_pdf(request))
    assert "طلب مستعجل" in words
    assert "demande urgente" in words
    assert request.due_date is not None
    _assert_dated(words, request.due_date)


# ------------------------------------------------------------------------ case file


@pytest.mark.pdf
def test_arabic_case_file_holds_exchanges_answer_complaint_deadlines_and_history(
    collectivity_a: Collectivity, accepting: InformationSettings, staff_a: User
) -> None:
    request = _handled_to_the_end(_file(collectivity_a), staff_a)

    pdf = case_file_pdf(request, language="ar")

    words = _words(pdf)
    assert request.reference in words
    _assert_arabic_shaped(pdf, collectivity_a.name_ar, SUBJECT_AR, DESCRIPTION_AR)
    _assert_no_clear_id(pdf)
    messages = list(request.messages.all())
    assert len(messages) == 5
    for message in messages:
        assert message.text in words
        assert timezone.localtime(message.at).strftime("%H:%M") in words
    _assert_dated(words, *(timezone.localdate(m.at) for m in messages), french=False)
    with translation.override("ar"):
        for code in (RefusalReason.NOT_HELD, RefusalReason.PRIVATE_LIFE):
            assert " ".join(str(RefusalReason(code).label).split()) in words
        assert request.get_complaint_decision_display() in words
    attachment = request.attachments.get()
    assert attachment.name in words
    assert attachment.sha256 in "".join(words.split())
    for limit_code in ("ati.answer", "ati.head_answer"):
        assert limit_code in words
    assert request.due_date is not None and request.complaint_on is not None
    _assert_dated(words, request.due_date, request.complaint_on, french=False)
    assert not any(_has_word(words, month) for month in MONTHS_FR)
    for action in (
        "information.filed",
        "information.confirm",
        "information.clarify",
        "information.reply",
        "information.refuse",
        "information.complain",
        "information.decide_complaint",
    ):
        assert action in words


@pytest.mark.pdf
def test_french_case_file_uses_french_names_and_legal_basis(
    collectivity_a: Collectivity, accepting: InformationSettings
) -> None:
    request = _file(collectivity_a, subject="Budget de la commune", description="Le budget 2026.")

    words = _words(case_file_pdf(request, language="fr"))

    assert collectivity_a.name_fr in words
    assert collectivity_a.name_ar not in words
    assert "Loi n° 31.13 relative au droit d'accès à l'information" in words
    assert "Budget de la commune" in words
    assert MASKED_ID in words
    assert request.received_on is not None and request.due_date is not None
    _assert_dated(words, request.received_on, request.due_date, arabic=False)
    assert not any(_has_word(words, month) for month in MONTHS_AR)


@pytest.mark.pdf
def test_case_file_of_a_request_shows_nothing_of_another_collectivitys_request(
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    accepting: InformationSettings,
    charlie: User,
) -> None:
    InformationSettings.objects.create(collectivity=collectivity_b, cndp_authorisation="D-9/2026")
    other = _file(collectivity_b, subject="Marchés publics de la commune B")
    ours = _file(collectivity_a)
    request_clarify(request=other, actor=charlie, text="Question about B's procurement only.")

    words = _words(case_file_pdf(ours, language="fr"))

    assert other.reference not in words
    assert "Marchés publics de la commune B" not in words
    assert "Question about B's procurement only." not in words


def test_case_file_refuses_an_unknown_language(
    collectivity_a: Collectivity, accepting: InformationSettings
) -> None:
    with pytest.raises(ValueError, match="Unknown language"):
        case_file_pdf(_file(collectivity_a), language="xx")
