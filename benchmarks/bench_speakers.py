"""Speaker turns on the hand-written corpus (tests/data/speakers/), one file per convention:
turns found / expected (a turn counts when its speaker and first words are right) and the
share of words given to the role that said them, from the words per role (what a role was
given beyond what it said belongs to another; goal: every turn, 100 %).

Peer, in the same run: the parser before issue 19 (commit PEER), imported from a checkout
made with `git worktree add /tmp/peer-speakers PEER` (or QUALCODE_PEER_SRC), when it is
there. Each version runs in its own process, its qualcode first on the path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT))
from common import table  # noqa: E402

PEER = "bc7df51"


def child() -> None:
    """In a process whose qualcode is the version measured: each file's figures, as JSON."""
    from tests import speakers_corpus

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in speakers_corpus.names():
            want = speakers_corpus.expected(name)
            try:
                found = speakers_corpus.find(name, Path(folder))
            except Exception as exc:  # an older reader may refuse a file: report it, go on
                results[name] = {"error": f"{type(exc).__name__}: {exc}"[:80]}
                continue
            expected = [(t["speaker"], t["starts"]) for t in want["turns"]]
            got = [(s, w) for s, _, w in found.turns]
            results[name] = {
                "found": len(got),
                "right": sum(1 for turn in got if turn in expected),
                "expected": len(expected),
                "share": speakers_corpus.right_share(found.words, want["words"]),
            }
    print(json.dumps(results))


def peer_src() -> Path | None:
    folder = Path(os.environ.get("QUALCODE_PEER_SRC", "/tmp/peer-speakers/src"))
    return folder if (folder / "qualcode").is_dir() else None


def measure(src: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{ROOT}"}
    out = subprocess.run(
        [sys.executable, __file__, "--child"], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def cells(result: dict) -> list[object]:
    if "error" in result:
        return ["refused", "-", result["error"]]
    turns = f"{result['right']}/{result['expected']}"
    extra = result["found"] - result["right"]
    share = 100 * result["share"]
    return [turns + (f" (+{extra} wrong)" if extra else ""), f"{share:.0f} %", ""]


def main() -> None:
    here = measure(ROOT / "src")
    peer = measure(peer_src()) if peer_src() else {}
    rows = []
    for name, result in here.items():
        row = [name, *cells(result)[:2]]
        row += cells(peer[name])[:2] if name in peer else ["(no peer)", ""]
        rows.append(row)
    table(
        "speaker turns on the corpus: turns found right / expected, words given to the role "
        f"that said them (goal: all, 100 %); peer: the parser at {PEER}",
        ["file", "turns", "right role", f"peer {PEER} turns", "peer right role"],
        rows,
    )
    for name, result in peer.items():
        if "error" in result:
            print(f"  peer on {name}: {result['error']}")


if __name__ == "__main__":
    child() if sys.argv[1:] == ["--child"] else main()
