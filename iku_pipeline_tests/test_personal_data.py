"""No NIK or name leaves the raw files (docs/data-contract.md §6).

A year full of NIKs and names (in the contract's personal columns, in extra columns a
section might add, in a free-text note, and a NIK typed under a column of the contract)
is run, without a hash key through the real CLI, with one in this process on an
instance of its own (what `dagster job execute` runs); then every byte
the run wrote — the warehouse, the exported files, Dagster's storage and event log, the
run's output — is searched for them.
"""

import os
import random
import zipfile
from pathlib import Path

import pytest

from iku_pipeline_tests.common import cli_year

FIRST = ["Budi", "Siti", "Wayan", "Nyoman", "Rini", "Agus", "Dewi", "Hendra", "Yusuf", "Lina"]
LAST = ["Santoso", "Aminah", "Sudarsa", "Puspitasari", "Salim", "Gunawan", "Maulana", "Marlina"]


def people(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        nik = f"187203{rng.randrange(10**9, 10**10):010d}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {chr(65 + i % 26)}{i:03d}"
        out.append((nik, name))
    return out


def write_year(raw: Path, pemohon, wajib_pajak, lain=()) -> None:
    """The year's files. ``lain``: the people of the extra columns a section might add
    (``Nomor Induk Kependudukan``, ``Pemohon``, a note ``a.n. <name> NIK <nik>``); every
    eleventh row has a NIK typed under ``Kel`` (rejected, its reason quoting it)."""
    (raw / "layanan/2024").mkdir(parents=True)
    lines = ["No Register;Tanggal;Jenis;Kel;Status;NIK;Nama;NIK Suami;Nama Ayah"
             ";Nomor Induk Kependudukan;Pemohon;Catatan"]  # fmt: skip
    for i, (nik, name) in enumerate(pemohon):
        kel = "Banjarsari" if i % 7 else "Metro Pusat"  # some rows rejected: values kept
        spouse_nik, spouse = pemohon[-1 - i]
        other_nik, other = lain[i % len(lain)] if lain else ("", "")
        note = f"a.n. {other} NIK {other_nik}" if lain else ""
        kel = other_nik if lain and i % 11 == 3 else kel
        lines.append(f"R-{i};0{1 + i % 9}/03/2024;KK;{kel};Selesai;{nik};{name}"
                     f";{spouse_nik};{spouse};{other_nik};{other};{note}")  # fmt: skip
    (raw / "layanan/2024/register.csv").write_text("\n".join(lines), encoding="utf-8")
    (raw / "pbb_dhkp/2024").mkdir(parents=True)
    lines = ["NOP,Kelurahan,Nama WP,Ketetapan"]
    for i, (_, name) in enumerate(wajib_pajak):
        nop = f"1872030010010{i:04d}0" if i % 5 else "123"  # some rows rejected
        lines.append(f"{nop},Purwosari,{name},100000")
    (raw / "pbb_dhkp/2024/dhkp.csv").write_text("\n".join(lines), encoding="utf-8")


def run_in_process(env: dict, monkeypatch, capfd) -> bytes:
    """The year in this process, on the instance of ``env``'s DAGSTER_HOME; its output."""
    import dagster as dg

    from iku_pipeline.definitions import defs

    for name in [n for n in os.environ if n.startswith("IKU_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith(("IKU_", "DAGSTER_")):
            monkeypatch.setenv(name, value)
    capfd.readouterr()
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("iku_tahunan").execute_in_process(
            partition_key="2024", instance=instance
        )
    assert result.success
    out, err = capfd.readouterr()
    return (out + err).encode()


@pytest.mark.parametrize("hash_key", ["kunci-rahasia-kantor", None])
def test_no_nik_or_name_is_written_anywhere(tmp_path, hash_key, monkeypatch, capfd):
    pemohon = people(60, 1)
    wajib_pajak = people(40, 2)
    lain = people(12, 3)
    data = tmp_path / "data"
    write_year(data / "raw", pemohon, wajib_pajak, lain)
    env = {
        **os.environ,
        "IKU_DATA_DIR": str(data),
        "IKU_DATABASE_URL": f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        "IKU_OUTPUT_DIR": str(tmp_path / "published"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    env.pop("IKU_HASH_KEY", None)
    if hash_key:
        env["IKU_HASH_KEY"] = hash_key
    (tmp_path / "dagster_home").mkdir()
    if hash_key:
        output = run_in_process(env, monkeypatch, capfd)
    else:
        run = cli_year("2024", env, text=False)
        assert run.returncode == 0, run.stderr.decode()[-3000:]
        output = run.stdout + run.stderr
        assert b"tidak antar-run" in output  # says hashes don't link runs

    secrets = [nik for nik, _ in pemohon + lain] + [n for _, n in pemohon + wajib_pajak + lain]
    needles = [s.encode() for s in secrets] + [s.encode("utf-16-le") for s in secrets]
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "raw" not in p.parts]
    assert any(p.suffix == ".xlsx" for p in written)
    assert any(p.name.startswith("warehouse.sqlite") for p in written)
    blobs = {str(p): p.read_bytes() for p in written}
    for p in written:  # a workbook is a zip: search its members, not the compressed bytes
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                blobs[str(p)] = b"".join(z.read(name) for name in z.namelist())
    blobs["run output"] = output
    leaks = [(where, n) for where, blob in blobs.items() for n in needles if n in blob]
    assert leaks == []
    # The masked forms are there, so the scan looked where the data went.
    assert any(pemohon[0][0][:6].encode() + b"******" in b for b in blobs.values())
