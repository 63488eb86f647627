"""The benchmark's floor (``bench/floor_defs.py``) is the pipeline's own graph without
its work: the same steps with the same inputs and outputs, the same assets,
dependencies, checks and hooks. Only then does its run store the events a year's run
stores, and its time say what Dagster alone costs for a year."""

from bench.floor_defs import defs as floor
from iku_pipeline.definitions import defs as pipeline


def _steps(job) -> dict[str, tuple[list[str], list[str]]]:
    return {
        node.name: (
            sorted(d.name for d in node.definition.input_defs),
            sorted(d.name for d in node.definition.output_defs),
        )
        for node in job.graph.nodes
    }


def test_the_floor_runs_the_years_steps_with_their_inputs_and_outputs():
    year = pipeline.resolve_job_def("iku_tahunan")
    empty = floor.resolve_job_def("kosong")
    assert _steps(empty) == _steps(year)
    assert {h.name for h in empty.hook_defs} == {h.name for h in year.hook_defs}


def test_the_floor_has_every_asset_dependency_and_check_of_the_year():
    year = pipeline.resolve_job_def("iku_tahunan").asset_layer.asset_graph
    empty = floor.resolve_job_def("kosong").asset_layer.asset_graph
    keys = year.get_all_asset_keys()
    assert empty.get_all_asset_keys() == keys
    assert {k: empty.get(k).parent_keys for k in keys} == {k: year.get(k).parent_keys for k in keys}
    assert empty.asset_check_keys == year.asset_check_keys
    assert {k: empty.get(k).partitions_def for k in keys} == {
        k: year.get(k).partitions_def for k in keys
    }
