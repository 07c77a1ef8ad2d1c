"""axe-core (from npm, see package.json) run inside a page of the live app.

The script is evaluated through the DevTools protocol, so the page's
Content-Security-Policy (script-src 'self') stays as it is for the page under
test. ``serious_violations`` answers axe's violations of impact serious or
critical, each with the rule id, its help text and the offending nodes'
selectors, so a failing assertion says what to fix."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@cache
def _source() -> str:
    if not AXE.exists():
        raise RuntimeError(
            f"{AXE} is missing: `make test` installs it (npm ci), or run `npm ci`"
        )
    return AXE.read_text(encoding="utf-8")


def violations(page: Any) -> list[dict[str, Any]]:
    """Every axe violation on the page as it is now (WCAG 2.x A and AA rules
    and axe's best practices)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {
                resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return found


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """The violations of impact serious or critical."""
    return [found for found in violations(page) if found["impact"] in SERIOUS]
