"""The pipeline's own graph with no work in it: what Dagster alone costs for a year.

Every year-partitioned asset of ``iku_pipeline.definitions`` again, with the same keys,
inputs (and the dependencies that are not inputs), outputs and their types, asset
checks, partitions, backfill policy, resources, failure hooks and in-process executor,
so a run stores the same kinds of events in the same numbers; but each step only logs
one message, hands a value to an IO manager that keeps nothing, and passes its checks.
It imports the package as the pipeline does, so its start-up is the pipeline's too.

``bench/run_bench.py`` times it beside the year and the trivial run (``floor_ratio``):
no change inside the steps can take a year under this figure; only a graph with fewer
steps, inputs, outputs or checks can.
"""

import dagster as dg

import iku_pipeline.definitions as _pipeline
from iku_pipeline.jobs import STATUS_HOOKS, TAHUNAN


class _KeepNothing(dg.IOManager):
    """Stores nothing; gives each partition of an input back as ``None``."""

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        return None

    def load_input(self, context: dg.InputContext):
        return {int(key): None for key in context.asset_partition_keys}


def _nothing(definition) -> bool:
    return definition.dagster_type.is_nothing


def _without_work(assets: dg.AssetsDefinition) -> dg.AssetsDefinition:
    op = assets.op
    types = {d.name: d.dagster_type for d in op.input_defs}
    ins = {
        name: dg.AssetIn(key=key, dagster_type=types[name])
        for name, key in assets.keys_by_input_name.items()
    }
    outputs = {d.name: d for d in op.output_defs}
    # A value's type is checked as the pipeline's is, but the placeholder is of any type.
    outs = {
        name: dg.AssetOut(key=key, dagster_type=dg.Nothing if _nothing(outputs[name]) else dg.Any)
        for name, key in assets.keys_by_output_name.items()
    }
    checks = list(assets.check_specs)

    @dg.multi_asset(
        name=op.name,
        ins=ins,
        outs=outs,
        check_specs=checks,
        partitions_def=assets.partitions_def,
        backfill_policy=assets.backfill_policy,
        can_subset=False,
        required_resource_keys=set(assets.required_resource_keys) - {"io_manager"},
    )
    def _step(context: dg.AssetExecutionContext, **_inputs):
        context.log.info(f"{op.name}: tanpa pekerjaan")
        for name, key in assets.keys_by_output_name.items():
            if _nothing(outputs[name]):
                yield dg.MaterializeResult(asset_key=key)
            else:
                yield dg.Output({int(k): None for k in context.partition_keys}, name)
        for check in checks:
            yield dg.AssetCheckResult(
                asset_key=check.asset_key, check_name=check.name, passed=True
            )

    return _step


def _assets() -> list[dg.AssetsDefinition]:
    selected = TAHUNAN.resolve(_pipeline.defs.resolve_asset_graph())
    return [
        _without_work(a)
        for a in _pipeline.defs.assets
        if isinstance(a, dg.AssetsDefinition) and set(a.keys) <= selected
    ]


ASSETS = _assets()

kosong = dg.define_asset_job(
    "kosong", selection=ASSETS, executor_def=dg.in_process_executor, hooks=STATUS_HOOKS
)

defs = dg.Definitions(
    assets=ASSETS,
    jobs=[kosong],
    executor=dg.in_process_executor,
    resources={**_pipeline.defs.resources, "io_manager": _KeepNothing()},
)
