"""Synthetic APMIS extractions: any size for any organisations, and the calibrated north-west one.

* :func:`generate` — ``disruption-qa sample --out DIR ...``: a disruptions export
  and a SOC master list export for any selection of organisations, fast enough
  for national benchmarks (module :mod:`.generator`);
* :func:`generate_preset` — ``disruption-qa sample --preset north-west-2022``:
  the extraction shipped in ``sample_exports/north-west-2022``, calibrated to
  the figures of the 2023 north-west inspection (module :mod:`.northwest`).

:mod:`.core` holds the vectorised machinery both share, :mod:`.records` turns
codes into records and text columns, :mod:`.writing` writes CSV and Excel.
"""

from .generator import generate, select_organisations
from .northwest import PRESETS, generate_preset

__all__ = ["PRESETS", "generate", "generate_preset", "select_organisations"]
