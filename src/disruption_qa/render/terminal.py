"""Short summaries for the terminal."""

from __future__ import annotations

from collections import defaultdict

from ..validation import Validation

FIRST_ROWS = 5


def validation_summary(validation: Validation) -> str:
    """Counts per rule and the first rows of each, in a few lines."""
    lines = []
    for f in validation.files:
        lines.append(f"{f['path']}: {f['rows']} records")
    date = validation.extraction_date
    lines.append(f"extraction date: {date.strftime('%d/%m/%Y') if date else 'unknown'} ({validation.extraction_date_source})")
    if not validation.issues:
        lines.append("no validation problems found")
        return "\n".join(lines)
    groups = defaultdict(list)
    for issue in validation.issues:
        groups[(issue.file, issue.column or "(whole row)", issue.rule)].append(issue)
    lines.append(f"{len(validation.issues)} validation problem(s) in {len({i.row for i in validation.issues})} row(s):")
    for (file, column, rule), issues in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        rows = ", ".join(str(i.cell or i.row) for i in issues[:FIRST_ROWS])
        more = f" and {len(issues) - FIRST_ROWS} more" if len(issues) > FIRST_ROWS else ""
        lines.append(f"  {len(issues):>6}  {column}: {rule} (rows {rows}{more})")
        lines.append(f"          e.g. row {issues[0].row}: {issues[0].message}")
    return "\n".join(lines)
