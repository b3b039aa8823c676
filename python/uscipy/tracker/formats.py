"""The tracker's outputs: a summary table in the terminal, markdown, JSON and HTML."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from .run import Row, Status, Target, to_json_data

SYMBOL = {
    Status.VERIFIED: "✓",
    Status.MISMATCH: "≠",
    Status.ERROR: "!",
    Status.NOT_IMPLEMENTED: "·",
    Status.UNAVAILABLE: "–",
}


def summary(rows: list[Row], chosen: list[Target]) -> list[tuple[str, str, dict[str, tuple[int, int, int]]]]:
    """Per module and group: for each backend (verified, implemented, total)."""
    counts: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for row in rows:
        for key in ((row.module, row.group), (row.module, "")):
            for target in chosen:
                c = counts[key][target.name]
                outcome = row.outcomes[target.name]
                c[0] += outcome.status is Status.VERIFIED
                c[1] += outcome.status in (Status.VERIFIED, Status.MISMATCH, Status.ERROR)
                c[2] += 1
    return [(m, g, {b: tuple(v) for b, v in per.items()}) for (m, g), per in counts.items()]


def _ordered_summary(rows: list[Row], chosen: list[Target]):
    table = summary(rows, chosen)
    modules = list(dict.fromkeys(r.module for r in rows))
    return sorted(table, key=lambda t: (modules.index(t[0]), t[1] != "", t[1]))


def versus_scipy(rows: list[Row], chosen: list[Target]) -> list[str]:
    """For each array library uscipy has a backend for: how SciPy itself treats its arrays
    (its array-API table) next to how many functions uscipy verifiably runs natively."""
    from .scipy_capabilities import LIBRARIES, capabilities

    caps = capabilities()
    if not caps:
        return []
    lines = []
    for t in chosen:
        if t.name not in LIBRARIES:
            continue
        verdicts = [caps.get(f"{r.module}.{r.name}", {}).get(t.name, "unknown") for r in rows]
        ours = sum(r.outcomes[t.name].status is Status.VERIFIED for r in rows)
        counted = ", ".join(f"{v} {verdicts.count(v)}" for v in ("native", "convert", "refuse", "unknown"))
        upgraded = sum(
            r.outcomes[t.name].status is Status.VERIFIED and v in ("convert", "refuse", "unknown")
            for r, v in zip(rows, verdicts)
        )
        lines.append(f"{t.name}: SciPy (array API) {counted}; uscipy verified natively {ours}, "
                     f"of which {upgraded} SciPy would convert to NumPy, refuse or not list")
    return lines


def markdown(rows: list[Row], chosen: list[Target]) -> str:
    names = [t.name for t in chosen]
    out = ["| module | group | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for module, group, per in _ordered_summary(rows, chosen):
        cells = [f"{v}/{i}/{t}" for v, i, t in (per[n] for n in names)]
        out.append(f"| {module} | {group or '**all**'} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("Cells: verified / implemented / total. Verified: ran on the sample inputs and matched SciPy.")
    unusable = [f"- {t.name}: unavailable ({t.reason})" for t in chosen if not t.usable]
    comparison = [f"- {line}" for line in versus_scipy(rows, chosen)]
    return "\n".join(out + unusable + ([""] if comparison else []) + comparison) + "\n"


def json_text(rows: list[Row], chosen: list[Target]) -> str:
    return json.dumps(to_json_data(rows, chosen), indent=1, default=str)


def print_table(rows: list[Row], chosen: list[Target], console: Any = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title="uscipy tracker: verified / implemented / total", show_lines=False)
    table.add_column("module")
    table.add_column("group")
    for t in chosen:
        table.add_column(t.name, justify="right", no_wrap=True)
    for module, group, per in _ordered_summary(rows, chosen):
        style = "bold" if not group else ""
        cells = []
        for t in chosen:
            v, i, n = per[t.name]
            if not t.usable:
                cells.append("[dim]n/a[/]")
                continue
            colour = "green" if v == n else ("yellow" if v else "dim")
            cells.append(f"[{colour}]{v}[/]/{i}/{n}")
        table.add_row(module, group or "all", *cells, style=style)
    console.print(table)
    for t in chosen:
        if not t.usable:
            console.print(f"[dim]{t.name}: n/a, unavailable: {t.reason}[/]")
    for line in versus_scipy(rows, chosen):
        console.print(line)
    problems = [(r, b, o) for r in rows for b, o in r.outcomes.items() if o.status in (Status.MISMATCH, Status.ERROR)]
    if problems:
        console.print(f"\n[yellow]{len(problems)} mismatches or errors[/] (details: --format json or html):")
        for row, backend, outcome in problems[:15]:
            console.print(f"  {backend}: {row.module}.{row.name}: {outcome.status.value}: {outcome.detail.splitlines()[0][:110]}")
