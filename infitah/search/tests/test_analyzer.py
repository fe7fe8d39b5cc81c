import pytest

from infitah.search.analyzer import (
    MAX_INDEX_TOKENS,
    MAX_QUERY_TOKENS,
    MAX_TOKEN_LENGTH,
    analyze,
    analyze_query,
    stem_arabic,
)
from infitah.search.tests.variants import RECALL_PAIRS


@pytest.mark.parametrize(("query", "indexed"), RECALL_PAIRS)
def test_query_tokens_are_among_the_indexed_tokens(query: str, indexed: str) -> None:
    tokens = analyze_query(query)
    assert tokens
    assert set(tokens) <= set(analyze(indexed))


@pytest.mark.parametrize(
    "forms",
    [
        ["شكاية", "الشكاية", "شكايات", "الشكايات"],
        ["حكومة", "الحكومة", "الحكومات", "والحكومة"],
        ["جهة", "الجهة", "الجهات", "للجهة"],
        ["information", "informations", "l'information", "L’INFORMATION"],
        ["région", "régions", "REGION"],
    ],
)
def test_forms_of_one_word_meet(forms: list[str]) -> None:
    assert len({tuple(analyze_query(f)) for f in forms}) == 1


def test_elisions_split_and_one_letter_words_drop() -> None:
    assert analyze("l'accès d'un élu") == ["acce", "elu"]


def test_stopwords_drop_in_both_languages() -> None:
    assert analyze_query("في من على إلى") == []
    assert analyze_query("le la les de des du") == []
    assert analyze("الحق في الحصول على المعلومات") == ["حق", "حصول", "معلوم"]


def test_bound_preposition_is_expanded_on_the_index_side_only() -> None:
    assert analyze("بجماعة") == ["بجماع", "جماع"]
    assert analyze_query("بجماعة") == ["بجماع"]
    assert analyze("برنامج")[0] == "برنامج"


def test_stem_arabic_never_leaves_fewer_than_two_letters() -> None:
    assert stem_arabic("ها") == "ها"
    assert len(stem_arabic("وات")) >= 2


def test_digits_pass_and_single_digits_drop() -> None:
    assert analyze("القانون 111-14 المادة 5") == ["قان", "111", "14", "ماد"]


@pytest.mark.parametrize(
    "hostile",
    ["", "   ", "!!! ??? ...", '"" ( ) * ^ :', "\x00\x00", "AND OR NOT NEAR", "\u200f\u200e"],
)
def test_hostile_queries_give_no_or_plain_tokens(hostile: str) -> None:
    for token in analyze_query(hostile):
        assert token.isalnum()


def test_query_and_token_caps() -> None:
    many = " ".join(f"mot{i}" for i in range(1000))
    assert len(analyze_query(many)) <= MAX_QUERY_TOKENS
    assert analyze_query("x" * 5000) == []
    assert all(len(t) <= MAX_TOKEN_LENGTH for t in analyze("a" * 100 + " bonjour"))
    assert len(analyze("mot " * (MAX_INDEX_TOKENS + 10))) == MAX_INDEX_TOKENS


def test_query_tokens_are_distinct() -> None:
    assert analyze_query("شكاية الشكايات شكايات") == ["شكا"]
