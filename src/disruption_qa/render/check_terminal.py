"""The terminal view of a ``check`` run: a few lines per organisation."""

from __future__ import annotations

from ..checks.base import FLAGGED, SEVERITIES
from ..dates import format_date


def check_summary(run) -> str:
    v = run.validation
    lines = [f"{f['path']}: {f['rows']} records" for f in v.files]
    lines.append(
        f"period {format_date(run.period.start)} to {format_date(run.period.end)}; extraction date"
        f" {format_date(v.extraction_date) or 'unknown'} ({v.extraction_date_source}); profile {run.profile.name}"
    )
    if v.issues:
        lines.append(f"{len(v.issues)} validation problem(s): see validation.json and fixes.csv")
    for r in run.results:
        ind = r.indicators
        shares = ", ".join(
            f"{s} {ind[f'{s.lower()}_share'] * 100:.0f}%" for s in ("Pursue", "Prevent", "Protect", "Prepare")
            if ind.get(f"{s.lower()}_share") is not None
        )
        lines.append("")
        lines.append(f"{r.organisation.name}: {ind['lead_disruptions']} lead disruptions" + (f" ({shares})" if shares else ""))
        flagged = sorted((f for f in r.findings if f.status == FLAGGED), key=lambda f: (-SEVERITIES.index(f.severity), f.check))
        if not flagged:
            lines.append("  no warning signs flagged")
        for f in flagged:
            lines.append(f"  {f.severity.upper():7} {f.check} {f.name}: {f.message}")
    return "\n".join(lines)


def catalogue_table(checks, settings) -> str:
    """``disruption-qa checks``: every check, its title and settings."""
    lines = []
    for cls in checks:
        s = settings[cls.id]
        shown = ", ".join(f"{k}={v}" for k, v in s.items() if k != "enabled")
        state = "" if s.get("enabled", True) else " (off)"
        lines.append(f"{cls.id}  {cls.name:<27} {cls.title}{state}")
        lines.append(f"      {shown}")
    return "\n".join(lines)
