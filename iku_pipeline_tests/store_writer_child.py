"""A child process that stores one staged value again and again, for the store's kill
test: ``python -m iku_pipeline_tests.store_writer_child PATH ROWS LOOPS``.

Write ``i`` stores ``ROWS + i`` accepted rows whose column ``i`` is ``i``, and ``i`` in
its info, so a reader can tell whether the pickle and its Arrow file belong together.
"""

import sys

import numpy as np
import pandas as pd

from iku_pipeline.sources.parsers import TEXT
from iku_pipeline.sources.validate import Staged, empty_rejected
from iku_pipeline.store import write_staged


def values(rows: int, loops: int):
    """The staged value of each write: ``rows + i`` rows, all cut from one text column."""
    text = pd.Series([f"baris {k:07d}" for k in range(rows + loops)], dtype=TEXT)
    for i in range(loops):
        n = rows + i
        accepted = pd.DataFrame(
            {"i": np.full(n, i, dtype="int64"), "teks": text.iloc[:n].reset_index(drop=True)}
        )
        yield Staged("uji", 2023, True, accepted, empty_rejected(), info={"i": i})


def main() -> int:
    path, rows, loops = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for i, value in enumerate(values(rows, loops)):
        write_staged(path, value)
        print(f"stored {i}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
