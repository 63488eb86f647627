"""Stored intermediate values, one per asset and year.

Dagster's built-in filesystem IO managers refuse an output that covers several
partitions, which a single-run backfill (2021-2025 in one run) produces. This one
stores ``{year: value}`` as one value per year and loads a year, or a dict of years.

A staged source is stored by the staged store (``iku_pipeline/store.py``): its accepted
rows as an Arrow file, the rest as a pickle naming it, so an input declared with
``metadata={"columns": [...]}`` loads only those accepted columns. An input loaded by
the input manager ``staged_counts`` gets none (only files, rejected rows and counts):
asset checks and the publish multi-asset depend on the assets they load, and Dagster
allows no metadata on such an input, only an input manager. Other values are pickles.
Every value is committed by one atomic rename, so a killed run never leaves half a value
behind. Only staged (masked) data passes through here (§6).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from iku_pipeline.sources.validate import Staged
from iku_pipeline.store import read_value, write_pickle, write_staged


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


def only_columns(names) -> dict:
    """Input metadata asking for only these accepted columns of a staged source."""
    return {"columns": list(names)}


class YearPickleIOManager(dg.ConfigurableIOManager):
    """One value per asset and year under ``<base_dir>/<asset key>/<year>.pickle``; a
    staged source's accepted rows beside it, in ``<year>.<token>.arrow``."""

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
            if isinstance(value, Staged):
                write_staged(path, value)
            else:
                write_pickle(path, value)

    def load_input(self, context: dg.InputContext):
        return self.load(context, (context.definition_metadata or {}).get("columns"))

    def load(self, context: dg.InputContext, columns: list[str] | None):
        """The input's year, or ``{year: value}``; of a staged source only ``columns`` of
        its accepted rows (None: all)."""
        keys = context.asset_partition_keys
        values = {
            year: read_value(self._path(context, context.asset_key, year), columns)
            for year in keys
        }
        return values if len(keys) > 1 else values[keys[0]]


STAGED_COUNTS = "staged_counts"  # resource key of the input manager below


@dg.input_manager(required_resource_keys={"io_manager"})
def staged_counts(context: dg.InputContext):
    """A staged source without its accepted columns (files, rejected rows, counts), loaded
    by the run's ``io_manager``."""
    return context.resources.io_manager.load(context, columns=[])
