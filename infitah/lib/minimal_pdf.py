"""A minimal valid PDF built in code (one A4 page of Helvetica text), for demo data and
tests that need a real PDF without a file or a rendering library."""

from __future__ import annotations


def _pdf_escape(line: str) -> bytes:
    """A line for a PDF string in WinAnsi: parentheses and backslashes escaped, the
    accented letters written as octal escapes."""
    out = bytearray()
    for byte in line.encode("cp1252", errors="replace"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += f"\\{byte:03o}".encode()
        else:
            out.append(byte)
    return bytes(out)


def minimal_pdf(lines: tuple[str, ...] | list[str]) -> bytes:
    """A valid one-page PDF (A4, Helvetica) showing `lines`: built in code, no file."""
    text = b" ".join(b"(" + _pdf_escape(line) + b") '" for line in lines)
    stream = b"BT /F1 13 Tf 18 TL 60 790 Td " + text + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
