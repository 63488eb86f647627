"""A child process that stores one frame again and again, for the kill test of the
stored values: ``python -m iku_pipeline_tests.store_writer_child FOLDER ROWS LOOPS``, or
forked by ``iku_pipeline_tests.forking`` (``main(argv)``).

Write ``i`` stores ``ROWS + i`` rows whose column ``i`` is ``i``, so a reader can tell a
whole value from a torn one.
"""

import sys

import numpy as np
import pandas as pd
from upath import UPath

from iku_pipeline.io import YearFilesIOManager
from iku_pipeline.sources.parsers import TEXT


def values(rows: int, loops: int):
    """The frame of each write: ``rows + i`` rows, all cut from one text column."""
    text = pd.Series([f"baris {k:07d}" for k in range(rows + loops)], dtype=TEXT)
    for i in range(loops):
        n = rows + i
        yield pd.DataFrame(
            {"i": np.full(n, i, dtype="int64"), "teks": text.iloc[:n].reset_index(drop=True)}
        )


def main(argv: list[str] | None = None) -> int:
    folder, rows, loops = argv if argv is not None else sys.argv[1:]
    rows, loops = int(rows), int(loops)
    io = YearFilesIOManager()
    for i, value in enumerate(values(rows, loops)):
        io.dump_to_path(None, value, UPath(folder) / "2023")
        print(f"stored {i}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
