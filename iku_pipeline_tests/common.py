"""What several test modules share: the kelurahan table the package ships."""

from pathlib import Path

from iku_pipeline.sources.reference import load_wilayah

# The shipped table (the fixtures' reference/ has none, so a run falls back to it too).
WILAYAH = load_wilayah(Path(__file__).resolve().parents[1] / "data" / "reference")
