"""axe-core (vendored from the npm registry: package.json, scripts/vendor_static.sh) run in the page under test.

The script is evaluated through the DevTools protocol, so the page's Content-Security-Policy (no inline script)
stays as in production and no page ever loads axe itself."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


@cache
def _source() -> str:
    return AXE.read_text()


def axe_run(page: Any) -> list[dict[str, Any]]:
    """The serious and critical violations of the page (WCAG 2.x A/AA rules and best practices)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    result = page.evaluate("""async () => {
        const r = await window.axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}));
    }""")
    return [v for v in result if v["impact"] in SERIOUS]


def describe(url: str, violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        for node in v["nodes"][:5]:
            lines.append(f"{url}: {v['id']} ({v['impact']}) {node['target']} — {node['summary']}")
    return "\n".join(lines)
