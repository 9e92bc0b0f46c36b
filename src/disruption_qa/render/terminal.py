"""Short summaries for the terminal."""

from __future__ import annotations

from collections import defaultdict

from ..validation import Validation

FIRST_ROWS = 5


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def validation_summary(validation: Validation) -> str:
    """Counts per rule and the first rows of each, file by file, in a few lines."""
    lines = []
    for f in validation.files:
        lines.append(f"{f['path']}: {_plural(f['rows'], 'record')}")
    date = validation.extraction_date
    lines.append(f"extraction date: {date.strftime('%d/%m/%Y') if date else 'unknown'} ({validation.extraction_date_source})")
    if not validation.issues:
        lines.append("no validation problems found")
        return "\n".join(lines)
    rows = {(i.file, i.row) for i in validation.issues}
    lines.append(f"{_plural(len(validation.issues), 'validation problem')} in {_plural(len(rows), 'row')}:")
    by_file = defaultdict(lambda: defaultdict(list))
    for issue in validation.issues:
        by_file[issue.file][(issue.column or "(whole row)", issue.rule)].append(issue)
    for file, groups in by_file.items():
        lines.append(f"{file}: {_plural(sum(len(g) for g in groups.values()), 'problem')}")
        # most frequent first; ties in the order of their first row
        for (column, rule), issues in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0].row)):
            where = ", ".join(str(i.cell or i.row) for i in issues[:FIRST_ROWS])
            more = f" and {len(issues) - FIRST_ROWS} more" if len(issues) > FIRST_ROWS else ""
            label = "cell" if issues[0].cell else "row"
            label = label if len(issues) == 1 else label + "s"
            lines.append(f"  {len(issues):>6}  {column}: {rule} ({label} {where}{more})")
            lines.append(f"          e.g. row {issues[0].row}: {issues[0].message}")
    return "\n".join(lines)
