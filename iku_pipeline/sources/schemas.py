"""Pandera models of the staged sources: what an accepted row is, once parsed.

The validator (``validate.py``) decides row by row, with reasons a clerk understands;
these models then check the accepted frame as a whole, so a bug in a parser or a rule
cannot stage a value the contract forbids. A violation here is a defect of the
pipeline, not of the extract, and fails the run loudly.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow.compute as pc
from pandera.engines import pandas_engine
from pandera.typing import Series

from iku_pipeline.model import KATEGORI, Wilayah
from iku_pipeline.sources.keys import all_distinct
from iku_pipeline.sources.parsers import arrow


class _ArrowText(pandas_engine.STRING):
    """Pandera's ``string[pyarrow]``, its check answered once for the column: Pandera's
    own answers cell by cell (all True when the dtype is right), and Pandera then formats
    the empty table of failing cells for each text column of each frame, a third of the
    validation of a file's few rows. The same columns pass and fail."""

    def check(self, pandera_dtype, data_container=None):
        found = super().check(pandera_dtype, data_container)
        return found if isinstance(found, bool) else bool(np.all(found))


# Staged text is held as Arrow strings (see ``parsers.TEXT``).
Text = Annotated[_ArrowText, "pyarrow"]


class _Staged(pa.DataFrameModel):
    _berkas: Series[pd.CategoricalDtype] = pa.Field(alias="_berkas")
    _baris: Series[int] = pa.Field(alias="_baris", ge=1)
    _kunci: Series[Text] = pa.Field(alias="_kunci")

    @pa.dataframe_check
    def kunci_unique(cls, df: pd.DataFrame) -> bool:
        """No key staged twice (sorted in Arrow: Pandera's own ``unique`` would hash a
        Python string per row)."""
        return all_distinct(df["_kunci"])

    class Config:
        strict = False  # extra columns of the extract are kept in staging
        coerce = False


class Layanan(_Staged):
    no_register: Series[Text]
    tanggal_masuk: Series[pd.Timestamp]
    jenis_layanan: Series[Text]
    kelurahan: Series[pd.CategoricalDtype] = pa.Field()  # of the wilayah: check_staged
    status: Series[Text] = pa.Field(nullable=True)
    tanggal_selesai: Series[pd.Timestamp] = pa.Field(nullable=True)
    nik_pemohon: Series[Text] = pa.Field(nullable=True, str_matches=r"^[0-9*]*$")
    nama_pemohon: Series[Text] = pa.Field(nullable=True)
    kategori: Series[pd.CategoricalDtype] = pa.Field(isin=list(KATEGORI))
    diproses: Series[bool]

    @pa.dataframe_check
    def selesai_not_before_masuk(cls, df: pd.DataFrame) -> Series[bool]:
        return df["tanggal_selesai"].isna() | (df["tanggal_selesai"] >= df["tanggal_masuk"])


class MusrenbangUsulan(_Staged):
    id_usulan: Series[Text]
    kelurahan: Series[pd.CategoricalDtype] = pa.Field()  # of the wilayah: check_staged
    uraian_usulan: Series[Text]
    bidang: Series[Text] = pa.Field(nullable=True)
    tanggal_usulan: Series[pd.Timestamp] = pa.Field(nullable=True)


class MusrenbangBa(_Staged):
    id_usulan: Series[Text]
    nomor_ba: Series[Text] = pa.Field(nullable=True)
    prioritas: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)


def _nop_digits(nop: pd.Series) -> pd.Series:
    r"""Which staged NOPs are 18 digits: what ``str_matches=r"^\d{18}$"`` checks (RE2's
    ``\d`` is 0-9 only), in two Arrow kernels instead of a regular expression (0.8 s
    for a roll of ten million)."""
    cells = arrow(nop)
    digits = pc.and_(pc.equal(pc.binary_length(cells), 18), pc.ascii_is_decimal(cells))
    return pd.Series(pc.fill_null(digits, False).to_numpy(zero_copy_only=False), index=nop.index)


class PbbDhkp(_Staged):
    nop: Series[Text]
    kelurahan: Series[pd.CategoricalDtype] = pa.Field()  # of the wilayah: check_staged
    pbb_terhutang: Series[pd.Int64Dtype] = pa.Field(ge=0)
    nama_wp: Series[Text] = pa.Field(nullable=True)
    luas_bumi: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0)
    luas_bangunan: Series[pd.Float64Dtype] = pa.Field(nullable=True, ge=0)
    jatuh_tempo: Series[pd.Timestamp] = pa.Field(nullable=True)

    @pa.check("nop")
    def nop_18_digits(cls, nop: Series[Text]) -> Series[bool]:
        return _nop_digits(nop)


class PbbPembayaran(_Staged):
    no_transaksi: Series[Text]
    nop: Series[Text]
    tanggal_bayar: Series[pd.Timestamp]
    jumlah_bayar: Series[pd.Int64Dtype] = pa.Field(gt=0)
    tahun_pajak: Series[pd.Int64Dtype]

    @pa.check("nop")
    def nop_18_digits(cls, nop: Series[Text]) -> Series[bool]:
        return _nop_digits(nop)


class Konflik(_Staged):
    no_kegiatan: Series[Text]
    tanggal: Series[pd.Timestamp]
    kelurahan: Series[pd.CategoricalDtype] = pa.Field()  # of the wilayah: check_staged
    jenis_konflik: Series[Text]
    uraian_kegiatan: Series[Text] = pa.Field(nullable=True)
    hasil: Series[Text] = pa.Field(
        nullable=True, isin=["Selesai", "Belum Selesai", "Proses"]
    )


SCHEMAS: dict[str, type[_Staged]] = {
    "layanan": Layanan,
    "musrenbang_usulan": MusrenbangUsulan,
    "musrenbang_ba": MusrenbangBa,
    "pbb_dhkp": PbbDhkp,
    "pbb_pembayaran": PbbPembayaran,
    "konflik": Konflik,
}


def check_staged(sumber: str, accepted: pd.DataFrame, wilayah: Wilayah) -> None:
    """Raise ``pandera.errors.SchemaErrors`` when an accepted frame breaks its model, or
    ``TypeError`` when its kelurahan are not the wilayah's category (the kelurahan come
    from ``reference/kelurahan.csv``, so the model cannot list them).

    In place: otherwise Pandera validates a deep copy. Pandera then leaves its accessor
    on the frame, which refers back to the frame: a reference cycle that would keep a
    source of millions of rows in memory until Python's cycle collector next runs, long
    after the frame is let go. The accessor is removed to break it.
    """
    try:
        SCHEMAS[sumber].validate(accepted, lazy=True, inplace=True)
    finally:
        vars(accepted).pop("pandera", None)
    if "kelurahan" in accepted and accepted["kelurahan"].dtype != wilayah.dtype:
        raise TypeError(
            f"{sumber}: kelurahan staged as {accepted['kelurahan'].dtype}, "
            f"not as the kelurahan of {wilayah.kecamatan}"
        )
