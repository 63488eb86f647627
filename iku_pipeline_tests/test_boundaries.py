"""Boundaries: links out of the data folder, oversized files, SQL in the data."""

import os

import pytest
import sqlalchemy as sa

from iku_pipeline.publish.warehouse import make_engine, read_table
from iku_pipeline.sources.readers import Limits
from iku_pipeline.sources.specs import SOURCES
from iku_pipeline.sources.validate import stage_source
from iku_pipeline_tests.test_pipeline import run_year
from iku_pipeline_tests.common import WILAYAH

HEADER = "No;Tanggal;Kelurahan;Jenis\n"


def folder(data_dir, tahun="2023"):
    path = data_dir / "raw" / "konflik" / tahun
    path.mkdir(parents=True, exist_ok=True)
    for old in path.iterdir():
        old.unlink()
    return path


def test_a_link_pointing_outside_the_data_folder_is_refused(data_dir, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(HEADER + "K-1;01/02/2023;Banjarsari;Sengketa\n", encoding="utf-8")
    target = folder(data_dir)
    os.symlink(outside, target / "kegiatan.csv")
    staged = stage_source(SOURCES["konflik"], target, 2023, b"k", root=data_dir, wilayah=WILAYAH)
    assert [f.berkas for f in staged.laporan.gagal] == ["kegiatan.csv"]
    assert "luar folder data" in staged.laporan.gagal[0].gagal
    assert staged.diterima.empty


def test_a_link_inside_the_data_folder_is_read(data_dir):
    target = folder(data_dir)
    inside = data_dir / "kiriman.csv"
    inside.write_text(HEADER + "K-1;01/02/2023;Banjarsari;Sengketa\n", encoding="utf-8")
    os.symlink(inside, target / "kegiatan.csv")
    staged = stage_source(SOURCES["konflik"], target, 2023, b"k", root=data_dir, wilayah=WILAYAH)
    assert not staged.laporan.gagal and len(staged.diterima) == 1


@pytest.mark.parametrize(
    "limits, words",
    [(Limits(max_bytes=100), "melebihi batas"), (Limits(max_rows=3), "lebih dari 3 baris")],
)
def test_files_beyond_the_limits_fail_with_a_clear_cause(data_dir, limits, words):
    target = folder(data_dir)
    rows = "".join(f"K-{i};01/02/2023;Banjarsari;Sengketa\n" for i in range(10))
    (target / "kegiatan.csv").write_text(HEADER + rows, encoding="utf-8")
    staged = stage_source(SOURCES["konflik"], target, 2023, b"k", root=data_dir, limits=limits, wilayah=WILAYAH)
    assert staged.laporan.gagal and words in staged.laporan.gagal[0].gagal


def test_limits_come_from_the_environment(monkeypatch):
    from iku_pipeline.resources import Validation

    monkeypatch.setenv("IKU_MAX_FILE_MB", "1.5")
    monkeypatch.setenv("IKU_MAX_ROWS", "1000")
    assert Validation().limits == Limits(max_bytes=int(1.5 * 2**20), max_rows=1000)
    assert Validation(max_rows=7).limits.max_rows == 7  # the run config wins


def test_sql_in_the_data_is_stored_as_text(data_dir, tmp_path):
    evil = "K-1'); DROP TABLE realisasi_iku; --"
    (folder(data_dir) / "kegiatan.csv").write_text(
        HEADER + f'"{evil}";01/02/2023;Kampung Baru;Sengketa\n', encoding="utf-8"
    )
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    run_year(data_dir, url, "2023")
    engine = make_engine(url)
    assert "realisasi_iku" in sa.inspect(engine).get_table_names()
    rejected = read_table(engine, "baris_ditolak", 2023)
    assert evil in rejected[rejected["sumber"] == "konflik"]["isi_baris"].iloc[0]
    engine.dispose()
