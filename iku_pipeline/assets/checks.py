"""Asset checks: the data contract's invariants, per year (DATA_CONTRACT §4-§5).

Blocking checks stop the publish step, so a number that breaks an invariant never
reaches the warehouse. Warnings point the analyst at a source worth a look.
"""

import math

import dagster as dg
import pandas as pd

from iku_pipeline.assets.indicators import IKU_KEY
from iku_pipeline.assets.ingest import staged_key
from iku_pipeline.indicators.declarations import KODE, WILAYAH
from iku_pipeline.io import STAGED_COUNTS, per_year
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.sources.specs import SOURCES

# Share of a source's rows rejected above which the run warns (run config can change it).
DEFAULT_MAX_REJECTED_SHARE = 0.10


def _result(problems: dict[int, list[str]], severity=dg.AssetCheckSeverity.ERROR, **meta):
    found = {str(y): p for y, p in problems.items() if p}
    return dg.AssetCheckResult(
        passed=not found,
        severity=severity,
        metadata={"masalah": dg.MetadataValue.json(found), **meta},
    )


def _source_checks(name: str) -> list[dg.AssetChecksDefinition]:
    """The checks of one staged source. They read its files, rejected rows and counts,
    so each loads it without accepted columns: by the ``staged_counts`` input manager,
    which a plain asset check's own input cannot name (hence a one-check multi check)."""
    key = staged_key(name)
    counts_only = {"staged": dg.AssetIn(key=key, input_manager_key=STAGED_COUNTS)}

    def check(check_name: str, description: str, blocking: bool = False, **kwargs):
        spec = dg.AssetCheckSpec(
            check_name,
            asset=key,
            blocking=blocking,
            partitions_def=tahun_partitions,
            description=description,
        )
        return dg.multi_asset_check(
            specs=[spec], name=spec.get_python_identifier(), ins=counts_only, **kwargs
        )

    @check(
        "baris_seimbang",
        "Rows read = rows accepted + rows rejected, per file and in total (§4).",
        blocking=True,
    )
    def baris_seimbang(context: dg.AssetCheckExecutionContext, staged):
        problems = {}
        for tahun, s in per_year(context, staged).items():
            problems[tahun] = [
                f"{f.berkas}: dibaca {f.dibaca} != diterima {f.diterima} + ditolak {f.ditolak}"
                for f in s.files
                if f.dibaca != f.diterima + f.ditolak
            ]
            if s.rows_read != len(s.accepted) + len(s.rejected):
                problems[tahun].append(
                    f"total: dibaca {s.rows_read} != diterima {len(s.accepted)} + "
                    f"ditolak {len(s.rejected)}"
                )
        yield _result(problems)

    @check(
        "berkas_terbaca",
        "Every delivered file could be read (§4). A failure here also fails "
        "the year's indicator step, which names every unreadable file.",
    )
    def berkas_terbaca(context: dg.AssetCheckExecutionContext, staged):
        problems = {
            tahun: [f"{f.berkas}: {f.gagal}" for f in s.failed]
            for tahun, s in per_year(context, staged).items()
        }
        yield _result(problems)

    @check(
        "penolakan_wajar",
        "Warns when the source was not delivered, or rejects more than a share "
        f"of its rows (default {DEFAULT_MAX_REJECTED_SHARE:.0%}, run config "
        "`batas_penolakan`).",
        config_schema={
            "batas_penolakan": dg.Field(float, default_value=DEFAULT_MAX_REJECTED_SHARE)
        },
    )
    def penolakan_wajar(context: dg.AssetCheckExecutionContext, staged):
        limit = context.op_execution_context.op_config["batas_penolakan"]
        problems = {}
        for tahun, s in per_year(context, staged).items():
            if not s.delivered:
                problems[tahun] = [f"{name} {tahun} belum diserahkan"]
            elif s.rows_read and len(s.rejected) / s.rows_read > limit:
                problems[tahun] = [
                    f"{len(s.rejected)} dari {s.rows_read} baris ditolak "
                    f"({len(s.rejected) / s.rows_read:.1%} > {limit:.0%})"
                ]
        yield _result(problems, severity=dg.AssetCheckSeverity.WARN)

    return [baris_seimbang, berkas_terbaca, penolakan_wajar]


def realisasi_problems(realisasi: pd.DataFrame) -> list[str]:
    """What is wrong with a year's realisasi rows, if anything (§5)."""
    problems = []
    present = set(zip(realisasi["kode"], realisasi["wilayah"], strict=True))
    missing = [(k, w) for k in KODE for w in WILAYAH if (k, w) not in present]
    problems += [f"baris {k} / {w} tidak ada" for k, w in missing]
    if len(realisasi) != len(present):
        problems.append("ada baris kode × wilayah ganda")
    for row in realisasi.itertuples():
        where = f"{row.kode} / {row.wilayah}"
        p, q, v = row.pembilang, row.penyebut, row.nilai
        has_value = v is not None and not (isinstance(v, float) and math.isnan(v))
        if row.satuan == "%":
            if not (pd.isna(p) or pd.isna(q)) and p > q:
                problems.append(f"{where}: pembilang {p} > penyebut {q}")
            if has_value and not 0 <= v <= 100:
                problems.append(f"{where}: nilai {v} di luar 0-100")
        elif has_value and (v < 0 or v != p):
            problems.append(f"{where}: nilai {v} bukan jumlah kegiatan {p}")
    return problems


@dg.asset_check(
    asset=IKU_KEY,
    name="realisasi_konsisten",
    blocking=True,
    partitions_def=tahun_partitions,
    description="Every indicator × wilayah row present once; pembilang ≤ penyebut; "
    "0 ≤ nilai ≤ 100 for percentages; IKU 4's nilai is its count.",
)
def realisasi_konsisten(context: dg.AssetCheckExecutionContext, iku):
    problems = {tahun: realisasi_problems(r.realisasi) for tahun, r in per_year(context, iku).items()}
    return _result(problems)


asset_checks = [c for name in SOURCES for c in _source_checks(name)] + [realisasi_konsisten]
