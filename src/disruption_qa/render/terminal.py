"""Short summaries for the terminal: a validation, a check run, a diff, the catalogue."""

from __future__ import annotations

from collections import defaultdict

from ..contract import STRANDS
from ..dates import format_date
from ..format import date as date_text
from ..format import plural, share
from ..results import FLAGGED, Run, ValidationResult, severity_order

FIRST_ROWS = 5


def validation_summary(validation: ValidationResult) -> str:
    """Counts per rule and the first rows of each, file by file, in a few lines."""
    lines = []
    for f in validation.files:
        lines.append(f"{f['path']}: {plural(f['rows'], 'record')}")
    date = validation.extraction_date
    lines.append(f"extraction date: {date_text(date)} ({validation.extraction_date_source})")
    if not validation.issues:
        lines.append("no validation problems found")
        return "\n".join(lines)
    rows = {(i.file, i.row) for i in validation.issues}
    lines.append(f"{plural(len(validation.issues), 'validation problem')} in {plural(len(rows), 'row')}:")
    by_file = defaultdict(lambda: defaultdict(list))
    for issue in validation.issues:
        by_file[issue.file][(issue.column or "(whole row)", issue.rule)].append(issue)
    for file, groups in by_file.items():
        lines.append(f"{file}: {plural(sum(len(g) for g in groups.values()), 'problem')}")
        # most frequent first; ties in the order of their first row
        for (column, rule), issues in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0].row)):
            where = ", ".join(str(i.cell or i.row) for i in issues[:FIRST_ROWS])
            more = f" and {len(issues) - FIRST_ROWS} more" if len(issues) > FIRST_ROWS else ""
            label = "cell" if issues[0].cell else "row"
            label = label if len(issues) == 1 else label + "s"
            lines.append(f"  {len(issues):>6}  {column}: {rule} ({label} {where}{more})")
            lines.append(f"          e.g. row {issues[0].row}: {issues[0].message}")
    return "\n".join(lines)


def check_summary(run: Run) -> str:
    v = run.validation
    lines = [f"{f['path']}: {f['rows']} records" for f in v.files]
    lines.append(
        f"period {format_date(run.period.start)} to {format_date(run.period.end)}; extraction date"
        f" {date_text(v.extraction_date)} ({v.extraction_date_source}); profile {run.profile.name}"
    )
    if v.issues:
        lines.append(f"{len(v.issues)} validation problem(s): see validation.json and fixes.csv")
    for r in run.results:
        ind = r.indicators
        shares = ", ".join(f"{s} {share(ind.share(s))}" for s in STRANDS if ind.share(s) is not None)
        lines.append("")
        lines.append(
            f"{r.organisation.name}: {ind.lead_disruptions} lead disruptions" + (f" ({shares})" if shares else "")
        )
        flagged = sorted((f for f in r.findings if f.status == FLAGGED), key=severity_order)
        if not flagged:
            lines.append("  no warning signs flagged")
        for f in flagged:
            lines.append(f"  {f.severity.upper():7} {f.check} {f.name}: {f.message}")
    return "\n".join(lines)


def diff_summary(diff) -> str:
    """What changed between two extractions, per organisation, in a few lines."""
    d = diff.disruptions
    late = sum(1 for a in d.added if a.get("late"))
    lines = [
        f"{len(d.added)} disruptions added ({late} added late), {len(d.changed)} changed, {len(d.removed)} removed"
    ]
    for org, e in d.by_organisation.items():
        strands = ", ".join(f"{s} {n}" for s, n in e["added_late_by_strand"].items() if n)
        lines.append(
            f"  {org}: {e['added_late']} added late ({strands or 'none'}), {e['changed']} changed, {e['removed']} removed"
        )
    if diff.threats is not None:
        t = diff.threats
        lines.append(f"master list: {len(t.added)} threats added, {len(t.changed)} changed, {len(t.removed)} removed")
        lines += [f"  {r['sentence']}" for r in t.reclassified]
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
