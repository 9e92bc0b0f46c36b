"""Two extractions of the same data compared: what was added, changed or removed.

The inspectors' case: an extraction on 4 January 2023 and another on 13 July
2023 of the same year's records. Records are matched by their ID. An added
disruption that happened on or before the old extraction date was *added late*
for the period the old extraction covered; one that happened after it is
simply new activity. Changed records list each field with its old and new
value (dates compared as dates, so ``03/04/2022`` equals ``2022-04-03``); the
free-text Summary is compared but its text is not shown unless asked.

Computes only; ``render/html.py`` and ``diff.json`` are its views.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from . import contract as c
from .dates import format_date
from .reading import Export, read_export, typed_frame

HIDDEN = "(text not shown)"


@dataclass
class Side:
    path: str
    sha256: str
    rows: int
    extraction_date: dt.date | None

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "rows": self.rows,
            "extraction_date": self.extraction_date.isoformat() if self.extraction_date else None,
        }


@dataclass
class KindDiff:
    """The difference between two exports of one kind (disruptions or threats)."""

    kind: str
    old: Side
    new: Side
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    by_organisation: dict[str, dict] = field(default_factory=dict)
    #: Master list only: threats whose Threat Type changed, by organisation and from -> to (see
    #: :func:`reclassifications`).
    reclassified: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "summary": {
                "added": len(self.added),
                "added_late": sum(1 for a in self.added if a.get("late")),
                "removed": len(self.removed),
                "changed": len(self.changed),
            },
            "by_organisation": self.by_organisation,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            **({"reclassified": self.reclassified} if self.kind == "threats" else {}),
        }


def _side(export: Export) -> Side:
    s = export.source
    return Side(s.path, s.sha256, s.rows, export.extraction_date)


def _comparable(frame: pd.DataFrame, kind: c.ExportKind) -> pd.DataFrame:
    """Every contract column as comparable text: dates ISO, numbers normalised, blanks empty."""
    out = {}
    for col in kind.columns:
        if col.key not in frame.columns:
            continue
        values = frame[col.key]
        if col.kind == "date":
            values = values.dt.strftime("%Y-%m-%d")
        elif col.kind == "number":
            values = values.map(lambda v: "" if pd.isna(v) else f"{v:g}")
        out[col.key] = values.astype("string").fillna("")
    return pd.DataFrame(out, index=frame.index)


def _brief(row: pd.Series, kind: c.ExportKind) -> dict:
    if kind is c.DISRUPTIONS:
        return {
            "record_id": row["disruption_id"],
            "organisation": row["recording_organisation"],
            "disruption_type": row["disruption_type"],
            "disruption_date": format_date(row["disruption_date"]),
            "record_date": format_date(row["record_date"]),
            "strand": row["strand"],
            "tactic": row["tactic"],
            "threat_id": row["threat_id"],
        }
    return {
        "record_id": row["threat_id"],
        "organisation": row["owning_organisation"],
        "threat_type": row["threat_type"],
        "phase": row["phase"],
        "created_date": format_date(row["created_date"]),
    }


def compare_exports(old: Export, new: Export, *, include_summaries: bool = False) -> KindDiff:
    kind = old.kind
    key, org = kind.id_column, kind.owner_column
    a, b = typed_frame(old), typed_frame(new)
    a = a[a[key].notna()].drop_duplicates(key).set_index(key, drop=False).rename_axis(None)
    b = b[b[key].notna()].drop_duplicates(key).set_index(key, drop=False).rename_axis(None)
    result = KindDiff(kind.key, _side(old), _side(new))
    cutoff = pd.Timestamp(old.extraction_date) if old.extraction_date else None

    added = b.loc[b.index.difference(a.index, sort=False)].sort_values([org, key])
    for _, row in added.iterrows():
        item = _brief(row, kind)
        if kind is c.DISRUPTIONS:
            item["late"] = bool(
                cutoff is not None and pd.notna(row["disruption_date"]) and row["disruption_date"] <= cutoff
            )
        result.added.append(item)
    removed = a.loc[a.index.difference(b.index, sort=False)].sort_values([org, key])
    result.removed = [_brief(row, kind) for _, row in removed.iterrows()]

    both = a.index.intersection(b.index, sort=False)
    ca, cb = _comparable(a.loc[both], kind), _comparable(b.loc[both], kind)
    columns = [col for col in ca.columns if col in cb.columns and col != key]
    differs = pd.DataFrame({col: ca[col] != cb[col] for col in columns}, index=both)
    for rid in differs.index[differs.any(axis=1)].sort_values():
        fields = []
        for col in columns:
            if differs.at[rid, col]:
                hide = col == "summary" and not include_summaries
                fields.append(
                    {
                        "column": kind.display(col),
                        "old": HIDDEN if hide else ca.at[rid, col],
                        "new": HIDDEN if hide else cb.at[rid, col],
                    }
                )
        result.changed.append({"record_id": rid, "organisation": b.at[rid, org], "fields": fields})

    for name in sorted(
        {
            *(x["organisation"] for x in result.added),
            *(x["organisation"] for x in result.removed),
            *(x["organisation"] for x in result.changed),
        }
        - {None},
        key=str,
    ):
        entry = {
            "added": sum(1 for x in result.added if x["organisation"] == name),
            "removed": sum(1 for x in result.removed if x["organisation"] == name),
            "changed": sum(1 for x in result.changed if x["organisation"] == name),
        }
        if kind is c.DISRUPTIONS:
            late = [x for x in result.added if x["organisation"] == name and x["late"]]
            entry["added_late"] = len(late)
            entry["added_late_by_strand"] = {s: sum(1 for x in late if x["strand"] == s) for s in c.STRANDS}
        result.by_organisation[str(name)] = entry
    if kind is c.THREATS:
        result.reclassified = reclassifications(result.changed)
    return result


def reclassifications(changed: list[dict]) -> list[dict]:
    """The threats whose Threat Type changed, counted by organisation and from -> to, each with its sentence
    ("Cheshire Constabulary: 37 threats reclassified from Organised Crime Group to SOC Vulnerability") and IDs."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for item in changed:
        for f in item["fields"]:
            if f["column"] == "Threat Type":
                groups.setdefault((str(item["organisation"]), f["old"], f["new"]), []).append(item["record_id"])
    out = []
    for (org, old, new), ids in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]), kv[0][1:])):
        n = len(ids)
        out.append(
            {
                "organisation": org,
                "from": old,
                "to": new,
                "threats": n,
                "threat_ids": sorted(ids),
                "sentence": f"{org}: {n} threat{'s' if n != 1 else ''} reclassified from {old or 'blank'} to"
                f" {new or 'blank'}",
            }
        )
    return out


@dataclass
class ExtractionDiff:
    disruptions: KindDiff
    threats: KindDiff | None = None

    def to_dict(self) -> dict:
        data = {"disruptions": self.disruptions.to_dict()}
        if self.threats is not None:
            data["threats"] = self.threats.to_dict()
        return data


def diff_files(
    old, new, *, threats_old=None, threats_new=None, include_summaries: bool = False, aliases: dict | None = None
) -> ExtractionDiff:
    """Read two extractions and compare them. Raises InputError for unusable files."""
    from .errors import InputError

    if (threats_old is None) != (threats_new is None):
        raise InputError("give both --threats-old and --threats-new, or neither")
    aliases = aliases or {}
    d_old = read_export(old, "disruptions", aliases=aliases.get("disruptions"))
    d_new = read_export(new, "disruptions", aliases=aliases.get("disruptions"))
    result = ExtractionDiff(compare_exports(d_old, d_new, include_summaries=include_summaries))
    if threats_old is not None:
        t_old = read_export(threats_old, "threats", aliases=aliases.get("threats"))
        t_new = read_export(threats_new, "threats", aliases=aliases.get("threats"))
        if t_old.extraction_date is None:
            t_old.extraction_date = d_old.extraction_date
        result.threats = compare_exports(t_old, t_new)
    return result
