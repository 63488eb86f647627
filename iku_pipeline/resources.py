"""Where extracts are read and results written (DATA_CONTRACT §7).

Every setting may be given in the run config; an empty value falls back to the
environment (``IKU_DATA_DIR``, ``IKU_DATABASE_URL``, ``IKU_OUTPUT_DIR``), then to the
defaults, read when a run starts, not when the code location loads.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from iku_pipeline.publish.warehouse import DEFAULT_OUTPUT_DIR, make_engine, warehouse_url


class IkuPaths(ConfigurableResource):
    """The extracts folder (raw/, reference/) and the folder for exported files."""

    data_dir: str = ""
    output_dir: str = ""

    @property
    def data(self) -> Path:
        return Path(self.data_dir or os.environ.get("IKU_DATA_DIR") or "data")

    @property
    def raw(self) -> Path:
        return self.data / "raw"

    @property
    def reference(self) -> Path:
        return self.data / "reference"

    @property
    def output(self) -> Path:
        return Path(self.output_dir or os.environ.get("IKU_OUTPUT_DIR") or DEFAULT_OUTPUT_DIR)


class Warehouse(ConfigurableResource):
    """The SQL warehouse: ``IKU_DATABASE_URL``, else SQLite under ``data/warehouse/``."""

    database_url: str = ""
    _engine: sa.Engine | None = PrivateAttr(default=None)

    @property
    def url(self) -> str:
        return self.database_url or warehouse_url()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._engine = make_engine(self.url)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._engine is not None:
            self._engine.dispose()

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine
