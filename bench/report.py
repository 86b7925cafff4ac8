"""Render a run's figures as the Markdown table of docs/benchmarks.md.

python -m bench.report [bench/out/last-run.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.proc import REPO


def _target(fig: dict[str, Any]) -> str:
    target = fig.get("target") or {}
    parts = []
    if "min_rps" in target:
        parts.append(f"≥ {target['min_rps']:,.0f}/s")
    if "max_p99_ms" in target:
        parts.append(f"p99 ≤ {target['max_p99_ms']:g} ms")
    if "min_ratio" in target:
        parts.append(f"≥ {target['min_ratio']:g}x baseline")
    if "max_seconds" in target:
        parts.append(f"≤ {target['max_seconds']:g} s")
    return ", ".join(parts) or "(reference)"


def _measured(fig: dict[str, Any]) -> str:
    if "skipped" in fig:
        return f"skipped: {fig['skipped']}"
    if "seconds" in fig:
        return (
            f"{fig['seconds']:.1f} s (new numbers visible after {fig['visible_s']:.1f} s; "
            f"{fig['voices']:,} voices, {fig['periods']} periods)"
        )
    text = f"{fig['rps']:,.0f}/s, p50 {fig['p50_ms']:.1f} ms, p99 {fig['p99_ms']:.1f} ms"
    if fig.get("ratio") is not None:
        text += f", {fig['ratio']:.2f}x baseline"
    if "counted" in fig:
        text += f"; {fig['ok']:,} x 201, {fig['counted']:,} stored"
    if fig.get("errors"):
        text += f"; {fig['errors']:,} errors {fig.get('statuses', {})}"
    return text


def table(figures: list[dict[str, Any]]) -> str:
    rows = ["| Figure | Measured | Target | Pass |", "|---|---|---|---|"]
    for fig in figures:
        verdict = {True: "pass", False: "**fail**", None: "-"}[fig.get("pass")]
        rows.append(f"| `{fig['figure']}` | {_measured(fig)} | {_target(fig)} | {verdict} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else REPO / "bench" / "out" / "last-run.json"
    run = json.loads(path.read_text(encoding="utf-8"))
    machine = run["machine"]
    print(
        f"{machine['nproc']} cores, {machine['cpu_model']}; {run['duration_s']:g} s per HTTP figure"
    )
    if "python" in machine:  # runs recorded before session 5 lack it
        built = [flag for flag in ("pgo", "lto") if machine.get(f"python_{flag}")]
        print(f"Python {machine['python']} ({' + '.join(built).upper() or 'no PGO, no LTO'})")
    print()
    print(table(run["figures"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
