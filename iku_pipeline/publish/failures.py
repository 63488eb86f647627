"""What the office reads when the world around the pipeline fails (docs/data-contract.md
§5.6, §5.7, §7): the warehouse unreachable or gone mid-publication, an output folder
that cannot be written. Messages in Indonesian, naming the database (host, port,
database: never the user's password) or the folder, without a stack trace.
"""

from __future__ import annotations

import errno

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def database_label(url: str | sa.URL) -> str:
    """``PostgreSQL 127.0.0.1:5432/iku`` or ``SQLite /path/iku.sqlite``: where the
    warehouse is, with no user name or password."""
    parsed = make_url(url) if isinstance(url, str) else url
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return f"SQLite {parsed.database or ':memory:'}"
    name = {"postgresql": "PostgreSQL", "mysql": "MySQL"}.get(backend, backend)
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{name} {host}{port}/{parsed.database or ''}"


def is_connection_error(error: BaseException) -> bool:
    """Whether ``error`` is the database being unreachable or the connection dropping
    (worth a retry), not a fault of the statement or the data."""
    if isinstance(error, sa.exc.DBAPIError):
        if error.connection_invalidated:
            return True
        return isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError))
    return isinstance(error, (ConnectionError, TimeoutError))


def _cause(error: BaseException, url: str | sa.URL) -> str:
    """The driver's own first line, without the SQL and its parameters (which
    SQLAlchemy appends) and without the password, should a driver quote it."""
    inner = getattr(error, "orig", None) or error
    text = " ".join(str(inner).strip().splitlines()[:1]) or type(inner).__name__
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.password:
        text = text.replace(str(parsed.password), "***")
    return text[:300]


def database_message(
    error: BaseException, url: str | sa.URL, action: str, attempt: int | None = None,
    attempts: int | None = None,
) -> str:
    """Why publishing stopped, for the office: the database named, what happened to
    the year's publication (nothing: the transaction was rolled back), what to do."""
    tried = f" (percobaan {attempt} dari {attempts})" if attempt and attempts else ""
    return (
        f"Gudang data {database_label(url)} tidak dapat dihubungi atau koneksinya terputus "
        f"saat {action}{tried}. Transaksi dibatalkan: publikasi sebelumnya tetap utuh, "
        "tidak ada data setengah tertulis. Pastikan server basis data berjalan dan dapat "
        f"dijangkau, lalu jalankan ulang. Rincian: {_cause(error, url)}"
    )


_ERRNO_WORDS = {
    errno.ENOSPC: "disk penuh (tidak ada ruang tersisa)",
    errno.EDQUOT: "kuota disk habis",
    errno.EROFS: "folder hanya dapat dibaca (read-only)",
    errno.EACCES: "tidak ada izin menulis",
    errno.EPERM: "tidak ada izin menulis",
}


def folder_message(error: OSError, folder: object) -> str:
    """Why the office's files could not be written into ``folder``."""
    why = _ERRNO_WORDS.get(error.errno or 0) or (error.strerror or type(error).__name__)
    return (
        f"Berkas untuk kantor tidak dapat ditulis ke folder {folder}: {why}. Berkas lama "
        "di folder itu tetap seperti sebelumnya dan berkas sementara sudah dihapus; tabel "
        "di gudang data sudah diperbarui. Kosongkan ruang disk atau perbaiki izin folder "
        "(IKU_OUTPUT_DIR), lalu jalankan ulang."
    )
