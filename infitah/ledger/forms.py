"""The register's verification form: a file to hash, or a pasted SHA-256."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Files larger than this are not hashed here (hash them locally and paste the SHA-256).
VERIFY_MAX_BYTES = 100 * 1024 * 1024
SEPARATORS = re.compile(r"[\s:]+")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class HashedUpload(SimpleUploadedFile):
    """What remains of an upload once hashed: its name, size and SHA-256, no content."""

    sha256: str = ""
    hashed_size: int = 0


class HashingUploadHandler(FileUploadHandler):
    """Hash each uploaded file as its chunks arrive and keep none of it (no memory, no
    temporary file); give up on the upload past `max_bytes`."""

    def __init__(self, request: HttpRequest, max_bytes: int = VERIFY_MAX_BYTES) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.is_too_large = False
        self._digest = hashlib.sha256()
        self._size = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._digest = hashlib.sha256()
        self._size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._size += len(raw_data)
        if self._size > self.max_bytes:
            self.is_too_large = True
            raise StopUpload(connection_reset=False)
        self._digest.update(raw_data)
        return None

    def file_complete(self, file_size: int) -> HashedUpload:
        upload = HashedUpload(
            self.file_name or "file", b"", self.content_type or "application/octet-stream"
        )
        upload.sha256 = self._digest.hexdigest()
        upload.hashed_size = file_size
        return upload


class VerifyForm(forms.Form):
    sha256 = forms.CharField(
        label=_("SHA-256 of the file (64 hexadecimal characters)"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "ltr"}),
    )
    file = forms.FileField(label=_("Or the file itself"), required=False, allow_empty_file=True)

    def clean_sha256(self) -> str:
        raw = SEPARATORS.sub("", self.cleaned_data.get("sha256") or "").lower()
        if raw and not SHA256_HEX.fullmatch(raw):
            raise forms.ValidationError(
                _("A SHA-256 is 64 hexadecimal characters (0-9, a-f)."), code="sha256"
            )
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        upload = data.get("file")
        if upload is not None and data.get("sha256"):
            raise forms.ValidationError(
                _("Give either a file or a SHA-256, not both."), code="both"
            )
        if isinstance(upload, HashedUpload):
            data["sha256"] = upload.sha256
        elif upload is not None:  # Not through HashingUploadHandler (tests, other callers).
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            data["sha256"] = digest.hexdigest()
        elif not data.get("sha256"):
            raise forms.ValidationError(_("Choose a file or paste its SHA-256."), code="empty")
        return data


def too_large_message() -> str:
    return str(
        _("This file is too large to be checked here (at most %(size)s).")
        % {"size": filesizeformat(VERIFY_MAX_BYTES)}
    )
