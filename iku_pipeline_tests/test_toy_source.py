"""A new source needs only its spec and its schema: declared outside the package, it is
read, validated, staged, checked and reported by the whole job, with nothing else
edited."""

import json
import subprocess
import sys


def test_a_source_declared_by_spec_and_schema_alone_runs_end_to_end(data_dir, tmp_path):
    folder = data_dir / "raw" / "kerja_bakti" / "2023"
    folder.mkdir(parents=True)
    (folder / "kerja_bakti.csv").write_text(
        "Daftar kerja bakti 2023\n"
        "No;Tanggal;Kelurahan;Peserta\n"
        "KB-1;05/02/2023;Banjarsari;25\n"
        "KB-2;31/02/2023;Purwosari;10\n"  # impossible date
        "KB-3;12/03/2023;Kel. Karangrejo;0\n"  # fewer than one participant
        "KB-1;19/03/2023;Purwoasri;8\n",  # duplicate key
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "iku_pipeline_tests.toy_source_child", str(data_dir), str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["success"]
    assert out["stored"] == [
        "sumber/kerja_bakti/diterima/2023.arrow",
        "sumber/kerja_bakti/ditolak/2023.arrow",
        "sumber/kerja_bakti/laporan/2023.json",
    ]
    rejected = {(r["baris"], r["kolom"]): r["alasan"] for r in out["baris_ditolak"]}
    assert set(rejected) == {(4, "tanggal"), (5, "peserta"), (6, "")}
    assert "31/02/2023" in rejected[(4, "tanggal")]
    assert "duplikat" in rejected[(6, "")] and "baris 3" in rejected[(6, "")]
    (log,) = out["riwayat_publikasi"]
    assert (log["berkas"], log["dibaca"], log["diterima"], log["ditolak"]) == (
        "kerja_bakti.csv", 4, 1, 3,
    )  # fmt: skip
    checks = {name: passed for _, name, passed in out["checks"]}
    assert checks == {"baris_seimbang": True, "berkas_wajar": False}
