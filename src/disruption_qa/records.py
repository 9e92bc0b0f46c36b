"""Where a finding's records stand in their files, and the fields a report lists them by.

The one place that knows how a record is found: when the engine makes a
finding, :meth:`RecordSource.refs` gives each of its records its file and
spreadsheet row (:class:`~disruption_qa.results.RecordRef`), and
:func:`record_tables` takes the first few records' fields for the report. After
that, no output looks at a frame again.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .contract import EXPORT_KINDS
from .dates import UK_FORMAT, format_date
from .results import RECORD_KINDS, RecordRefs, RecordTable

if TYPE_CHECKING:
    from .reading import Export
    from .results import Finding, RecordKind

#: Records listed under each sign in a report; the full list is in fixes.csv.
RECORDS_SHOWN = 50

#: The fields a report lists a finding's records by, per export: (column key, heading).
SHOWN_FIELDS: dict[str, list[tuple[str, str]]] = {
    "disruptions": [
        ("disruption_date", "Disruption Date"),
        ("record_date", "Record Date"),
        ("strand", "4P Strand"),
        ("tactic", "Tactic"),
        ("threat_id", "Threat ID"),
        ("threat_type", "Threat Type"),
        ("assessment_category", "Assessment"),
        ("recorded_by", "Recorded By"),
    ],
    "threats": [
        ("threat_type", "Threat Type"),
        ("phase", "Phase"),
        ("tier", "Tier"),
        ("morile_score", "MoRiLE Score"),
        ("moderation_status", "Moderation"),
        ("lead_responsible_officer", "Lead Responsible Officer"),
        ("last_review_date", "Last Review Date"),
    ],
}


class RecordSource:
    """One export as the records of findings are found in it: its file, and its typed frame (indexed by
    spreadsheet row, the export's rows in order)."""

    def __init__(self, export: Export, typed: pd.DataFrame):
        self.file = export.source.path
        self.id_column = export.kind.id_column
        self.typed = typed

    @cached_property
    def _ids(self):
        """The ID column as a pyarrow string array (made once, where an ID must be looked up)."""
        import pyarrow as pa

        return pa.array(self.typed[self.id_column].array, from_pandas=True).cast(pa.string())

    def refs(self, ids: list[str], rows: list[int]) -> RecordRefs:
        """The records ``ids`` with the rows their check found them on; where those are not given (a check
        that listed IDs only), each ID's first row in the file, -1 where it is not in it."""
        if len(rows) == len(ids):
            return RecordRefs(self.file, ids, rows)
        return RecordRefs(self.file, ids, self._rows_of(ids))

    def _rows_of(self, ids: list[str]) -> list[int]:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not ids:
            return []
        at = pc.fill_null(pc.index_in(pa.array(ids, pa.string()), value_set=self._ids), -1).to_numpy()
        rows = self.typed.index.to_numpy()[np.where(at < 0, 0, at)] if len(self.typed) else np.zeros(len(at), int)
        return np.where(at < 0, -1, rows).tolist()


def record_tables(
    findings: list[Finding], sources: dict[RecordKind, RecordSource], *, include_summaries: bool = False
) -> list[RecordTable | None]:
    """Each finding's first RECORDS_SHOWN records with their fields (None for a finding without records).

    The records of all the findings from one export are taken and formatted
    together, a column at a time: a national run lists thousands of records in
    its reports, and a cell at a time is slow.
    """
    tables: list[RecordTable | None] = [None] * len(findings)
    for kind in RECORD_KINDS:
        mine = [(n, f) for n, f in enumerate(findings) if f.records and f.kind == kind]
        if not mine:
            continue
        export = EXPORT_KINDS[kind]
        label = export.display(export.id_column)  # Disruption ID, Threat ID
        source = sources.get(kind)
        if source is None:
            for n, f in mine:
                tables[n] = RecordTable([label], [f.records[:RECORDS_SHOWN]])
            continue
        table = source.typed
        fields = list(SHOWN_FIELDS[kind])
        if kind == "disruptions" and include_summaries:
            fields.append(("summary", "Summary"))
        present = [(k, name) for k, name in fields if k in table.columns]
        rows = np.concatenate([np.asarray(f.refs.rows[:RECORDS_SHOWN], dtype=np.int64) for _, f in mine])
        at = table.index.get_indexer(rows)
        missing = at < 0
        if missing.all():  # (a frame without rows has no row 0 to stand in for them)
            columns = [[""] * len(at) for _ in present]
        else:
            columns = [_texts(table[k].take(np.where(missing, 0, at)), missing) for k, _ in present]
        names = [label] + [name for _, name in present]
        start = 0
        for n, f in mine:
            ids = f.records[:RECORDS_SHOWN]
            stop = start + len(ids)
            tables[n] = RecordTable(list(names), [list(ids)] + [column[start:stop] for column in columns])
            start = stop
    return tables


def _texts(values: pd.Series, missing: np.ndarray) -> list[str]:
    """A column's values as the report shows them (dates dd/mm/yyyy, numbers without trailing zeros,
    blanks empty), and empty where ``missing``."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        texts = values.dt.strftime(UK_FORMAT).fillna("").tolist()
    else:
        texts = [v if isinstance(v, str) else _cell(v) for v in values.tolist()]
    return [("" if gone else text) for text, gone in zip(texts, missing)] if missing.any() else texts


def _cell(value) -> str:
    """A value as the report shows it: dates dd/mm/yyyy, numbers without trailing zeros, blanks empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, dt.date)):
        return format_date(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
