"""Stored intermediate values, one pickle per asset and year.

Dagster's built-in filesystem IO managers refuse an output that covers several
partitions, which a single-run backfill (2021-2025 in one run) produces. This one
stores ``{year: value}`` as one file per year and loads a year, or a dict of years.
Files are written to a temporary name and renamed, so a killed run never leaves half
a value behind. Only staged (masked) data passes through here (§6).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

import dagster as dg


def years_of(context: dg.AssetExecutionContext) -> list[int]:
    return [int(k) for k in context.partition_keys]


def per_year(context: dg.AssetExecutionContext, value) -> dict[int, object]:
    """An input loaded for the run's years, as ``{year: value}``."""
    years = years_of(context)
    if len(years) == 1:
        return {years[0]: value}
    return {int(k): v for k, v in value.items()}


def for_output(values: dict[int, object]):
    """The value to return: one year's value, or ``{"2023": value, ...}`` for a range."""
    if len(values) == 1:
        return next(iter(values.values()))
    return {str(k): v for k, v in values.items()}


class YearPickleIOManager(dg.ConfigurableIOManager):
    """Pickles under ``<base_dir>/<asset key>/<year>.pickle``."""

    base_dir: str = ""

    def _root(self, context) -> Path:
        if self.base_dir:
            return Path(self.base_dir)
        return Path(context.step_context.instance.storage_directory()) / "iku"

    def _path(self, context, key: dg.AssetKey, year: str) -> Path:
        return self._root(context).joinpath(*key.path, f"{year}.pickle")

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        keys = context.asset_partition_keys
        items = obj.items() if len(keys) > 1 else [(keys[0], obj)]
        for year, value in items:
            path = self._path(context, context.asset_key, str(year))
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def load_input(self, context: dg.InputContext):
        keys = context.asset_partition_keys
        values = {}
        for year in keys:
            path = self._path(context, context.asset_key, year)
            with path.open("rb") as f:
                values[year] = pickle.load(f)
        return values if len(keys) > 1 else values[keys[0]]
