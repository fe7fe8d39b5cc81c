"""Text extraction from published files, for search and for reading without the file.

Each extractor returns (text, status). Text is NFKC-normalised, which also folds the
Arabic presentation forms (U+FB50-U+FEFF) that PDF text layers often hold, and capped
at MAX_TEXT_CHARS. ZIP members are read with a hard cap (the declared sizes are not
trusted) and XML with a DOCTYPE is refused, so no entity can expand.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from typing import IO
from xml.etree import ElementTree as ET

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from infitah.lib.uploads import TooLarge, decode_text, zip_read_capped
from infitah.publication.models import TextStatus

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2_000_000
# A single XML part larger than this is not parsed (the upload checks allow 200 MB).
MAX_XML_BYTES = 64 * 1024 * 1024
MAX_PDF_PAGES = 2_000

Result = tuple[str, str]


class ExtractionError(Exception):
    pass


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n\n", text)
    return text.strip()[:MAX_TEXT_CHARS]


def _xml(data: bytes) -> ET.Element:
    # Office files never carry a DOCTYPE; refusing it rules out entity expansion.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ExtractionError("XML with a DOCTYPE or entity declaration")
    return ET.fromstring(data)  # noqa: S314


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _paragraphs(root: ET.Element, para: set[str], text_tag: str | None) -> Iterable[str]:
    for element in root.iter():
        if _local(element.tag) in para:
            if text_tag is None:
                yield "".join(element.itertext())
            else:
                yield "".join((t.text or "") for t in element.iter() if _local(t.tag) == text_tag)


def _join_capped(parts: Iterable[str]) -> str:
    out: list[str] = []
    total = 0
    for part in parts:
        if not part:
            continue
        out.append(part)
        total += len(part) + 1
        if total > MAX_TEXT_CHARS:
            break
    return "\n".join(out)


def extract_pdf(file: IO[bytes]) -> Result:
    reader = PdfReader(file)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ExtractionError("encrypted PDF")
    parts: list[str] = []
    total = 0
    for index, page in enumerate(reader.pages):
        if index >= MAX_PDF_PAGES or total > MAX_TEXT_CHARS:
            break
        text = page.extract_text() or ""
        parts.append(text)
        total += len(text)
    text = normalise("\n".join(parts))
    if not text:
        return "", TextStatus.NO_TEXT_LAYER
    return text, TextStatus.EXTRACTED


def _zip_xml_text(
    file: IO[bytes], members: Callable[[list[str]], list[str]], para: set[str], text_tag: str | None
) -> Result:
    with zipfile.ZipFile(file) as archive:
        names = members(archive.namelist())
        parts: list[str] = []
        for name in names:
            root = _xml(zip_read_capped(archive, name, MAX_XML_BYTES))
            parts.append(_join_capped(_paragraphs(root, para, text_tag)))
    text = normalise(_join_capped(parts))
    return text, TextStatus.EXTRACTED


def _natural(name: str) -> tuple[int, str]:
    digits = re.findall(r"\d+", name)
    return (int(digits[-1]) if digits else 0, name)


def extract_docx(file: IO[bytes]) -> Result:
    return _zip_xml_text(
        file, lambda names: [n for n in names if n == "word/document.xml"], {"p"}, "t"
    )


def extract_xlsx(file: IO[bytes]) -> Result:
    def members(names: list[str]) -> list[str]:
        sheets = sorted(
            (n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)), key=_natural
        )
        shared = [n for n in names if n == "xl/sharedStrings.xml"]
        return shared + sheets

    # Shared strings are <si> items; inline strings are <is> items inside sheet cells.
    return _zip_xml_text(file, members, {"si", "is"}, "t")


def extract_odf(file: IO[bytes]) -> Result:
    return _zip_xml_text(
        file, lambda names: [n for n in names if n == "content.xml"], {"p", "h"}, None
    )


def extract_text_file(file: IO[bytes], *, allow_legacy: bool) -> Result:
    text = decode_text(file.read(), allow_legacy=allow_legacy)
    if text is None:
        raise ExtractionError("not text")
    return normalise(text), TextStatus.EXTRACTED


EXTRACTORS: dict[str, Callable[[IO[bytes]], Result]] = {
    "pdf": extract_pdf,
    "docx": extract_docx,
    "xlsx": extract_xlsx,
    "odt": extract_odf,
    "ods": extract_odf,
    "csv": lambda f: extract_text_file(f, allow_legacy=True),
    "txt": lambda f: extract_text_file(f, allow_legacy=False),
}


def extract(file: IO[bytes], file_type: str) -> Result:
    """(text, text_status) of `file`; never raises for a bad file (status "failed")."""
    extractor = EXTRACTORS.get(file_type)
    if extractor is None:
        return "", TextStatus.NOT_APPLICABLE
    try:
        return extractor(file)
    except (ExtractionError, PyPdfError, zipfile.BadZipFile, TooLarge, ET.ParseError) as exc:
        logger.warning("text extraction failed (%s): %s", file_type, exc)
        return "", TextStatus.FAILED
    except Exception as exc:  # a damaged file must not break publication
        logger.exception("text extraction crashed (%s): %s", file_type, exc)
        logger.warning("text extraction failed (%s): %s", file_type, exc)
        return "", TextStatus.FAILED


def extract_bytes(data: bytes, file_type: str) -> Result:
    return extract(io.BytesIO(data), file_type)
