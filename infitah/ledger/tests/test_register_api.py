"""/api/v1/register/: checkpoint, key, entries and proofs; bad parameters are 400s."""

from __future__ import annotations

import base64
import hashlib

import pytest

from infitah.ledger import merkle, signing
from infitah.ledger.register_services import checkpoint_sign

pytestmark = pytest.mark.django_db

API = "/api/v1/register"


@pytest.fixture
def register(publish, collectivity_b) -> None:
    for i in range(9):
        publish(f"doc {i}".encode(), document_id=str(i))
    publish(b"doc b", document_id="b1", collectivity=collectivity_b)
    checkpoint_sign()


def test_no_checkpoint_yet_is_404(client, db) -> None:
    response = client.get(f"{API}/checkpoint")
    assert response.status_code == 404 and response.json()["detail"]


def test_checkpoint_and_public_key(client, register) -> None:
    cp = client.get(f"{API}/checkpoint").json()
    assert cp["tree_size"] == 10 and len(cp["root_hash"]) == 64
    key = client.get(f"{API}/public-key").json()
    assert key == {"public_key": cp["public_key"], "algorithm": "Ed25519"}
    assert len(base64.b64decode(key["public_key"])) == 32
    message = f"infitah-register\n{cp['tree_size']}\n{cp['root_hash']}\n{cp['timestamp']}\n"
    assert cp["timestamp"].endswith("Z") and len(cp["timestamp"]) == 20
    assert signing.signature_is_valid(
        message=message.encode(), signature_b64=cp["signature"], public_key_b64=key["public_key"]
    )


def test_entry(client, register, collectivity_b) -> None:
    body = client.get(f"{API}/entries/9").json()
    assert body["index"] == 9 and body["action"] == "publish"
    assert body["document"] == "test.document:b1"
    assert body["collectivity"] == collectivity_b.slug
    assert body["sha256"] == hashlib.sha256(b"doc b").hexdigest()
    assert client.get(f"{API}/entries/10").status_code == 404


def test_an_auditor_checks_inclusion_and_consistency_with_the_api_only(client, register) -> None:
    cp = client.get(f"{API}/checkpoint").json()
    root = bytes.fromhex(cp["root_hash"])
    for index in range(10):
        entry = client.get(f"{API}/entries/{index}").json()
        response = client.get(f"{API}/proof/inclusion", {"index": index, "tree_size": 10})
        path = [bytes.fromhex(h) for h in response.json()["audit_path"]]
        assert merkle.verify_inclusion(bytes.fromhex(entry["leaf_hash"]), index, 10, path, root)
    for first in range(1, 11):
        response = client.get(f"{API}/proof/consistency", {"first": first, "second": 10})
        path = [bytes.fromhex(h) for h in response.json()["consistency_path"]]
        first_root = client.get(f"{API}/proof/inclusion", {"index": 0, "tree_size": first})
        assert first_root.status_code == 200
        # The first tree's root, rebuilt from the first `first` leaves.
        leaves = [
            bytes.fromhex(client.get(f"{API}/entries/{i}").json()["leaf_hash"])
            for i in range(first)
        ]
        assert merkle.verify_consistency(first, 10, merkle.root(leaves), root, path)


@pytest.mark.parametrize(
    "url",
    [
        "/entries/abc",
        "/entries/-1",
        "/entries/1e3",
        "/entries/99999999999999999999999",
        "/proof/inclusion",
        "/proof/inclusion?index=0",
        "/proof/inclusion?index=x&tree_size=3",
        "/proof/inclusion?index=3&tree_size=3",
        "/proof/inclusion?index=0&tree_size=0",
        "/proof/inclusion?index=0&tree_size=11",
        "/proof/inclusion?index=0&tree_size=999999999999999",
        "/proof/inclusion?index=0&tree_size=9999999999999999999999999",
        "/proof/inclusion?index=-1&tree_size=3",
        "/proof/inclusion?index=0&index=1&tree_size=%00",
        "/proof/consistency?first=0&second=3",
        "/proof/consistency?first=4&second=3",
        "/proof/consistency?first=1&second=11",
        "/proof/consistency?first=1",
        "/proof/consistency?first=' OR 1=1 --&second=3",
    ],
)
def test_bad_parameters_are_400(client, register, url) -> None:
    response = client.get(API + url)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]


def test_register_is_public_to_everyone(client, register, charlie) -> None:
    """The register is network-wide and public: another collectivity's staff sees the same."""
    anonymous = client.get(f"{API}/entries/0").json()
    client.force_login(charlie)
    assert client.get(f"{API}/entries/0").json() == anonymous
