"""What an analyst sees of a run in the Dagster UI: counts, previews, reasons.

Only masked values reach metadata: staged frames are masked by the reader, and the
rejection previews show file, row, column and reason, not the row's values. Every text
shown is scrubbed once more as it is written (docs/data-contract.md §6): a NIK in it
(``187203******0001``), or a name after ``a.n.``, is masked, whatever built it.
"""

from __future__ import annotations

import dagster as dg
import pandas as pd

from iku_pipeline.model import Staged
from iku_pipeline.sources import masking
from iku_pipeline.sources.schemas import SCHEMAS

PREVIEW_ROWS = 10


def _md_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "_(tidak ada)_"
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    # A few rows (previews, counts): every cell's text scrubbed at once (§6).
    cells = masking.scrub_texts(
        [str(v).replace("|", "/").replace("\n", " ") for v in frame.to_numpy(object).ravel()]
    )
    width = len(frame.columns)
    body = [
        "| " + " | ".join(cells[i : i + width]) + " |" for i in range(0, len(cells), width)
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


def staged_metadata(staged: dict[int, Staged]) -> dict:
    """Metadata of a source's asset, the same keys whatever the number of years in the
    run: totals (its row count is of the accepted rows), then per year and per file."""
    years = sorted(staged.items())
    per_tahun = pd.DataFrame(
        [
            {
                "tahun": tahun,
                "diserahkan": "ya" if s.diserahkan else "belum",
                "berkas": len(s.laporan.berkas),
                "gagal": len(s.laporan.gagal),
                "dibaca": s.laporan.dibaca,
                "diterima": len(s.diterima),
                "ditolak": len(s.ditolak),
            }
            for tahun, s in years
        ]
    )
    per_berkas = pd.DataFrame(
        [
            {
                "tahun": tahun,
                "berkas": f.berkas,
                "dibaca": f.dibaca,
                "diterima": f.diterima,
                "ditolak": f.ditolak,
                "baris kosong": f.baris_kosong,
                "gagal": f.gagal or "",
                "sha256": f.sha256[:12],
            }
            for tahun, s in years
            for f in s.laporan.berkas
        ]
    )
    rejected = pd.concat([s.ditolak for _, s in years], ignore_index=True)
    per_kolom = (
        rejected.assign(kolom=rejected["kolom"].replace("", "(seluruh baris)"))
        .groupby("kolom")
        .size()
        .sort_values(ascending=False)
        .rename("baris")
        .reset_index()
    )
    unmapped: dict[str, int] = {}
    for _, s in years:
        for name, n in s.laporan.info.get("jenis_layanan_tidak_dikenal", {}).items():
            name = masking.scrub_text(str(name))  # a value of the file (§6)
            unmapped[name] = unmapped.get(name, 0) + n
    return {
        "dagster/row_count": int(per_tahun["diterima"].sum()),
        "baris_dibaca": int(per_tahun["dibaca"].sum()),
        "baris_ditolak": len(rejected),
        "diserahkan": dg.MetadataValue.json({str(t): s.diserahkan for t, s in years}),
        "per_tahun": dg.MetadataValue.md(_md_table(per_tahun)),
        "per_berkas": dg.MetadataValue.md(_md_table(per_berkas)),
        "ditolak_per_kolom": dg.MetadataValue.md(_md_table(per_kolom)),
        "contoh_baris_ditolak": dg.MetadataValue.md(
            _md_table(rejected[["tahun", "berkas", "baris", "kolom", "alasan"]].head(PREVIEW_ROWS))
        ),
        "jenis_layanan_tidak_dikenal": dg.MetadataValue.json(unmapped),
    }


def realisasi_markdown(realisasi: pd.DataFrame) -> str:
    shown = realisasi.assign(
        nilai=realisasi["nilai"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    ).astype(object).where(realisasi.notna(), "")
    return _md_table(shown[["kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan"]])


def _triwulan_cell(row) -> str:
    if pd.isna(row.pembilang):
        return "belum tersedia"
    if pd.isna(row.nilai):
        return "- (penyebut 0)"
    if pd.isna(row.penyebut):
        return f"{int(row.pembilang)}"
    return f"{row.nilai:.2f} ({int(row.pembilang)}/{int(row.penyebut)})"


def triwulan_markdown(triwulan: pd.DataFrame, kecamatan: str) -> str:
    """The kecamatan's realisasi per triwulan (§8) as a table: a row per kode, a column
    per quarter computed (nilai, with pembilang/penyebut), the running quarter headed
    with the date it is counted to."""
    from iku_pipeline.indicators.triwulan import ROMAWI, akhir_triwulan, tanggal_teks

    rows = triwulan[triwulan["wilayah"] == kecamatan]
    if rows.empty:
        return "_(tidak ada)_"
    heads = {}
    for q, sampai in rows.groupby("triwulan")["sampai_tanggal"].first().items():
        sampai = pd.Timestamp(sampai).date()
        full = sampai == akhir_triwulan(sampai.year, int(q))
        heads[int(q)] = f"TW {ROMAWI[int(q) - 1]}" + ("" if full else f" (s.d. {tanggal_teks(sampai)})")
    cells = {(r.kode, int(r.triwulan)): _triwulan_cell(r) for r in rows.itertuples()}
    kodes = list(dict.fromkeys(rows["kode"]))
    satuan = dict(zip(rows["kode"], rows["satuan"], strict=False))
    table = pd.DataFrame(
        [[k, satuan[k], *(cells.get((k, q), "") for q in heads)] for k in kodes],
        columns=["kode", "satuan", *heads.values()],
    )
    return _md_table(table)
