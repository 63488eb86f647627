"""What an analyst sees of a run in the Dagster UI: counts, previews, reasons.

Only masked values reach metadata: staged frames are masked by the reader, and the
rejection previews show file, row, column and reason, not the row's values.
"""

from __future__ import annotations

import dagster as dg
import pandas as pd

from iku_pipeline.sources.schemas import SCHEMAS
from iku_pipeline.sources.specs import SourceSpec
from iku_pipeline.sources.validate import Staged

PREVIEW_ROWS = 10


def _md_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "_(tidak ada)_"
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = [
        "| " + " | ".join(str(v).replace("|", "/").replace("\n", " ") for v in row) + " |"
        for row in frame.itertuples(index=False, name=None)
    ]
    return "\n".join([head, rule, *body])


def column_schema(sumber: str) -> dg.TableSchema:
    """The staged source's columns, from its Pandera model (the UI's Columns tab)."""
    schema = SCHEMAS[sumber].to_schema()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name,
                type=str(column.dtype),
                constraints=dg.TableColumnConstraints(
                    nullable=column.nullable,
                    unique=column.unique,
                    other=[str(c) for c in column.checks],
                ),
            )
            for name, column in schema.columns.items()
        ]
    )


def staged_metadata(staged: Staged, spec: SourceSpec) -> dict:
    if not staged.delivered:
        return {"diserahkan": False, "dagster/row_count": 0}
    files = pd.DataFrame(
        [
            {
                "berkas": f.berkas,
                "dibaca": f.dibaca,
                "diterima": f.diterima,
                "ditolak": f.ditolak,
                "baris kosong": f.baris_kosong,
                "gagal": f.gagal or "",
                "sha256": f.sha256[:12],
            }
            for f in staged.files
        ]
    )
    rejected = staged.rejected
    per_kolom = (
        rejected.assign(kolom=rejected["kolom"].replace("", "(seluruh baris)"))
        .groupby("kolom")
        .size()
        .sort_values(ascending=False)
        .rename("baris")
        .reset_index()
    )
    meta = {
        "diserahkan": True,
        "dagster/row_count": len(staged.accepted),
        "baris_dibaca": staged.rows_read,
        "baris_diterima": len(staged.accepted),
        "baris_ditolak": len(rejected),
        "per_berkas": dg.MetadataValue.md(_md_table(files)),
        "ditolak_per_kolom": dg.MetadataValue.md(_md_table(per_kolom)),
        "contoh_baris_ditolak": dg.MetadataValue.md(
            _md_table(rejected[["berkas", "baris", "kolom", "alasan"]].head(PREVIEW_ROWS))
        ),
    }
    if "jenis_layanan_tidak_dikenal" in staged.info:
        unmapped = staged.info["jenis_layanan_tidak_dikenal"]
        meta["jenis_layanan_tidak_dikenal"] = dg.MetadataValue.json(unmapped)
        meta["jenis_layanan_tidak_dikenal_jumlah"] = sum(unmapped.values())
    return meta


def years_metadata(by_year: dict[int, Staged]) -> dict:
    """A multi-year run's summary: one line per year."""
    rows = pd.DataFrame(
        [
            {
                "tahun": tahun,
                "diserahkan": "ya" if s.delivered else "belum",
                "berkas": len(s.files),
                "gagal": len(s.failed),
                "dibaca": s.rows_read,
                "diterima": len(s.accepted),
                "ditolak": len(s.rejected),
            }
            for tahun, s in sorted(by_year.items())
        ]
    )
    return {
        "per_tahun": dg.MetadataValue.md(_md_table(rows)),
        "dagster/row_count": int(rows["diterima"].sum()),
    }


def realisasi_markdown(realisasi: pd.DataFrame) -> str:
    shown = realisasi.assign(
        nilai=realisasi["nilai"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    ).astype(object).where(realisasi.notna(), "")
    return _md_table(shown[["kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan"]])
