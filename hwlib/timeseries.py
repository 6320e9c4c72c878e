"""Dated series shipped inside statsmodels (nothing to download), loaded with their provenance.

Windowing, the chronological split, the scaling and the models are written on
the page that uses them (the seven-question homework, Q3).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import provenance as provenance_log
from .data import DataError


@dataclass
class TimeSeries:
    """One dated, univariate series with its unit and where it came from."""

    name: str
    dates: pd.DatetimeIndex
    values: np.ndarray
    unit: str
    provenance: str

    def __post_init__(self):
        provenance_log.record(self.provenance, real=True)


# name: (statsmodels module, value column, date column or None when the index holds dates, unit,
#        description, source)
SERIES = {
    "sunspots": ("sunspots", "SUNACTIVITY", "YEAR", "mean sunspot number",
                 "yearly mean sunspot numbers", "NOAA National Geophysical Data Center"),
    "co2": ("co2", "co2", None, "ppm",
            "weekly mean atmospheric CO₂ at Mauna Loa", "Scripps Institution of Oceanography (Keeling & Whorf)"),
}


def load_series(name: str = "sunspots") -> TimeSeries:
    """A dated series shipped inside statsmodels (no download): ``sunspots`` or ``co2``.

    Missing weeks of ``co2`` are filled by linear interpolation, and the
    provenance line says how many.
    """
    if name not in SERIES:
        raise ValueError(f"unknown series {name!r}; choose one of {', '.join(SERIES)}")
    try:
        import statsmodels
        import statsmodels.api as sm
    except ImportError as exc:
        raise DataError("the time series come with statsmodels, which is not installed: "
                        "pip install 'statsmodels>=0.15,<0.16' (a dependency in pyproject.toml)") from exc
    module, column, date_column, unit, what, source = SERIES[name]
    dataset = getattr(sm.datasets, module)
    frame = dataset.load_pandas().data
    csv = Path(dataset.__file__).parent / f"{module}.csv"
    if date_column:
        dates = pd.DatetimeIndex(pd.to_datetime(frame[date_column].astype(int).astype(str), format="%Y"))
    else:
        dates = pd.DatetimeIndex(frame.index)
    raw = frame[column].astype(float)
    missing = int(raw.isna().sum())
    values = raw.interpolate(limit_direction="both").to_numpy() if missing else raw.to_numpy()
    filled = f"; {missing} missing values filled by linear interpolation" if missing else ""
    digest = hashlib.sha256(csv.read_bytes()).hexdigest()[:12] if csv.is_file() else "n/a"
    provenance = (f"{what}, {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d} ({len(values):,} values{filled}), "
                  f"from {source}, as shipped in statsmodels {statsmodels.__version__} "
                  f"(sm.datasets.{module}, {csv.name} sha256 {digest}…)")
    return TimeSeries(name, dates, values, unit, provenance)
