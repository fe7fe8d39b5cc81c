"""The pure opinion-mapping maths (no database): groups, representative statements,
consensus, edge cases and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from infitah.participation.labs import math as labs_math
from infitah.participation.labs.math import (
    LabResult,
    VoteInputError,
    adjusted_rand_index,
    opinion_groups,
    read_jsonl,
)

REPO = Path(__file__).resolve().parents[4]

# Planted conversation: 3 groups of 30; statements 0-2 are agreed by group 0 only
# (the others disagree), 3-5 by group 1 only, 6-8 by group 2 only; statement 9 is agreed
# by everyone; statements 10-29 are voted alike by every group (noise).
GROUPS, PER_GROUP = 3, 30
PLANTED = {0: {0, 1, 2}, 1: {3, 4, 5}, 2: {6, 7, 8}}
CONSENSUS = 9
N_STATEMENTS = 30


def planted(seed: int = 7) -> tuple[list[int], list[int], list[int], dict[int, int]]:
    rng = np.random.default_rng(seed)
    people, statements, votes = [], [], []
    truth: dict[int, int] = {}
    for group in range(GROUPS):
        for member in range(PER_GROUP):
            person = 1000 + group * PER_GROUP + member
            truth[person] = group
            for statement in range(N_STATEMENTS):
                if statement < 9:
                    agree = statement in PLANTED[group]
                    vote = (1 if agree else -1) if rng.random() < 0.93 else int(rng.integers(-1, 2))
                elif statement == CONSENSUS:
                    vote = 1 if rng.random() < 0.95 else 0
                else:
                    vote = int(rng.choice([-1, 0, 1], p=[0.35, 0.3, 0.35]))
                people.append(person)
                statements.append(statement)
                votes.append(vote)
    return people, statements, votes, truth


def sparse_planted(
    n: int, m: int, per: int, seed: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Participants vote on `per` random statements; group profiles differ everywhere."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n)
    p_agree = rng.choice([0.1, 0.5, 0.9], size=(3, m))
    people = np.repeat(np.arange(n), per)
    statements = np.concatenate([rng.choice(m, per, replace=False) for _ in range(n)])
    agree = rng.random(len(people)) < p_agree[truth[people], statements]
    passes = rng.random(len(people)) < 0.1
    votes = np.where(passes, 0, np.where(agree, 1, -1))
    return people, statements, votes, truth


def groups_by_id(result: LabResult) -> dict[Any, int | None]:
    return {p.participant_id: p.group for p in result.participants}


def matched_group(result: LabResult, truth: dict[int, int], planted_group: int) -> int:
    """The found group holding most members of a planted group."""
    found = groups_by_id(result)
    members = [found[p] for p, g in truth.items() if g == planted_group]
    best = max(set(members), key=members.count)
    assert best is not None
    return best


def test_planted_groups_are_recovered() -> None:
    people, statements, votes, truth = planted()
    result = opinion_groups(people, statements, votes, seed=0)
    assert result.params["k"] == 3
    found = groups_by_id(result)
    ids = sorted(truth)
    assert adjusted_rand_index([truth[i] for i in ids], [found[i] for i in ids]) >= 0.9
    assert sorted(g.size for g in result.groups) == [30, 30, 30]
    assert set(result.params["silhouettes"]) == {"2", "3", "4", "5"}
    # Polis's cap for small conversations: k <= 2 + n / 12.
    small = [i for i, p in enumerate(people) if (p - 1000) % PER_GROUP < 10]
    result = opinion_groups(
        [people[i] for i in small], [statements[i] for i in small], [votes[i] for i in small]
    )
    assert set(result.params["silhouettes"]) == {"2", "3", "4"}
    assert result.params["k"] == 3
    assert all(p.x is not None and p.y is not None for p in result.participants)


def test_sparse_planted_groups_are_recovered() -> None:
    people, statements, votes, truth = sparse_planted(900, 300, 40)
    result = opinion_groups(people, statements, votes, seed=5)
    labels = [p.group for p in result.participants]
    assert [p.participant_id for p in result.participants] == list(range(900))
    assert result.params["k"] == 3
    assert adjusted_rand_index(truth, labels) >= 0.9
    assert result.params["pca_converged"] is True


def test_projection_matches_a_dense_svd() -> None:
    """The sparse orthogonal iteration gives the PCA of the dense mean-imputed matrix."""
    people, statements, votes, _truth = sparse_planted(400, 50, 15, seed=4)
    result = opinion_groups(people, statements, votes, seed=0, min_votes=1)
    dense = np.full((400, 50), np.nan)
    dense[people, statements] = votes
    means = np.nanmean(dense, axis=0)
    centred = np.where(np.isnan(dense), 0.0, dense - means)
    _u, singular, vt = np.linalg.svd(centred, full_matrices=False)
    scale = np.sqrt(50 / np.bincount(people, minlength=400))
    for axis, name in enumerate(("x", "y")):
        component = vt[axis] * np.sign(vt[axis][np.argmax(np.abs(vt[axis]))])
        expected = centred @ component * scale
        found = np.array([getattr(p, name) for p in result.participants])
        np.testing.assert_allclose(found, expected, atol=1e-6)
    explained = (singular[:2] ** 2 / (singular**2).sum()).round(6).tolist()
    assert result.params["explained_variance"] == explained


def test_silhouette_matches_its_definition() -> None:
    rng = np.random.default_rng(1)
    points = rng.standard_normal((40, 2))
    labels = rng.integers(0, 3, 40)
    labels[0] = 3  # a group of one scores 0
    distances = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    expected = []
    for i in range(40):
        own = (labels == labels[i]) & (np.arange(40) != i)
        if not own.any():
            expected.append(0.0)
            continue
        a = distances[i, own].mean()
        b = min(distances[i, labels == g].mean() for g in set(labels.tolist()) - {labels[i]})
        expected.append((b - a) / max(a, b))
    found = labs_math._silhouette(labs_math._pairwise_distances(points), labels, 4)
    assert found == pytest.approx(float(np.mean(expected)))


def test_representative_statements_are_the_planted_ones() -> None:
    people, statements, votes, truth = planted()
    result = opinion_groups(people, statements, votes, seed=0)
    for planted_group, planted_statements in PLANTED.items():
        group = result.groups[matched_group(result, truth, planted_group)]
        agreed = {s.statement_id for s in group.representative if s.direction == "agree"}
        assert agreed == planted_statements
        # The planted statements are the most representative (largest z-scores) ...
        top = {s.statement_id for s in group.representative[:3]}
        assert top == planted_statements
        # ... and the group's own statistics are reported.
        first = group.representative[0]
        assert first.votes == PER_GROUP
        assert first.agree >= 25
        assert first.p_agree > 0.8
        assert first.p_rest is not None and first.p_rest < 0.2
        assert first.score > 1.2815515655446004
        # Noise statements and the consensus one never represent a group.
        assert {s.statement_id for s in group.representative} <= set(range(9))


def test_consensus_finds_the_statement_everyone_agrees_with() -> None:
    people, statements, votes, _truth = planted()
    result = opinion_groups(people, statements, votes, seed=0)
    assert [(s.statement_id, s.direction) for s in result.consensus] == [(CONSENSUS, "agree")]
    stat = result.consensus[0]
    assert stat.votes == 90
    assert stat.agree >= 80
    assert stat.disagree == 0
    assert 0.5 < stat.score <= 1.0


def test_consensus_disagree_direction() -> None:
    people, statements, votes, _truth = planted()
    # Turn the consensus statement into one everyone rejects.
    votes = [-v if s == CONSENSUS else v for s, v in zip(statements, votes, strict=True)]
    result = opinion_groups(people, statements, votes, seed=0)
    assert [(s.statement_id, s.direction) for s in result.consensus] == [(CONSENSUS, "disagree")]


def test_same_seed_same_result_and_vote_order_does_not_matter() -> None:
    people, statements, votes, _truth = planted()
    first = opinion_groups(people, statements, votes, seed=11).to_json()
    assert opinion_groups(people, statements, votes, seed=11).to_json() == first
    order = np.random.default_rng(0).permutation(len(votes))
    shuffled = opinion_groups(
        [people[i] for i in order],
        [statements[i] for i in order],
        [votes[i] for i in order],
        seed=11,
    ).to_json()
    assert shuffled == first


def test_sampled_silhouette_and_kmeans_are_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small samples so that the large-conversation paths run on small data.
    monkeypatch.setattr(labs_math, "SILHOUETTE_SAMPLE", 300)
    monkeypatch.setattr(labs_math, "KMEANS_SAMPLE", 1000)
    people, statements, votes, truth = sparse_planted(3000, 200, 25, seed=9)
    first = opinion_groups(people, statements, votes, seed=2)
    assert opinion_groups(people, statements, votes, seed=2) == first
    assert first.params["silhouette_sample"] == 300
    assert adjusted_rand_index(truth, [p.group for p in first.participants]) >= 0.9


def test_participants_below_min_votes_get_no_group() -> None:
    people, statements, votes, _truth = planted()
    # Two newcomers with a handful of votes.
    for person, count in ((1, 3), (2, 6)):
        people += [person] * count
        statements += list(range(count))
        votes += [1] * count
    result = opinion_groups(people, statements, votes, seed=0)
    found = {p.participant_id: p for p in result.participants}
    assert found[1].group is None and found[2].group is None
    assert found[1].x is not None  # still placed on the map
    assert result.params["n_clustered"] == 90
    assert result.params["n_participants"] == 92
    with_more = opinion_groups(people, statements, votes, seed=0, min_votes=3)
    assert {p.participant_id: p.group for p in with_more.participants}[1] is not None


def test_later_votes_override_earlier_ones() -> None:
    people, statements, votes, _truth = planted()
    # Everyone first rejected the consensus statement, then changed their mind.
    flipped = [
        (p, s, -1) for p, s, v in zip(people, statements, votes, strict=True) if s == CONSENSUS
    ]
    people = [p for p, _s, _v in flipped] + people
    statements = [s for _p, s, _v in flipped] + statements
    votes = [v for _p, _s, v in flipped] + votes
    result = opinion_groups(people, statements, votes, seed=0)
    assert result.params["n_votes_input"] == 90 * 31
    assert result.params["n_votes"] == 90 * 30
    stat = result.consensus[0]
    assert (stat.statement_id, stat.direction, stat.disagree) == (CONSENSUS, "agree", 0)


def test_excluded_statements_leave_the_maths() -> None:
    people, statements, votes, _truth = planted()
    result = opinion_groups(people, statements, votes, seed=0, excluded_statements={CONSENSUS, 0})
    assert result.consensus == []
    assert result.params["n_statements"] == 28
    assert result.params["n_excluded_statements"] == 2
    mentioned = {s.statement_id for g in result.groups for s in g.representative}
    assert 0 not in mentioned and {1, 2} <= mentioned


def test_string_ids_are_kept_as_given() -> None:
    people, statements, votes, truth = planted()
    result = opinion_groups(
        [f"p{p}" for p in people], [f"s-{s}" for s in statements], votes, seed=0
    )
    assert result.params["k"] == 3
    assert result.consensus[0].statement_id == f"s-{CONSENSUS}"
    assert {p.participant_id for p in result.participants} == {f"p{p}" for p in truth}
    json.dumps(result.to_json())


@pytest.mark.parametrize(
    ("people", "statements", "votes"),
    [
        ([], [], []),  # empty
        ([1, 2, 3], [5, 5, 5], [1, -1, 0]),  # one statement
        ([1, 1, 2, 2], [1, 2, 1, 2], [0, 0, 0, 0]),  # all pass
        ([1] * 8 + [2] * 8, list(range(8)) * 2, [1] * 8 + [-1] * 8),  # two participants
        ([1] * 8, list(range(8)), [1, -1] * 4),  # one participant
        (["a", 1, "a", 1], [1, "1", "1", 1], [1, 1, -1, -1]),  # mixed id types
        (list(range(40)), [0] * 40, [1] * 40),  # everyone agrees with the only statement
    ],
)
def test_edge_cases_do_not_crash(
    people: list[Any], statements: list[Any], votes: list[int]
) -> None:
    result = opinion_groups(people, statements, votes, seed=0)
    output = result.to_json()
    json.dumps(output)
    assert len(output["participants"]) == len(set(people))
    assert sum(g["size"] for g in output["groups"]) == result.params["n_clustered"]
    for participant in output["participants"]:
        assert participant["group"] is None or 0 <= participant["group"] < len(output["groups"])


def test_all_passes_make_one_group_and_no_statement() -> None:
    people = [p for p in range(20) for _ in range(8)]
    statements = [s for _ in range(20) for s in range(8)]
    result = opinion_groups(people, statements, [0] * len(people), seed=0)
    assert result.params["k"] == 1
    assert [g.size for g in result.groups] == [20]
    assert result.groups[0].representative == []
    assert result.consensus == []


def test_everyone_below_threshold_means_no_group() -> None:
    result = opinion_groups([1, 2, 3], [1, 2, 3], [1, 1, 1], seed=0, min_votes=7)
    # min(7, 3 statements) = 3 votes needed: nobody has them.
    assert result.params["min_votes_used"] == 3
    assert result.groups == [] and result.consensus == []
    assert all(p.group is None for p in result.participants)


def test_numpy_arrays_are_accepted() -> None:
    people, statements, votes, truth = sparse_planted(300, 60, 20)
    result = opinion_groups(
        people.astype(np.int32), statements.astype(np.uint16), votes.astype(np.int8), seed=1
    )
    assert result.params["n_votes"] == 6000
    assert all(type(p.participant_id) is int for p in result.participants)
    assert adjusted_rand_index(truth, [p.group for p in result.participants]) >= 0.9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"votes": [1, 2]}, "-1, 0 or 1"),
        ({"votes": [1.5, 0]}, "-1, 0 or 1"),
        ({"votes": ["1", "0"]}, "integers"),
        ({"votes": [1]}, "length"),
        ({"seed": -1}, "seed"),
        ({"min_votes": 0}, "min_votes"),
        ({"max_k": 1}, "max_k"),
    ],
)
def test_bad_arguments_raise_a_clear_error(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"votes": [1, 0], "seed": 0, "min_votes": 7, "max_k": 5}
    arguments.update(kwargs)
    with pytest.raises(VoteInputError, match=message):
        opinion_groups([1, 2], [1, 1], **arguments)


def test_adjusted_rand_index() -> None:
    assert adjusted_rand_index([0, 0, 1, 1], [1, 1, 0, 0]) == 1.0
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    assert adjusted_rand_index(["a", "a", "b", "b"], [0, 1, 0, 1]) == pytest.approx(-0.5)
    assert adjusted_rand_index([0, 0, 0], [0, 0, 0]) == 1.0


def test_read_jsonl_from_lines() -> None:
    table = read_jsonl(
        [
            '{"participant_id": 1, "statement_id": "s1", "vote": 1}\n',
            "\n",
            '{"participant_id": "p2", "statement_id": 3, "vote": -1, "extra": true}',
        ]
    )
    assert table.participant_ids == [1, "p2"]
    assert table.statement_ids == ["s1", 3]
    assert table.votes == [1, -1]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ("[1, 2, 3]", "line 2: expected a JSON object"),
        ('{"participant_id": 1, "statement_id": 2}', "line 2: missing key 'vote'"),
        ('{"participant_id": 1, "statement_id": 2, "vote": true}', "line 2: vote must be"),
        ('{"participant_id": 1, "statement_id": 2, "vote": 1.0}', "line 2: vote must be"),
        ('{"participant_id": 1, "statement_id": 2, "vote": 2}', "line 2: vote must be"),
        ('{"participant_id": null, "statement_id": 2, "vote": 1}', "line 2: participant_id"),
        ('{"participant_id": 1, "statement_id": "", "vote": 1}', "line 2: statement_id"),
        ('{"participant_id": 1, "statement_id": [2], "vote": 1}', "line 2: statement_id"),
    ],
)
def test_read_jsonl_names_the_bad_line(line: str, message: str) -> None:
    good = '{"participant_id": 1, "statement_id": 1, "vote": 0}'
    with pytest.raises(VoteInputError, match=message):
        read_jsonl([good, line])


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infitah.participation.labs.math", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_prints_the_result_as_json(tmp_path: Path) -> None:
    people, statements, votes, _truth = planted()
    path = tmp_path / "votes.jsonl"
    with path.open("w") as handle:
        for p, s, v in zip(people, statements, votes, strict=True):
            handle.write(json.dumps({"participant_id": p, "statement_id": s, "vote": v}) + "\n")
        handle.write(json.dumps({"participant_id": 1, "statement_id": 0, "vote": 1}) + "\n")
    done = run_cli(str(path), "--seed", "3", "--min-votes", "5", "--max-k", "4")
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert set(output) >= {"participants", "groups", "consensus", "params"}
    assert len(output["participants"]) == 91
    for participant in output["participants"]:
        assert set(participant) >= {"participant_id", "group"}
    first = output["participants"][0]
    assert (first["participant_id"], first["group"]) == (1, None)
    assert [g["size"] for g in output["groups"]] == [30, 30, 30]
    for group in output["groups"]:
        assert set(group) >= {"group", "size", "representative"}
        for stat in group["representative"]:
            assert set(stat) >= {"statement_id", "direction"}
            assert stat["direction"] in ("agree", "disagree")
    assert output["consensus"][0]["statement_id"] == CONSENSUS
    assert output["consensus"][0]["direction"] == "agree"
    params = output["params"]
    assert (params["seed"], params["min_votes"], params["max_k"], params["k"]) == (3, 5, 4, 3)
    # The command line and the function agree.
    expected = opinion_groups(
        [*people, 1], [*statements, 0], [*votes, 1], seed=3, min_votes=5, max_k=4
    ).to_json()
    assert output == json.loads(json.dumps(expected))


def test_cli_exclude_option(tmp_path: Path) -> None:
    people, statements, votes, _truth = planted()
    path = tmp_path / "votes.jsonl"
    path.write_text(
        "".join(
            json.dumps({"participant_id": p, "statement_id": s, "vote": v}) + "\n"
            for p, s, v in zip(people, statements, votes, strict=True)
        )
    )
    done = run_cli(str(path), "--exclude", str(CONSENSUS))
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["consensus"] == []
    assert output["params"]["n_excluded_statements"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"participant_id": 1, "statement_id": 1, "vote": 1}\n{"vote": 1}\n', "line 2"),
        ('{"participant_id": 1, "statement_id": 1, "vote": "yes"}\n', "line 1"),
        ("not json at all\n", "line 1: not valid JSON"),
    ],
)
def test_cli_bad_line_exits_2_without_traceback(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "votes.jsonl"
    path.write_text(content)
    done = run_cli(str(path))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_cli_missing_file_and_bad_option_exit_2(tmp_path: Path) -> None:
    done = run_cli(str(tmp_path / "absent.jsonl"))
    assert done.returncode == 2
    assert "cannot read" in done.stderr and "Traceback" not in done.stderr
    path = tmp_path / "votes.jsonl"
    path.write_text('{"participant_id": 1, "statement_id": 1, "vote": 1}\n')
    done = run_cli(str(path), "--seed", "-4")
    assert done.returncode == 2
    assert "seed" in done.stderr and "Traceback" not in done.stderr
    done = run_cli(str(path), "--max-k", "many")
    assert done.returncode == 2 and "Traceback" not in done.stderr
