"""Benchmark of the IKU pipeline: scale generator, DuckDB reference, runner (``make bench``)."""
