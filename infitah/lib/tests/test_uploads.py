"""Uploads are checked by content: hostile names, types, ZIP bombs and images refused."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from django.core.exceptions import ValidationError

from infitah.lib.tests import files
from infitah.lib.uploads import (
    TooLarge,
    check_name,
    check_upload,
    decode_text,
    zip_read_capped,
)


def _check(data: bytes, name: str, **kwargs):
    return check_upload(io.BytesIO(data), name=name, **kwargs)


def _code(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(exc.value.error_list[0].code)


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (files.pdf_with_text(), "report.pdf", "pdf"),
        (files.docx(["a"]), "minutes.docx", "docx"),
        (files.xlsx(["a"]), "budget.XLSX", "xlsx"),
        (files.odf(["a"]), "note.odt", "odt"),
        (files.odf(["a"], kind="spreadsheet"), "table.ods", "ods"),
        ("col1,col2\nميزانية,1\n".encode(), "data.csv", "csv"),
        ("col1;col2\nميزانية;1\n".encode("cp1256"), "legacy.csv", "csv"),
        ("بلاغ".encode(), "communique.txt", "txt"),
        (files.png_header(800, 600), "photo.png", "png"),
        (files.jpeg_header(800, 600), "photo.jpg", "jpeg"),
        (files.jpeg_header(800, 600), "photo.jpeg", "jpeg"),
    ],
)
def test_accepted_types_detected_by_content(data: bytes, name: str, kind: str) -> None:
    checked = _check(data, name)
    assert checked.file_type == kind
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.display_name == name


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.pdf", "dir/report.pdf", "dir\\report.pdf", "report..pdf", ".."],
)
def test_path_traversal_names_refused(name: str) -> None:
    with pytest.raises(ValidationError) as exc:
        check_name(name)
    assert _code(exc) == "name_path"


@pytest.mark.parametrize(
    "name", ["invoice\u202efdp.exe", "a\x00.pdf", "report\n.pdf", "zero\u200bwidth.pdf"]
)
def test_control_and_format_characters_refused(name: str) -> None:
    with pytest.raises(ValidationError) as exc:
        check_name(name)
    assert _code(exc) == "name_control"
    assert "U+" in exc.value.messages[0]


def test_arabic_name_accepted() -> None:
    assert check_name("ميزانية 2026.pdf") == ("ميزانية 2026.pdf", "pdf")


@pytest.mark.parametrize(("name", "code"), [("noext", "name_no_extension"), ("x.exe", "extension")])
def test_bad_extensions_refused(name: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        check_name(name)
    assert _code(exc) == code


def test_empty_file_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        _check(b"", "empty.pdf")
    assert _code(exc) == "empty"


def test_file_over_the_limit_refused(settings) -> None:
    settings.INFITAH_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        _check(b"%PDF-" + b"x" * 200, "big.pdf")
    assert _code(exc) == "too_large"
    assert "100" in exc.value.messages[0]


def test_extension_content_mismatch_refused_with_the_real_type() -> None:
    with pytest.raises(ValidationError) as exc:
        _check(files.pdf_with_text(), "budget.xlsx")
    assert _code(exc) == "mismatch"
    assert ".xlsx" in exc.value.messages[0] and "PDF" in exc.value.messages[0]


def test_wrong_magic_bytes_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        _check(b"MZ\x90\x00\x03\x00\x00\x00" * 10, "report.pdf")
    assert _code(exc) == "mismatch"


def test_docx_renamed_xlsx_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        _check(files.docx(["x"]), "table.xlsx")
    assert _code(exc) == "mismatch"


def test_plain_zip_refused_as_docx() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError) as exc:
        _check(out.getvalue(), "doc.docx")
    assert _code(exc) == "mismatch"


def test_binary_renamed_csv_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        _check(b"a,b\n\x00\x01\x02", "data.csv")
    assert _code(exc) == "mismatch"


def test_docx_zip_bomb_refused() -> None:
    bomb = files.zip_bomb_docx(megabytes=20)
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as exc:
        _check(bomb, "bomb.docx")
    assert _code(exc) == "zip_bomb"


def test_xlsx_zip_bomb_by_total_size_refused(monkeypatch) -> None:
    monkeypatch.setattr("infitah.lib.uploads.ZIP_MAX_TOTAL_UNCOMPRESSED", 1000)
    with pytest.raises(ValidationError) as exc:
        _check(files.xlsx(["x" * 2000]), "big.xlsx")
    assert _code(exc) == "zip_bomb"


def test_too_many_entries_refused(monkeypatch) -> None:
    monkeypatch.setattr("infitah.lib.uploads.ZIP_MAX_ENTRIES", 3)
    with pytest.raises(ValidationError) as exc:
        _check(files.xlsx(["x"]), "many.xlsx")
    assert _code(exc) == "zip_entries"


def test_nested_archive_refused() -> None:
    inner = files.docx(["inner"])
    with pytest.raises(ValidationError) as exc:
        _check(files.docx(["outer"], extra={"word/embeddings/data.bin": inner}), "nested.docx")
    assert _code(exc) == "zip_nested"
    with pytest.raises(ValidationError) as exc:
        _check(files.docx(["outer"], extra={"x.zip": b"abcd"}), "nested.docx")
    assert _code(exc) == "zip_nested"


@pytest.mark.parametrize(
    ("maker", "name"),
    [(files.png_header, "huge.png"), (files.jpeg_header, "huge.jpg")],
)
def test_image_of_absurd_dimensions_refused(maker, name: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _check(maker(60_000, 60_000), name)
    assert _code(exc) == "image_dimensions"
    assert "60000" in exc.value.messages[0].replace("\u202f", "").replace(",", "")


def test_image_of_too_many_pixels_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        _check(files.png_header(15_000, 15_000), "wide.png")
    assert _code(exc) == "image_dimensions"


def test_damaged_image_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        _check(b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "broken.png")
    assert _code(exc) == "image_damaged"


def test_messages_are_lazy_and_follow_the_language() -> None:
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        _check(b"", "empty.pdf")
    assert exc.value.messages[0] == "The file is empty."


def test_zip_read_capped_counts_the_stream() -> None:
    archive = zipfile.ZipFile(io.BytesIO(files.zip_bomb_docx(megabytes=2)))
    with pytest.raises(TooLarge):
        zip_read_capped(archive, "word/media/padding.bin", 1024 * 1024)
    assert zip_read_capped(archive, "word/document.xml", 1024 * 1024).startswith(b"<?xml")


def test_decode_text() -> None:
    assert decode_text("\ufeffa,b".encode(), allow_legacy=False) == "a,b"
    assert decode_text("ب".encode("cp1256"), allow_legacy=False) is None
    assert decode_text("ب".encode("cp1256"), allow_legacy=True) == "ب"
    assert decode_text(b"a\x00b", allow_legacy=True) is None


def test_presentations_are_accepted_only_where_asked_for() -> None:
    pptx = files._zip(
        {"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"}
    )
    odp = files.odf(["a"], kind="presentation")
    presentations = {"pdf", "pptx", "odp"}
    assert _check(pptx, "talk.pptx", types=presentations).file_type == "pptx"
    assert _check(odp, "talk.odp", types=presentations).file_type == "odp"
    # Not among the default types (publication, cases, correspondence…).
    with pytest.raises(ValidationError) as exc:
        _check(pptx, "talk.pptx")
    assert _code(exc) == "extension"
    # A PDF named .pptx is still a mismatch.
    with pytest.raises(ValidationError) as exc:
        _check(files.pdf_with_text(), "talk.pptx", types=presentations)
    assert _code(exc) == "mismatch"
    # A presentation is refused where only documents are taken.
    with pytest.raises(ValidationError) as exc:
        _check(pptx, "talk.pptx", types={"pdf"})
    assert _code(exc) == "extension"
