"""Serving the programme's stored files (evidence, documents, letters, versions): with
the type recorded when the file was checked, never sniffed nor run by the browser."""

from __future__ import annotations

from django.http import FileResponse, Http404

from infitah.openplan.models import StoredFile

# Photos are shown in the page; anything else is downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg"})
SECURE_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def stored_file_response(
    stored: StoredFile, *, inline: bool | None = None, content_type: str = ""
) -> FileResponse:
    """The file under its original name: inline when `inline` (by default, for the
    photo types), else as an attachment; 404 when it is gone from the storage."""
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    recorded = content_type or stored.content_type or "application/octet-stream"
    if inline is None:
        inline = recorded.split(";")[0].strip().lower() in INLINE_TYPES
    response = FileResponse(
        handle, as_attachment=not inline, filename=stored.name, content_type=recorded
    )
    for header, value in SECURE_FILE_HEADERS.items():
        response[header] = value
    return response
