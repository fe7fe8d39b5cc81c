"""The minimal PDF is a real PDF: pypdf reads its text back, accents and parentheses too."""

import io

from pypdf import PdfReader

from infitah.lib.minimal_pdf import minimal_pdf


def test_a_minimal_pdf_reads_back() -> None:
    data = minimal_pdf(["Délibération 12/2024", "a) b\\ c"])
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Délibération 12/2024" in text and "a) b\\ c" in text
