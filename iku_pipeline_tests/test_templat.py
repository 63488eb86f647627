"""The Excel input templates (``publish/templat.py``), checked against the real reader.

A template filled as a clerk fills it (openpyxl: values under the header, real dates
and numbers, dropdown values), with rows generated from the spec, is read by
``stage_source`` with no rejected row, for every source, the referencing ones filled
consistently with the sources they refer to. A value typed past a dropdown is rejected
with the reader's usual reason. The dropdowns are the reference tables (a changed
``kelurahan.csv`` changes them) and the parsers' own words; the Petunjuk names every
column; the Dagster asset writes the templates and stays out of the yearly jobs.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from iku_pipeline.publish.templat import (
    DATA_ROWS,
    JENIS_LAYANAN,
    LIST_SHEET,
    PETUNJUK,
    TEMPLAT_DIR,
    Lists,
    write_templates,
)
from iku_pipeline.publish.templat_teks import ROW_RULES, hasil_words, status_words
from iku_pipeline.sources import parsers
from iku_pipeline.sources.reference import fold_alias, load_jenis_layanan
from iku_pipeline.sources.specs import (
    PERSONAL_KINDS,
    SOURCE_ORDER,
    SOURCES,
    Column,
    Kind,
    SourceSpec,
)
from iku_pipeline.sources.validate import SOURCE_RULES, stage_source
from iku_pipeline_tests.common import WILAYAH

TAHUN = 2024  # the fixtures deliver 2023 only: this year holds the filled templates alone
ROWS = 40
KEY = b"kunci-uji"


@pytest.fixture
def templates(data_dir: Path, tmp_path: Path) -> Path:
    """The templates of the fixtures' reference tables."""
    folder = tmp_path / "out" / TEMPLAT_DIR
    write_templates(folder, data_dir / "reference")
    return folder


# ---------------------------------------------------------------- filling a template


def _value(column: Column, i: int, lists: Lists):
    """Row ``i``'s valid value of a column, as a clerk types it (dropdowns: their values
    in turn; dates and numbers: real ones)."""
    choices = lists.of(column)
    if choices:
        return choices[i % len(choices)]
    match column.kind:
        case Kind.KEY:
            return f"{column.name.upper()}-{i + 1:04d}"
        case Kind.DATE:  # the same in every date column: tanggal_selesai not before masuk
            return dt.date(TAHUN, 1 + i % 12, 1 + i % 28)
        case Kind.RUPIAH:
            return 150_000 + 1_000 * i
        case Kind.NUMBER:
            return 120.5 + i
        case Kind.WHOLE:
            return int(column.min_value or 0) + i % 5
        case Kind.YEAR:
            return TAHUN
        case Kind.NOP:
            return f"18.72.030.{1 + i % 4:03d}.001-{i + 1:04d}.0"
        case Kind.NIK:
            return f"18720312345{i:05d}"
        case Kind.NAMA:
            return "Budi Santoso"
        case _:
            return f"{column.name.replace('_', ' ')} {i + 1}"


def _rows(spec: SourceSpec, lists: Lists, made: dict[str, list[dict]]) -> list[dict]:
    """``ROWS`` valid rows of a source from its spec; a referencing column takes the
    referenced source's values, row for row."""
    rows = []
    for i in range(ROWS):
        row = {c.name: _value(c, i, lists) for c in spec.columns}
        for ref in spec.references:
            row[ref.column] = made[ref.source][i][ref.source_column]
        rows.append(row)
    return rows


def _fill(template: Path, rows: list[dict], target: Path) -> Path:
    """The template with ``rows`` under its header (the spec's columns in order, left to
    right, as the clerk sees them), each cell in its column's format (what Excel gives a
    typed cell), saved as a delivered file."""
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row.values(), start=1):
            cell = ws.cell(r, c)
            cell._style = copy.copy(ws.column_dimensions[cell.column_letter]._style)
            cell.value = value
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def _stage(data_dir: Path, name: str, staged: dict | None = None, jenis_layanan=None):
    spec = SOURCES[name]
    refs = {r.source: staged[r.source] for r in spec.references} if staged else {}
    folder = data_dir / "raw" / name / str(TAHUN)
    return stage_source(spec, folder, TAHUN, KEY, refs, jenis_layanan, wilayah=WILAYAH)


def test_filled_templates_are_read_without_a_rejected_row(data_dir, templates):
    lists = Lists.load(data_dir / "reference")
    jenis_layanan = load_jenis_layanan(data_dir / "reference")
    made, staged = {}, {}
    for name in SOURCE_ORDER:
        spec = SOURCES[name]
        made[name] = _rows(spec, lists, made)
        raw = data_dir / "raw" / name / str(TAHUN) / f"{name}_{TAHUN}.xlsx"
        _fill(templates / f"{name}.xlsx", made[name], raw)
        staged[name] = _stage(data_dir, name, staged, jenis_layanan)
    for name, s in staged.items():
        assert not s.laporan.gagal, f"{name}: {s.laporan.gagal[0].gagal}"
        reasons = s.ditolak[["baris", "kolom", "alasan"]].head().to_dict("records")
        assert s.ditolak.empty, f"{name}: {len(s.ditolak)} rows rejected, e.g. {reasons}"
        assert len(s.diterima) == s.laporan.dibaca == ROWS, name
    # Every service name of the dropdown is mapped: none is left for the analyst.
    assert staged["layanan"].laporan.info.get("jenis_layanan_tidak_dikenal", {}) == {}
    # The values arrive as typed: a NOP's 18 digits, whole rupiah, the dates.
    dhkp = staged["pbb_dhkp"].diterima
    assert dhkp["nop"].iloc[0] == "187203000100100010"
    assert int(dhkp["pbb_terhutang"].iloc[1]) == 151_000
    assert staged["konflik"].diterima["tanggal"].iloc[2] == pd.Timestamp(TAHUN, 3, 3)


_PAST = {Kind.KELURAHAN: "Mulyojati", Kind.STATUS: "Beres", Kind.HASIL: "Damai"}
_REASON = {
    Kind.KELURAHAN: "kelurahan 'Mulyojati' bukan kelurahan di Kecamatan Metro Utara",
    Kind.STATUS: "status 'Beres' tidak dikenal",
    Kind.HASIL: "hasil 'Damai' tidak dikenal",
}
_LISTED = [
    (spec.name, column.name)
    for spec in SOURCES.values()
    for column in spec.columns
    if column.kind in _PAST and not spec.references
]


@pytest.mark.parametrize(("name", "column"), _LISTED)
def test_a_value_typed_past_the_dropdown_is_rejected(data_dir, templates, name, column):
    spec = SOURCES[name]
    kind = spec.column(column).kind
    rows = _rows(spec, Lists.load(data_dir / "reference"), {})
    rows[5][column] = _PAST[kind]
    raw = data_dir / "raw" / name / str(TAHUN) / f"{name}.xlsx"
    _fill(templates / f"{name}.xlsx", rows, raw)
    staged = _stage(data_dir, name)
    assert len(staged.diterima) == ROWS - 1
    [rejected] = staged.ditolak.to_dict("records")
    assert (rejected["baris"], rejected["kolom"]) == (7, column)  # row 6 of data: sheet row 7
    assert rejected["alasan"].startswith(_REASON[kind])


def test_a_service_name_past_the_dropdown_is_accepted_as_lainnya(data_dir, templates):
    spec = SOURCES["layanan"]
    rows = _rows(spec, Lists.load(data_dir / "reference"), {})
    rows[0][JENIS_LAYANAN] = "Surat Keterangan Ahli Waris"
    _fill(templates / "layanan.xlsx", rows, data_dir / "raw" / "layanan" / str(TAHUN) / "l.xlsx")
    staged = _stage(data_dir, "layanan", jenis_layanan=load_jenis_layanan(data_dir / "reference"))
    assert staged.ditolak.empty and len(staged.diterima) == ROWS
    assert staged.diterima["kategori"].iloc[0] == "LAINNYA"
    assert staged.laporan.info["jenis_layanan_tidak_dikenal"] == {"Surat Keterangan Ahli Waris": 1}


# ---------------------------------------------------------------- what the workbook holds


def _validations(ws) -> dict[str, object]:
    """{header of the validated column: its data validation}."""
    header = {c.column_letter: c.value for c in ws[1]}
    found = {}
    for dv in ws.data_validations.dataValidation:
        first = str(dv.sqref).split()[0].split(":")[0]
        found[header[re.match(r"[A-Z]+", first).group()]] = dv
    return found


def _dropdowns(path: Path) -> dict[str, list[str]]:
    """{column: the values of its dropdown}, read through the validation's reference."""
    wb = openpyxl.load_workbook(path)
    lists = {}
    for name, dv in _validations(wb.worksheets[0]).items():
        if dv.type != "list":
            continue
        sheet, ref = dv.formula1.lstrip("=").split("!")
        cells = wb[sheet][ref.replace("$", "")]
        lists[name] = [row[0].value for row in cells]
    return lists


def test_dropdowns_are_the_reference_tables_and_the_parsers_words(data_dir, templates):
    reference = data_dir / "reference"
    layanan = _dropdowns(templates / "layanan.xlsx")
    assert layanan["kelurahan"] == list(WILAYAH.names)
    assert layanan["status"] == list(status_words())
    folded = {" ".join(w.casefold().split()) for w in layanan["status"]}
    assert folded == {*parsers.STATUS_DIPROSES, *parsers.STATUS_BELUM}
    assert parsers.parse_status(pd.Series(layanan["status"])).errors.isna().all()
    names = layanan[JENIS_LAYANAN]
    assert len(names) == len({fold_alias(n) for n in names})  # each name once
    assert {fold_alias(n) for n in names} == set(load_jenis_layanan(reference))
    konflik = _dropdowns(templates / "konflik.xlsx")
    assert konflik["hasil"] == list(hasil_words())
    assert parsers.parse_hasil(pd.Series(konflik["hasil"])).errors.isna().all()
    assert konflik["kelurahan"] == list(WILAYAH.names)
    # A dropdown for every kelurahan, status and hasil column and the service names only.
    for spec in SOURCES.values():
        listed = set(_dropdowns(templates / f"{spec.name}.xlsx"))
        expected = {c.name for c in spec.columns
                    if c.kind in _PAST or c.name == JENIS_LAYANAN}
        assert listed == expected, spec.name


def test_a_changed_reference_table_changes_the_dropdowns(data_dir, tmp_path):
    reference = data_dir / "reference"
    (reference / "kelurahan.csv").write_text(
        "kode,nama,kd_kecamatan,kd_kelurahan\n"
        "1872021003,Karangrejo,030,003\n"
        "1872021001,Banjarsari,030,001\n"
        "1872031001,Mulyojati,031,001\n",
        encoding="utf-8",
    )
    with (reference / "jenis_layanan.csv").open("a", encoding="utf-8") as f:
        f.write("Surat Keterangan Ahli Waris,LAINNYA\n")
    folder = tmp_path / "baru"
    write_templates(folder, reference)
    for name in ("layanan", "musrenbang_usulan", "pbb_dhkp", "konflik"):
        assert _dropdowns(folder / f"{name}.xlsx")["kelurahan"] == [
            "Karangrejo", "Banjarsari", "Mulyojati"
        ]
    assert "Surat Keterangan Ahli Waris" in _dropdowns(folder / "layanan.xlsx")[JENIS_LAYANAN]
    wb = openpyxl.load_workbook(folder / "layanan.xlsx")
    petunjuk = " ".join(str(c.value) for row in wb[PETUNJUK].iter_rows() for c in row if c.value)
    assert "Karangrejo, Banjarsari atau Mulyojati" in petunjuk
    assert "Surat Keterangan Ahli Waris" in petunjuk


@pytest.mark.parametrize("name", list(SOURCES))
def test_header_formats_and_validations_follow_the_spec(templates, name):
    spec = SOURCES[name]
    wb = openpyxl.load_workbook(templates / f"{name}.xlsx")
    assert wb.sheetnames[0] == name and wb[LIST_SHEET].sheet_state == "hidden"
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == [c.name for c in spec.columns]
    assert ws.freeze_panes == "A2"
    validations = _validations(ws)
    for cell, column in zip(ws[1], spec.columns, strict=True):
        note = cell.comment.text
        assert cell.font.b == column.required
        assert note.startswith("(wajib)" if column.required else "(tidak wajib)")
        dv = validations[column.name]
        assert str(dv.sqref) == f"{cell.column_letter}2:{cell.column_letter}{DATA_ROWS + 1}"
        assert dv.prompt, column.name  # every column says what to type
        fmt = ws.column_dimensions[cell.column_letter].number_format
        match column.kind:
            case Kind.DATE:
                assert (dv.type, fmt) == ("date", "dd/mm/yyyy")
            case Kind.RUPIAH:
                assert (dv.type, fmt) == ("whole", "#,##0")
                assert (dv.operator, dv.formula1) == (
                    ("greaterThan", "0") if column.positive else ("greaterThanOrEqual", "0")
                )
            case Kind.WHOLE:
                assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "1")
            case Kind.NOP:
                assert fmt == "@" and "18.72.030.001.001-0001.0" in dv.prompt
            case Kind.KELURAHAN | Kind.STATUS | Kind.HASIL:
                assert dv.type == "list" and dv.errorStyle in (None, "stop")
        if column.kind in (Kind.NIK, Kind.NAMA):
            assert "Data pribadi" in note


@pytest.mark.parametrize("name", list(SOURCES))
def test_petunjuk_names_every_column(templates, name):
    spec = SOURCES[name]
    ws = openpyxl.load_workbook(templates / f"{name}.xlsx")[PETUNJUK]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[:2] == ["No", "Kolom"])
    table = rows[start + 1 : start + 1 + len(spec.columns)]
    assert [r[1] for r in table] == [c.name for c in spec.columns]
    for row, column in zip(table, spec.columns, strict=True):
        assert row[2].startswith("Ya" if column.required else "Tidak"), column.name
        assert row[3] == (", ".join(column.aliases) or "-")
        assert row[4] and row[5], column.name
        if column.required and column.kind is not Kind.STATUS:
            assert f"{column.name} wajib diisi" in row[5]
        if column.name == spec.key:
            assert f"Duplikat {column.name} ditolak: baris pertama yang dipakai" in row[5]
        if column.in_year:
            assert "Tanggal harus di dalam tahun laporan" in row[5]
        if column.kind in PERSONAL_KINDS:
            assert "Data pribadi" in row[4], column.name
    personal = [c.name for c in spec.columns if c.kind in PERSONAL_KINDS]
    below = [str(r[0]) for r in rows[start + 1 + len(spec.columns) :] if r[0]]
    notes = [n for n in below if "data pribadi" in n]  # the one note naming them all
    assert len(notes) == (1 if personal else 0)
    assert all(name in notes[0] for name in personal)


def test_every_rule_of_code_has_its_sentence():
    """A source rule written in code (validate.SOURCE_RULES), not in the spec, has its
    sentence in the Petunjuk (templat_teks.ROW_RULES)."""
    assert set(SOURCE_RULES) == {source for source, _ in ROW_RULES}


# ---------------------------------------------------------------- the asset


def test_the_asset_writes_the_templates_and_stays_out_of_the_yearly_jobs(data_dir, tmp_path):
    import dagster as dg

    from iku_pipeline.assets.templat import TEMPLAT_KEY
    from iku_pipeline.definitions import defs
    from iku_pipeline.resources import IkuPaths

    out = tmp_path / "out"
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("templat_masukan").execute_in_process(
            instance=instance,
            resources={"paths": IkuPaths(data_dir=str(data_dir), output_dir=str(out))},
        )
    assert result.success
    assert sorted(p.name for p in (out / TEMPLAT_DIR).iterdir()) == sorted(
        f"{n}.xlsx" for n in SOURCES
    )
    graph = defs.resolve_asset_graph()
    for job in ("iku_tahunan", "iku_tahunan_paralel", "iku_tahunan_celery"):
        keys = defs.resolve_job_def(job).asset_layer.executable_asset_keys
        assert TEMPLAT_KEY not in keys and len(keys) == len(graph.get_all_asset_keys()) - 1
    # `dagster asset materialize --select '*' --partition-range ...` takes it along: one
    # implicit job, every asset with a single-run backfill policy.
    everything = dg.AssetSelection.all().resolve(graph)
    job = defs.get_repository_def().get_implicit_job_def_for_assets(everything)
    assert job is not None
    for key in everything:
        policy = job.asset_layer.get(key).backfill_policy
        assert policy is not None and policy.policy_type.value == "SINGLE_RUN", key
