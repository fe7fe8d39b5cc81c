"""Text extraction of PDF, DOCX, XLSX, ODT/ODS, CSV and TXT, hostile XML refused."""

from __future__ import annotations

import io
import zipfile

from infitah.lib.tests import files
from infitah.publication.extraction import MAX_TEXT_CHARS, extract_bytes, normalise
from infitah.publication.models import TextStatus


def test_pdf_text_layer() -> None:
    text, status = extract_bytes(files.pdf_with_text("Hello information"), "pdf")
    assert status == TextStatus.EXTRACTED and "Hello information" in text


def test_pdf_without_text_layer() -> None:
    assert extract_bytes(files.pdf_blank(), "pdf") == ("", TextStatus.NO_TEXT_LAYER)


def test_damaged_pdf_fails_without_raising() -> None:
    assert extract_bytes(b"%PDF-1.4\ngarbage", "pdf")[1] == TextStatus.FAILED


def test_arabic_presentation_forms_are_folded() -> None:
    # "بلاغ" in presentation forms, as PDF text layers often give it.
    assert normalise("\ufe91\ufee0\ufe8e\ufecf") == "بلاغ"


def test_docx() -> None:
    text, status = extract_bytes(files.docx(["محضر الدورة", "Ordre du jour"]), "docx")
    assert status == TextStatus.EXTRACTED
    assert text.split("\n") == ["محضر الدورة", "Ordre du jour"]


def test_xlsx_shared_and_inline_strings() -> None:
    text, _ = extract_bytes(files.xlsx(["Budget", "ميزانية"], inline=["Total"]), "xlsx")
    assert text.split("\n") == ["Budget", "ميزانية", "Total"]


def test_odt_and_ods() -> None:
    assert extract_bytes(files.odf(["Note", "ملاحظة"]), "odt")[0] == "Note\nملاحظة"
    assert extract_bytes(files.odf(["A1"], kind="spreadsheet"), "ods")[0] == "A1"


def test_csv_encodings() -> None:
    assert extract_bytes("\ufeffa;ب\n".encode(), "csv")[0] == "a;ب"
    assert extract_bytes("a;ب\n".encode("cp1256"), "csv")[0] == "a;ب"
    assert extract_bytes("بلاغ\n".encode(), "txt")[0] == "بلاغ"


def test_xml_with_entities_refused() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><w:document xmlns:w="x">&lol2;</w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", evil)
    assert extract_bytes(out.getvalue(), "docx") == ("", TextStatus.FAILED)


def test_xml_member_over_the_cap_fails(monkeypatch) -> None:
    monkeypatch.setattr("infitah.publication.extraction.MAX_XML_BYTES", 50)
    assert extract_bytes(files.docx(["x" * 200]), "docx")[1] == TextStatus.FAILED


def test_text_is_capped() -> None:
    text, _ = extract_bytes(("a" * (MAX_TEXT_CHARS + 10)).encode(), "txt")
    assert len(text) == MAX_TEXT_CHARS


def test_images_have_no_text() -> None:
    assert extract_bytes(files.png_header(10, 10), "png") == ("", TextStatus.NOT_APPLICABLE)
