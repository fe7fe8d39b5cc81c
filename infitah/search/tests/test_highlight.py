from infitah.search.analyzer import analyze_query
from infitah.search.highlight import snippet


def test_matches_are_marked_and_text_escaped() -> None:
    text = "<script>alert(1)</script> تقديم الشكايات عبر البوابة"
    html = snippet(text, analyze_query("شكاية"))
    assert "<mark>الشكايات</mark>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_window_starts_near_the_first_match() -> None:
    text = " ".join(["كلمة"] * 500) + " الحكومة المنفتحة " + " ".join(["نص"] * 500)
    html = snippet(text, analyze_query("الحكومة المنفتحة"))
    assert html.startswith("… ")
    assert "<mark>الحكومة</mark> <mark>المنفتحة</mark>" in html
    assert len(html) < 600


def test_vocalised_word_is_marked_whole() -> None:
    html = snippet("مبادئ الشَّفَافِيَّة", analyze_query("الشفافية"))
    assert "<mark>الشَّفَافِيَّة</mark>" in html


def test_no_match_gives_the_start_of_the_text() -> None:
    assert snippet("Conseil communal", ["xyz"]) == "Conseil communal"
    assert snippet("", ["xyz"]) == ""
