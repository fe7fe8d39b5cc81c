import pytest

from django.test import Client


@pytest.mark.django_db
def test_list_all_and_filter(collectivity_a, collectivity_b) -> None:
    client = Client()
    data = client.get("/api/v1/collectivities").json()
    assert data["count"] == 4
    assert {i["slug"] for i in data["items"]} == {
        "souss-massa-test",
        "inezgane-test",
        "commune-a",
        "commune-b",
    }
    communes = client.get("/api/v1/collectivities?kind=commune").json()
    assert communes["count"] == 2
    item = next(i for i in communes["items"] if i["slug"] == "commune-a")
    assert item == {
        "slug": "commune-a",
        "kind": "commune",
        "name_ar": "أيت ملول",
        "name_fr": "Aït Melloul",
        "parent": "inezgane-test",
        "population": 191000,
        "is_network_member": True,
    }
    children = client.get("/api/v1/collectivities?parent=souss-massa-test").json()
    assert [i["slug"] for i in children["items"]] == ["inezgane-test"]


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["ait melloul", "أيت ملول", "ايت ملول", "AÏT-MELLOUL"])
def test_search_by_name(q, collectivity_a, collectivity_b) -> None:
    data = Client().get("/api/v1/collectivities", {"q": q, "kind": "commune"}).json()
    assert [i["slug"] for i in data["items"]] == ["commune-a"]
    # The prefecture of Inezgane-Ait Melloul matches too when no kind is given.
    data = Client().get("/api/v1/collectivities", {"q": q}).json()
    assert {i["slug"] for i in data["items"]} == {"commune-a", "inezgane-test"}


@pytest.mark.django_db
def test_pagination_keeps_the_total(collectivity_a, collectivity_b) -> None:
    data = Client().get("/api/v1/collectivities?page=2&page_size=3").json()
    assert data["count"] == 4
    assert len(data["items"]) == 1


@pytest.mark.django_db
def test_detail_and_unknown(collectivity_a) -> None:
    client = Client()
    assert client.get("/api/v1/collectivities/commune-a").json()["parent"] == "inezgane-test"
    response = client.get("/api/v1/collectivities/nowhere")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["kind=galaxy", "page=0", "page_size=100000", "page=abc", "parent=nowhere"],
)
def test_bad_parameters_are_4xx_with_detail(query, region) -> None:
    response = Client().get(f"/api/v1/collectivities?{query}")
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


@pytest.mark.django_db
def test_openapi_schema_is_published() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/collectivities" in schema["paths"]
