"""``disruption-qa describe`` for people: what a file holds against the contract, a section per file."""

from __future__ import annotations

from .. import format as fmt
from ..dates import parse_date
from ..describe import Description


def _quoted(text: str) -> str:
    return f'"{text}"'


def describe_text(descriptions: list[Description]) -> str:
    lines: list[str] = []
    for d in descriptions:
        records = f", {fmt.count(d.records)} records" if d.records is not None else ""
        where = f"; header on row {d.header_row}" if d.header_row else ""
        lines.append(f"{d.file}: {d.kind} export{records}{where}")
        if d.title_lines:
            dated = f" (extraction date {fmt.date(parse_date(d.extraction_date))})" if d.extraction_date else ""
            lines.append("  title lines: " + "; ".join(_quoted(t) for t in d.title_lines) + dated)
        lines.append("  columns:")
        width = max(len(m.column) for m in d.columns)
        for m in d.columns:
            if m.how == "exact":
                said = "found" if m.header == m.column else f"found as {_quoted(m.header)}"
            elif m.how == "alias":
                said = f"found as {_quoted(m.header)} (the config's alias)"
            elif m.how == "suggested":
                said = f"probably {_quoted(m.header)} (similarity {m.similarity:.2f}): an alias to confirm"
            else:
                said = "MISSING (required)" if m.required else "missing (optional)"
            lines.append(f"    {m.column:<{width}}  {said}")
        if d.extra_headers:
            lines.append("  headers matching no column: " + ", ".join(_quoted(h) for h in d.extra_headers))
        if d.problem:
            lines.append(f"  cannot be read yet: {d.problem}")
            continue
        for title, found in (
            ("values outside the contract", d.values),
            ("organisations not on the list", d.unknown_organisations),
        ):
            if not found:
                continue
            lines.append(f"  {title}:")
            for v in found:
                meant = f" -> {v.likely}" if v.likely else " (no value on the list looks like it)"
                slip = " (a typing slip? correct it in APMIS)" if v.slip else ""
                lines.append(
                    f"    {v.column}: {_quoted(v.value)} in {fmt.count(v.rows)} record{'s' if v.rows != 1 else ''}{meant}{slip}"
                )
        if d.dates:
            lines.append("  dates:")
            for column, formats in d.dates.items():
                found = ", ".join(f"{name} {fmt.count(n)}" for name, n in formats.items())
                lines.append(f"    {column}: {found}")
    return "\n".join(lines)
