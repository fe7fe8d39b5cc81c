"""Opinion-mapping benchmark: our NumPy pipeline against red-dwarf 0.4, in the same run.

    .venv/bin/python bench/labs/labs_bench.py                  # sizes S, M (both) and L (ours)
    .venv/bin/python bench/labs/labs_bench.py --sizes S --reps 1 --no-reddwarf

What it does (method and figures: docs/labs-maths.md; how to run: bench/labs/README.md):

1. **Data.** Synthetic conversations with 3 planted opinion groups (45 / 35 / 20 %),
   generated deterministically (seed 42) and cached in `bench/results/labs/` (git-ignored):
   S = 2,000 participants x 500 statements (~100,000 votes), M = 10,000 x 1,000
   (~1,000,000 votes), L = 100,000 x 10,000 (~5,000,000 votes, ~50 per participant).
2. **Runs.** Each measurement is a fresh subprocess (`worker` mode of this file) that loads
   the votes, builds each library's own input (NumPy arrays for ours, the list of vote
   dicts red-dwarf's `run_pipeline` takes) outside the timer, then times the pipeline
   call alone. It reports that time and its memory from /proc/self/status: VmRSS just
   before the call and VmHWM (peak RSS) after it. Ours runs under the project's
   interpreter; red-dwarf under its own virtualenv (`--venv`, default
   `bench/.venv-reddwarf`, created with `pip install red-dwarf==0.4.*` when missing).
   The two alternate within each repetition (`--reps`, default 3; median kept).
3. **Quality.** Adjusted Rand index of each pipeline's groups against the planted groups,
   over the participants it clustered (both use the Polis threshold of 7 votes).
4. **Report.** A Markdown table on stdout; the raw figures as JSON in
   `bench/results/labs-<date>.json`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.metadata
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RESULTS = REPO / "bench" / "results"
DEFAULT_VENV = REPO / "bench" / ".venv-reddwarf"
REDDWARF_REQUIREMENT = "red-dwarf==0.4.*"
SEED = 42

#: name: (participants, statements, mean votes per regular participant, red-dwarf too)
SIZES: dict[str, tuple[int, int, int, bool]] = {
    "S": (2_000, 500, 59, True),
    "M": (10_000, 1_000, 115, True),
    "L": (100_000, 10_000, 53, False),
}
GROUP_SHARES = (0.45, 0.35, 0.20)
DIVISIVE_SHARE = 0.6
DRIVE_BY_SHARE = 0.05
PASS_SHARE = 0.15


# ------------------------------------------------------------------------ data


def generate(n: int, m: int, mean_votes: int, seed: int) -> dict[str, npt.NDArray[Any]]:
    """A synthetic conversation with three planted opinion groups.

    - Each participant belongs to group 0, 1 or 2 (45 / 35 / 20 %).
    - 60 % of the statements are divisive: each group agrees with probability 0.1 or
      0.9 (drawn per group); the others get one agree probability for every group,
      uniform in [0.2, 0.8]; the first 1 % (at least 3) are agreed by all (0.9).
    - A vote is a pass with probability 0.15, else agree with the group's probability.
    - Votes per participant: log-normal around `mean_votes` (sigma 0.6), at least 7;
      5 % are drive-by participants with 1-6 votes (below the clustering threshold).
    - Statements are drawn with a popularity skew (weight (rank + 20) ** -0.6), repeats
      of a (participant, statement) pair dropped; the votes are shuffled.
    """
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, size=n, p=GROUP_SHARES).astype(np.int8)
    divisive = rng.random(m) < DIVISIVE_SHARE
    p_agree = np.where(
        divisive[None, :],
        rng.choice([0.1, 0.9], size=(3, m)),
        np.broadcast_to(rng.uniform(0.2, 0.8, m), (3, m)),
    )
    p_agree[:, : max(3, m // 100)] = 0.9
    counts = np.clip(np.rint(rng.lognormal(np.log(mean_votes) - 0.18, 0.6, n)), 7, m)
    drive_by = rng.random(n) < DRIVE_BY_SHARE
    counts[drive_by] = rng.integers(1, 7, int(drive_by.sum()))
    weights = (np.arange(m) + 20.0) ** -0.6
    weights /= weights.sum()
    people = np.repeat(np.arange(n, dtype=np.int64), counts.astype(np.int64))
    statements = rng.choice(m, size=len(people), p=weights)
    pairs = np.unique(people * m + statements)
    people, statements = pairs // m, pairs % m
    agree = rng.random(len(people)) < p_agree[truth[people], statements]
    passes = rng.random(len(people)) < PASS_SHARE
    votes = np.where(passes, 0, np.where(agree, 1, -1)).astype(np.int8)
    order = rng.permutation(len(people))
    return {
        "participant": people[order].astype(np.int32),
        "statement": statements[order].astype(np.int32),
        "vote": votes[order],
        "truth": truth,
        "profile": p_agree,
    }


def oracle_ari(data: Any) -> float:
    """ARI of the best possible guess: each clustered participant put in the group whose
    planted profile makes their votes most likely (the ceiling for any method)."""
    from infitah.participation.labs.math import adjusted_rand_index

    people, statements, votes = data["participant"], data["statement"], data["vote"]
    truth, profile = data["truth"], data["profile"]
    n = len(truth)
    likelihood = np.zeros((n, 3))
    for group in range(3):
        p = profile[group, statements]
        chance = np.where(votes == 1, p, np.where(votes == -1, 1.0 - p, 1.0))
        likelihood[:, group] = np.bincount(people, weights=np.log(chance), minlength=n)
    clustered = np.bincount(people, minlength=n) >= 7
    return adjusted_rand_index(truth[clustered], likelihood.argmax(axis=1)[clustered])


def dataset(name: str) -> Path:
    n, m, mean_votes, _ = SIZES[name]
    path = RESULTS / "labs" / f"{name}-{n}x{m}-seed{SEED}.npz"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = generate(n, m, mean_votes, SEED)
        np.savez(
            path,
            participant=arrays["participant"],
            statement=arrays["statement"],
            vote=arrays["vote"],
            truth=arrays["truth"],
            profile=arrays["profile"],
        )
    return path


# ---------------------------------------------------------------------- worker


def _memory_kb() -> dict[str, int]:
    fields: dict[str, int] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0])
    except OSError:
        pass
    fields.setdefault("VmHWM", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return fields


def worker(pipeline: str, data_path: str, labels_path: str) -> None:
    """Run one pipeline once; print one JSON line; save the labels (-1: no group)."""
    data = np.load(data_path)
    people, statements, votes = data["participant"], data["statement"], data["vote"]
    n = len(data["truth"])
    labels = np.full(n, -1, dtype=np.int64)
    if pipeline == "ours":
        sys.path.insert(0, str(REPO))
        labs_math = importlib.import_module("infitah.participation.labs.math")
        before = _memory_kb()
        start = time.perf_counter()
        result = labs_math.opinion_groups(people, statements, votes, seed=0)
        seconds = time.perf_counter() - start
        after = _memory_kb()
        for placement in result.participants:
            if placement.group is not None:
                labels[int(placement.participant_id)] = placement.group
        k = int(result.params["k"])
        extra = {
            "pca_iterations": result.params["pca_iterations"],
            "silhouettes": result.params["silhouettes"],
        }
    else:
        polis = importlib.import_module("reddwarf.implementations.polis")
        records = [
            {"participant_id": p, "statement_id": s, "vote": v}
            for p, s, v in zip(people.tolist(), statements.tolist(), votes.tolist(), strict=True)
        ]
        before = _memory_kb()
        start = time.perf_counter()
        result = polis.run_pipeline(
            votes=records, min_user_vote_threshold=7, max_group_count=5, random_state=0
        )
        seconds = time.perf_counter() - start
        after = _memory_kb()
        for participant, cluster in result.participants_df["cluster_id"].dropna().items():
            labels[int(participant)] = int(cluster)
        k = len(set(labels[labels >= 0].tolist()))
        extra = {"version": importlib.metadata.version("red-dwarf")}
    np.save(labels_path, labels)
    print(
        json.dumps(
            {
                "pipeline": pipeline,
                "seconds": seconds,
                "rss_before_mb": before.get("VmRSS", 0) / 1024,
                "peak_rss_mb": after["VmHWM"] / 1024,
                "k": k,
                **extra,
            }
        )
    )


# ---------------------------------------------------------------------- parent


def ensure_venv(venv: Path) -> tuple[Path | None, str]:
    """The red-dwarf interpreter, creating the virtualenv if needed; or (None, why)."""
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import reddwarf.implementations.polis"]
    if python.exists() and subprocess.run(check, capture_output=True, check=False).returncode == 0:
        return python, ""
    print(f"creating {venv} with {REDDWARF_REQUIREMENT} ...", file=sys.stderr)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", REDDWARF_REQUIREMENT],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return None, f"{' '.join(step)} failed: {(done.stderr or done.stdout).strip()[-800:]}"
    done = subprocess.run(check, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None, f"red-dwarf does not import: {done.stderr.strip()[-800:]}"
    return python, ""


def run_once(python: Path, pipeline: str, data: Path, timeout: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        labels_path = Path(tmp) / "labels.npy"
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore"}
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [
                    str(python),
                    str(Path(__file__).resolve()),
                    "worker",
                    pipeline,
                    str(data),
                    str(labels_path),
                ],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"pipeline": pipeline, "error": f"timed out after {timeout} s"}
        wall = time.perf_counter() - start
        if done.returncode != 0:
            return {"pipeline": pipeline, "error": done.stderr.strip()[-800:]}
        report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        report["process_seconds"] = wall
        report["labels"] = np.load(labels_path)
        return report


def ari(truth: npt.NDArray[Any], labels: npt.NDArray[Any]) -> tuple[float, int]:
    from infitah.participation.labs.math import adjusted_rand_index

    clustered = labels >= 0
    return adjusted_rand_index(truth[clustered], labels[clustered]), int(clustered.sum())


def summarise(runs: list[dict[str, Any]], truth: npt.NDArray[Any]) -> dict[str, Any]:
    good = [r for r in runs if "error" not in r]
    if not good:
        return {"error": runs[0]["error"] if runs else "not run"}
    quality, clustered = ari(truth, good[0]["labels"])
    times = [r["seconds"] for r in good]
    return {
        "median_seconds": statistics.median(times),
        "seconds": times,
        "process_seconds": [r["process_seconds"] for r in good],
        "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in good),
        "rss_before_mb": statistics.median(r["rss_before_mb"] for r in good),
        "k": good[0]["k"],
        "ari": quality,
        "clustered": clustered,
        "same_labels_every_run": all(np.array_equal(r["labels"], good[0]["labels"]) for r in good),
        "errors": [r["error"] for r in runs if "error" in r],
        **{
            key: good[0][key]
            for key in ("pca_iterations", "silhouettes", "version")
            if key in good[0]
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated: S, M, L (default all)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per pipeline (median)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="red-dwarf virtualenv")
    parser.add_argument("--no-reddwarf", action="store_true", help="run our pipeline only")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per run")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes: {', '.join(unknown)}")

    reddwarf_python: Path | None = None
    reddwarf_problem = "skipped (--no-reddwarf)"
    if not args.no_reddwarf and any(SIZES[s][3] for s in sizes):
        reddwarf_python, reddwarf_problem = ensure_venv(args.venv)
        if reddwarf_python is None:
            print(f"red-dwarf not run: {reddwarf_problem}", file=sys.stderr)

    load = os.getloadavg()
    report: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "load_average_start": load,
        },
        "reps": args.reps,
        "sizes": {},
    }
    for name in sizes:
        n, m, _mean, with_reddwarf = SIZES[name]
        path = dataset(name)
        data = np.load(path)
        truth, n_votes = data["truth"], len(data["vote"])
        print(f"{name}: {n:,} x {m:,}, {n_votes:,} votes", file=sys.stderr)
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "reddwarf": []}
        pipelines = ["ours"]
        if with_reddwarf and reddwarf_python is not None:
            pipelines.append("reddwarf")
        for rep in range(args.reps):
            order = pipelines if rep % 2 == 0 else pipelines[::-1]
            for pipeline in order:
                python = Path(sys.executable) if pipeline == "ours" else reddwarf_python
                assert python is not None
                run = run_once(python, pipeline, path, args.timeout)
                runs[pipeline].append(run)
                shown = run.get("error") or f"{run['seconds']:.2f} s, {run['peak_rss_mb']:.0f} MB"
                print(f"  {pipeline} #{rep + 1}: {shown}", file=sys.stderr)
        entry: dict[str, Any] = {
            "participants": n,
            "statements": m,
            "votes": n_votes,
            "oracle_ari": oracle_ari(data),
            "ours": summarise(runs["ours"], truth),
        }
        if with_reddwarf:
            entry["reddwarf"] = (
                summarise(runs["reddwarf"], truth)
                if reddwarf_python is not None
                else {"error": reddwarf_problem}
            )
            ours_ok = [r for r in runs["ours"] if "error" not in r]
            theirs_ok = [r for r in runs["reddwarf"] if "error" not in r]
            if ours_ok and theirs_ok:
                # How alike the two pipelines' groups are (1 = the same partition).
                entry["ari_ours_vs_reddwarf"] = ari(ours_ok[0]["labels"], theirs_ok[0]["labels"])[0]
        report["sizes"][name] = entry
    report["machine"]["load_average_end"] = os.getloadavg()

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"labs-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(markdown(report))
    print(f"\nraw figures: {out.relative_to(REPO)}", file=sys.stderr)
    return 0


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| size | participants x statements | votes | pipeline | median time (s) [runs] "
        "| peak RSS (MB) [before call] | k | ARI vs planted [best possible] | ours faster by |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in report["sizes"].items():
        ours = entry["ours"]
        for pipeline, label in (("ours", "ours (NumPy)"), ("reddwarf", "red-dwarf 0.4")):
            if pipeline not in entry:
                continue
            figures = entry[pipeline]
            head = f"| {name} | {entry['participants']:,} x {entry['statements']:,} | {entry['votes']:,} | {label} "
            if "error" in figures:
                lines.append(head + f"| not run: {figures['error'][:120]} | | | | |")
                continue
            runs = ", ".join(f"{s:.2f}" for s in figures["seconds"])
            ratio = ""
            if pipeline == "reddwarf" and "median_seconds" in ours:
                ratio = f"{figures['median_seconds'] / ours['median_seconds']:.1f}x"
            lines.append(
                head + f"| {figures['median_seconds']:.2f} [{runs}] "
                f"| {figures['peak_rss_mb']:.0f} [{figures['rss_before_mb']:.0f}] "
                f"| {figures['k']} | {figures['ari']:.3f} [{entry['oracle_ari']:.3f}] | {ratio} |"
            )
    machine = report["machine"]
    lines.append("")
    clustered = ", ".join(
        f"{name}: {entry['ours'].get('clustered', 0):,}" for name, entry in report["sizes"].items()
    )
    lines.append(f"Participants clustered (7 votes or more): {clustered}.")
    alike = ", ".join(
        f"{name}: {entry['ari_ours_vs_reddwarf']:.3f}"
        for name, entry in report["sizes"].items()
        if "ari_ours_vs_reddwarf" in entry
    )
    if alike:
        lines.append(f"ARI between our groups and red-dwarf's: {alike}.")
    lines.append(
        f"{machine['cpus']} CPUs, {machine['platform']}, Python {machine['python']}, "
        f"NumPy {machine['numpy']}; load average {machine['load_average_start'][0]:.2f} at the "
        f"start, {machine['load_average_end'][0]:.2f} at the end; {report['reps']} runs each."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit(0)
    sys.exit(main())
