"""The failure hook that writes ``status_publikasi`` (docs/data-contract.md §5.8).

A hook runs in the run's own process, so a run started from the CLI with no daemon
records its failure as a run from the UI does. It is attached to every job of the
pipeline (``jobs.py``) and to the steps that fail by design (the indicator step naming
unreadable files, publishing, the files), so a materialisation from the UI outside the
jobs records those too. Success is recorded by the publishing step itself, right after
its transactions, so the five-year workbook written next already shows it.
"""

from __future__ import annotations

import dagster as dg

from iku_pipeline.publish.status import published_years, record_failure


def run_years(tags: dict) -> list[int]:
    """The years of a run: its partition or partition range (empty for a run of all
    published years, such as ``iku_presentasi``)."""
    try:
        if "dagster/partition" in tags:
            return [int(tags["dagster/partition"])]
        start = tags.get("dagster/asset_partition_range_start")
        end = tags.get("dagster/asset_partition_range_end")
        if start and end:
            return list(range(int(start), int(end) + 1))
    except ValueError:
        pass
    return []


def failure_text(error: BaseException | None) -> str:
    """What the office reads of a failed step: a ``Failure``'s own (Indonesian)
    description, else the error's type and message."""
    if error is None:
        return "langkah gagal tanpa keterangan"
    if isinstance(error, dg.Failure) and error.description:
        return error.description
    return f"{type(error).__name__}: {error}"


@dg.failure_hook(required_resource_keys={"warehouse", "paths"})
def status_gagal(context: dg.HookContext) -> None:
    """Record the failed step's message in ``status_publikasi`` for the run's years."""
    warehouse, paths = context.resources.warehouse, context.resources.paths
    try:
        run = context.instance.get_run_by_id(context.run_id)
        years = run_years(dict(run.tags) if run is not None else {})
        if not years:
            years = published_years(warehouse.engine)
        message = failure_text(context.op_exception)
        record_failure(warehouse.engine, years, context.run_id, message, _raw(paths))
    except Exception as e:  # noqa: BLE001 - a hook must not hide the step's own failure
        context.log.warning(
            f"Status publikasi tidak dapat dicatat ({type(e).__name__}: "
            f"{str(e).splitlines()[0] if str(e) else ''})"
        )


def _raw(paths):
    try:
        return paths.raw
    except Exception:  # noqa: BLE001 - the data folder unreachable: no new-file check
        return None
