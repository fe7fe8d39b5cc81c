"""Uploaded files checked by their content, never trusted by their name.

`check_upload(file, name=...)` reads the file once (in chunks) and either returns a
`CheckedUpload` (detected type, safe display name, size, SHA-256) or raises a
`ValidationError` with one translated message. It refuses:

- names with path separators, `..`, NUL or other control/format characters (including
  the right-to-left override U+202E that disguises `exe.pdf` as `fdp.exe`);
- empty files and files over `INFITAH_UPLOAD_MAX_BYTES` (default 50 MB);
- extensions outside the accepted list, and content that does not match the extension
  (magic bytes: `%PDF-`, a ZIP with the inner files of DOCX/XLSX/ODT/ODS, JPEG, PNG,
  text without NUL for CSV/TXT);
- ZIP bombs, judged from the central directory only (`infolist()`): too many entries,
  too large a declared uncompressed total, too high a compression ratio, encrypted or
  nested archives;
- images of absurd dimensions, read from the PNG IHDR or JPEG SOFn header (no Pillow).

`zip_read_capped` reads one ZIP member with a hard cap, for text extraction.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# ZIP limits: generous for real office files, fatal to bombs.
ZIP_MAX_ENTRIES = 2_000
ZIP_MAX_TOTAL_UNCOMPRESSED = 300 * 1024 * 1024
ZIP_MAX_MEMBER_UNCOMPRESSED = 200 * 1024 * 1024
# Office XML compresses well (10-30x, spreadsheets up to ~100x); a bomb reaches 1000x.
ZIP_MAX_RATIO = 200
# Below this size a member's ratio does not matter: it cannot hurt.
ZIP_RATIO_FLOOR = 1024 * 1024

IMAGE_MAX_SIDE = 20_000
IMAGE_MAX_PIXELS = 100_000_000

NAME_MAX_LENGTH = 200
CHUNK = 1024 * 1024

# Detected type -> the extensions it may carry.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "odt": ("odt",),
    "ods": ("ods",),
    "csv": ("csv",),
    "txt": ("txt",),
    "jpeg": ("jpg", "jpeg"),
    "png": ("png",),
    "pptx": ("pptx",),
    "odp": ("odp",),
}
# The types accepted unless a caller names its own (`types=`): presentations are taken
# only where they are asked for (the network's events and practices).
DEFAULT_TYPES: frozenset[str] = frozenset(EXTENSIONS) - {"pptx", "odp"}
EXTENSION_TYPES: dict[str, str] = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odp": "application/vnd.oasis.opendocument.presentation",
}

# Human names of the types, for messages.
TYPE_LABELS: dict[str, Any] = {
    "pdf": "PDF",
    "docx": "Word (DOCX)",
    "xlsx": "Excel (XLSX)",
    "odt": "OpenDocument text (ODT)",
    "ods": "OpenDocument spreadsheet (ODS)",
    "csv": "CSV",
    "txt": _("plain text"),
    "jpeg": "JPEG",
    "png": "PNG",
    "pptx": "PowerPoint (PPTX)",
    "odp": "OpenDocument presentation (ODP)",
    "zip": _("ZIP archive"),
}

_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_ARCHIVE_SUFFIXES = (".zip", ".jar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ")
# C0 controls that never appear in a text file (tab, LF, VT, FF, CR allowed).
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f]")


@dataclass(frozen=True)
class CheckedUpload:
    file_type: str
    extension: str
    display_name: str
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_type]


def max_upload_bytes() -> int:
    return int(getattr(settings, "INFITAH_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def accepted_extensions(types: Collection[str] | None = None) -> list[str]:
    """The extensions of `types` (DEFAULT_TYPES when None)."""
    kinds = DEFAULT_TYPES if types is None else types
    return sorted(ext for ext, kind in EXTENSION_TYPES.items() if kind in kinds)


def _refuse(message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def check_name(name: str, *, types: Collection[str] | None = None) -> tuple[str, str]:
    """(safe display name, lower-case extension) of `name`, or ValidationError. The
    extension must be one of `types` (DEFAULT_TYPES when None).

    Refuses rather than repairs: a name with a path or a hidden character is a sign of a
    mistake or an attack, and the editor should see it.
    """
    if not name or not name.strip():
        raise _refuse(_("The file has no name."), "name_empty")
    if "/" in name or "\\" in name or ".." in name:
        raise _refuse(
            _("The file name must not contain “/”, “\\” or “..”. Rename the file and try again."),
            "name_path",
        )
    for char in name:
        if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}:
            raise _refuse(
                _(
                    "The file name contains an invisible or control character "
                    "(U+%(codepoint)04X). Rename the file and try again."
                ),
                "name_control",
                codepoint=ord(char),
            )
    name = unicodedata.normalize("NFC", name.strip())
    if len(name) > NAME_MAX_LENGTH:
        raise _refuse(
            _("The file name is too long (at most %(max)d characters)."),
            "name_long",
            max=NAME_MAX_LENGTH,
        )
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext:
        raise _refuse(
            _("The file name has no extension (such as .pdf). Accepted: %(accepted)s."),
            "name_no_extension",
            accepted=", ".join(accepted_extensions(types)),
        )
    ext = ext.lower()
    if ext not in accepted_extensions(types):
        raise _refuse(
            _("Files ending in .%(ext)s are not accepted. Accepted: %(accepted)s."),
            "extension",
            ext=ext,
            accepted=", ".join(accepted_extensions(types)),
        )
    return name, ext


def _read_all(file: IO[bytes], limit: int) -> tuple[int, str, bytes]:
    """(size, sha256, first 64 KiB) reading at most limit+1 bytes; stops early if over."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    file.seek(0)
    while True:
        chunk = file.read(CHUNK)
        if not chunk:
            break
        if len(head) < 65536:
            head += chunk[: 65536 - len(head)]
        size += len(chunk)
        if size > limit:
            break
        digest.update(chunk)
    file.seek(0)
    return size, digest.hexdigest(), head


def _zip_type(file: IO[bytes]) -> str:
    """The office type of a ZIP, after the bomb checks; ValidationError otherwise."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(_("The file is a damaged ZIP archive."), "zip_damaged") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > ZIP_MAX_ENTRIES:
            raise _refuse(
                _("The file holds too many parts (%(count)d; at most %(max)d)."),
                "zip_entries",
                count=len(infos),
                max=ZIP_MAX_ENTRIES,
            )
        total = 0
        for info in infos:
            total += info.file_size
            if info.flag_bits & 0x1:
                raise _refuse(
                    _("The file is encrypted; publish it without a password."), "zip_encrypted"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > ZIP_MAX_MEMBER_UNCOMPRESSED or (
                info.file_size > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO
            ):
                raise _refuse(
                    _(
                        "The file expands to an abnormal size when opened (a “ZIP bomb”); "
                        "it is refused."
                    ),
                    "zip_bomb",
                )
            if info.filename.lower().endswith(_ARCHIVE_SUFFIXES):
                raise _refuse(
                    _("The file contains another archive inside it; it is refused."),
                    "zip_nested",
                )
        if total > ZIP_MAX_TOTAL_UNCOMPRESSED:
            raise _refuse(
                _(
                    "The file expands to an abnormal size when opened (a “ZIP bomb”); "
                    "it is refused."
                ),
                "zip_bomb",
            )
        for info in infos:
            if info.is_dir() or info.file_size < 4:
                continue
            try:
                with archive.open(info) as member:
                    magic = member.read(6)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
                raise _refuse(_("The file is a damaged ZIP archive."), "zip_damaged") from exc
            if magic.startswith(_ARCHIVE_MAGIC):
                raise _refuse(
                    _("The file contains another archive inside it; it is refused."),
                    "zip_nested",
                )
        names = {info.filename for info in infos}
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "ppt/presentation.xml" in names:
                return "pptx"
        if "mimetype" in names and "content.xml" in names:
            info = archive.getinfo("mimetype")
            if info.file_size <= 100:
                kind = _ODF_MIMETYPES.get(archive.read(info).strip())
                if kind:
                    return kind
    return "zip"


def _png_size(head: bytes) -> tuple[int, int] | None:
    if len(head) < 24 or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD})
_SOF_MARKERS |= {0xCE, 0xCF}


def _jpeg_size(file: IO[bytes]) -> tuple[int, int] | None:
    """Walk the JPEG segments (seeking over their bodies) to the first SOFn header."""
    file.seek(2)
    for _i in range(10_000):
        byte = file.read(1)
        if not byte:
            return None
        if byte != b"\xff":
            return None
        marker = file.read(1)
        while marker == b"\xff":  # fill bytes
            marker = file.read(1)
        if not marker:
            return None
        code = marker[0]
        if code in (0xD8, 0x01) or 0xD0 <= code <= 0xD7:
            continue
        if code in (0xD9, 0xDA):  # end of image, start of scan: no SOF before it
            return None
        raw = file.read(2)
        if len(raw) < 2:
            return None
        (length,) = struct.unpack(">H", raw)
        if length < 2:
            return None
        if code in _SOF_MARKERS:
            body = file.read(5)
            if len(body) < 5:
                return None
            height, width = struct.unpack(">HH", body[1:5])
            return int(width), int(height)
        file.seek(length - 2, 1)
    return None


def _check_dimensions(size: tuple[int, int] | None) -> None:
    if size is None:
        raise _refuse(_("The image is damaged: its dimensions cannot be read."), "image_damaged")
    width, height = size
    if width == 0 or height == 0:
        raise _refuse(_("The image is damaged: its dimensions cannot be read."), "image_damaged")
    if width > IMAGE_MAX_SIDE or height > IMAGE_MAX_SIDE or width * height > IMAGE_MAX_PIXELS:
        raise _refuse(
            _(
                "The image is %(width)d × %(height)d pixels: too large (at most %(side)d "
                "pixels per side and %(mpx)d megapixels)."
            ),
            "image_dimensions",
            width=width,
            height=height,
            side=IMAGE_MAX_SIDE,
            mpx=IMAGE_MAX_PIXELS // 1_000_000,
        )


def decode_text(data: bytes, *, allow_legacy: bool) -> str | None:
    """The text of `data` (UTF-8, with or without BOM, or Windows-1256 when allowed)."""
    if b"\x00" in data:
        return None
    encodings = ["utf-8-sig"] + (["cp1256"] if allow_legacy else [])
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _BINARY_CONTROLS.search(text):
            return None
        return text
    return None


def _detect(file: IO[bytes], head: bytes, ext: str) -> str | None:
    """The type the content says, or None for content we do not recognise."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(file)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if EXTENSION_TYPES[ext] in {"csv", "txt"}:
        file.seek(0)
        data = file.read()
        file.seek(0)
        if decode_text(data, allow_legacy=ext == "csv") is not None:
            return EXTENSION_TYPES[ext]
        return None
    # Text declared under another extension is still a mismatch worth naming.
    if decode_text(head, allow_legacy=False) is not None:
        return "txt"
    return None


def check_upload(
    file: IO[bytes],
    *,
    name: str,
    max_bytes: int | None = None,
    types: Collection[str] | None = None,
) -> CheckedUpload:
    """Check an uploaded file by its content; see the module docstring. Reads, never
    stores. `types`: the accepted detected types (DEFAULT_TYPES when None)."""
    display_name, ext = check_name(name, types=types)
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    size, sha256, head = _read_all(file, limit)
    if size == 0:
        raise _refuse(_("The file is empty."), "empty")
    if size > limit:
        raise _refuse(
            _("The file is too large: at most %(max)s."),
            "too_large",
            max=filesizeformat(limit),
        )
    detected = _detect(file, head, ext)
    file.seek(0)
    expected = EXTENSION_TYPES[ext]
    if detected is None:
        raise _refuse(
            _(
                "The content of the file is not a %(expected)s file, although its name ends "
                "in .%(ext)s. Choose the right file or rename it."
            ),
            "mismatch",
            expected=TYPE_LABELS[expected],
            ext=ext,
        )
    if detected != expected:
        raise _refuse(
            _(
                "The file's name ends in .%(ext)s but its content is a %(detected)s file. "
                "Choose the right file or rename it."
            ),
            "mismatch",
            ext=ext,
            detected=TYPE_LABELS[detected],
        )
    if detected == "png":
        _check_dimensions(_png_size(head))
    elif detected == "jpeg":
        _check_dimensions(_jpeg_size(file))
        file.seek(0)
    return CheckedUpload(
        file_type=detected, extension=ext, display_name=display_name, size=size, sha256=sha256
    )


class TooLarge(Exception):
    """A ZIP member is larger than the caller's cap."""


def zip_read_capped(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """Member `name` of `archive`, read in chunks; TooLarge past `cap` bytes.

    The declared size is not trusted: the stream itself is counted.
    """
    parts: list[bytes] = []
    total = 0
    with archive.open(name) as member:
        while True:
            chunk = member.read(65536)
            if not chunk:
                break
            total += len(chunk)
            if total > cap:
                raise TooLarge(name)
            parts.append(chunk)
    return b"".join(parts)


def validate_upload(file: Any) -> None:
    """Django validator: the checks of `check_upload` on an UploadedFile."""
    check_upload(file, name=str(getattr(file, "name", "") or ""))


def upload_help_text() -> str:
    """The accepted types and the size limit, in the active language."""
    return str(_("Accepted: %(types)s; at most %(max)s.")) % {
        "types": ", ".join(accepted_extensions()),
        "max": filesizeformat(max_upload_bytes()),
    }


class UploadField(forms.FileField):
    """A file field that refuses by content (see `check_upload`) with translated errors."""

    default_validators = [validate_upload]
    default_error_messages = {
        "empty": _("The file is empty."),
        "required": _("Choose a file to publish."),
        "no_name": _("The file has no name."),
    }
