"""The tracker's HTML report: one self-contained file (no network), the function x backend
matrix with colour *and* text per status, filters, coverage bars, details on each cell."""

from __future__ import annotations

import html
import json

from .formats import SYMBOL, summary, versus_scipy
from .run import Row, Status, Target, to_json_data

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em} table{border-collapse:collapse} th,td{border:1px solid #ccc;padding:2px 6px}
th{background:#f3f3f3;position:sticky;top:0} td.cell{text-align:center;white-space:nowrap;cursor:default}
.verified{background:#c8e6c9}.mismatch{background:#ffcdd2}.error{background:#ffab91}
.not-implemented{background:#f5f5f5;color:#777}.unavailable{background:#e0e0e0;color:#555}
.bar{display:inline-block;height:10px;background:#4caf50;vertical-align:middle}
.barbox{display:inline-block;width:200px;height:10px;background:#eee;margin-right:6px}
#filters label{margin-right:1em} .hidden{display:none} details{font-size:12px}
"""

_SCRIPT = """
function applyFilters(){
  const f = id => document.getElementById(id).value;
  const mod = f('f-module'), grp = f('f-group'), be = f('f-backend'), st = f('f-status');
  document.querySelectorAll('th.be, td.cell').forEach(el => {
    el.classList.toggle('hidden', be !== '' && el.dataset.backend !== be);
  });
  let shown = 0;
  document.querySelectorAll('#matrix tbody tr').forEach(tr => {
    let ok = (mod === '' || tr.dataset.module === mod) && (grp === '' || tr.dataset.group === grp);
    if (ok && st !== '') {
      ok = [...tr.querySelectorAll('td.cell')].some(td =>
        td.dataset.status === st && (be === '' || td.dataset.backend === be));
    }
    tr.classList.toggle('hidden', !ok);
    shown += ok ? 1 : 0;
  });
  document.getElementById('shown').textContent = shown;
}
document.querySelectorAll('#filters select').forEach(s => s.addEventListener('change', applyFilters));
// Filters can also come from the address: report.html#backend=dask&status=verified
for (const [key, value] of new URLSearchParams(location.hash.slice(1))) {
  const select = document.getElementById('f-' + key);
  if (select) select.value = value;
}
applyFilters();
"""


def _options(id_: str, label: str, values: list[str]) -> str:
    opts = "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in values)
    return f'<label>{label} <select id="{id_}"><option value="">all</option>{opts}</select></label>'


def render(rows: list[Row], chosen: list[Target]) -> str:
    from .scipy_capabilities import capabilities

    data = to_json_data(rows, chosen)
    caps = capabilities()
    names = [t.name for t in chosen]
    modules = list(dict.fromkeys(r.module for r in rows))
    groups = sorted({r.group for r in rows})
    statuses = [s.value for s in Status]

    coverage = []
    totals = {m: per for m, g, per in summary(rows, chosen) if g == ""}
    for t in chosen:
        verified = sum(totals[m][t.name][0] for m in totals)
        total = sum(totals[m][t.name][2] for m in totals)
        pct = 100 * verified / total if total else 0
        note = "" if t.usable else f" (unavailable: {html.escape(t.reason)})"
        coverage.append(
            f'<div class="coverage" data-backend="{t.name}"><span class="barbox"><span class="bar" '
            f'style="width:{pct:.1f}%"></span></span><b>{t.name}</b>: {verified} of {total} verified '
            f"({pct:.0f}%){note}</div>"
        )

    head = "".join(f'<th class="be" data-backend="{n}">{n}</th>' for n in names)
    body = []
    for row in rows:
        cells = []
        for n in names:
            o = row.outcomes[n]
            cls = o.status.value.replace(" ", "-")
            info = o.status.value
            if o.time_ratio is not None:
                info += f"; time {o.time_ratio:.2f}x SciPy"
            if o.cases:
                info += f"; {o.cases} cases"
            scipy_says = caps.get(f"{row.module}.{row.name}", {}).get(n)
            if scipy_says:
                info += f"; SciPy itself (array API): {scipy_says}"
            detail = f"<details><summary>{SYMBOL[o.status]}</summary>{html.escape(info)}" \
                     f"{'<br>' + html.escape(o.detail) if o.detail else ''}</details>"
            cells.append(
                f'<td class="cell {cls}" data-backend="{n}" data-status="{o.status.value}" '
                f'title="{html.escape(info + (": " + o.detail if o.detail else ""))}">'
                f'{detail}<span class="label">{o.status.value}</span></td>'
            )
        body.append(
            f'<tr data-module="{row.module}" data-group="{html.escape(row.group)}"><td>{row.module}</td>'
            f"<td>{html.escape(row.group)}</td><td><code>{row.name}</code></td>{''.join(cells)}</tr>"
        )
    legend = " ".join(f'<span class="{s.value.replace(" ", "-")}">{SYMBOL[s]} {s.value}</span>' for s in Status)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>uscipy tracker</title><style>{_CSS}</style></head>
<body>
<h1>uscipy tracker: SciPy {html.escape(data['scipy_version'])}, uscipy {html.escape(data['uscipy_version'])}</h1>
<p>Each cell: <b>verified</b> (ran on the shared sample inputs and matched SciPy within tolerance),
<b>mismatch</b>, <b>error</b>, <b>not implemented</b> or <b>unavailable</b>; open a cell for details.
{legend}</p>
<div id="coverage">{''.join(coverage)}</div>
<p>{'<br>'.join(html.escape(line) for line in versus_scipy(rows, chosen))}</p>
<p id="filters">{_options('f-module', 'module', modules)}{_options('f-group', 'group', groups)}
{_options('f-backend', 'backend', names)}{_options('f-status', 'status', statuses)}
<span><span id="shown">{len(rows)}</span> functions shown</span></p>
<table id="matrix"><thead><tr><th>module</th><th>group</th><th>function</th>{head}</tr></thead>
<tbody>{''.join(body)}</tbody></table>
<script type="application/json" id="data">{html.escape(json.dumps(data, default=str))}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
