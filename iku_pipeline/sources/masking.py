"""Personal data (DATA_CONTRACT §6): masked and hashed as the extracts are read.

Only the raw files hold a NIK or a name in clear. The reader replaces every personal
column before the frame leaves it:

- the column itself keeps a *mask* a clerk can still recognise
  (``187203******0001``; a name ``B*** S******``): deterministic, so reruns publish the
  same rejected rows;
- ``<column>_hash`` keeps a keyed hash (HMAC-SHA256 with ``IKU_HASH_KEY``) for linking
  a person's rows. Without a key, a random key is drawn for the process: rows stay
  linkable within a run, never across runs, and the run's log says so.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets

import pandas as pd

from iku_pipeline.sources.specs import Kind

log = logging.getLogger(__name__)

HASH_KEY_ENV = "IKU_HASH_KEY"
_EPHEMERAL_KEY = secrets.token_bytes(32)


def hash_key() -> tuple[bytes, bool]:
    """The key for hashing personal data, and whether it is stable across runs."""
    key = os.environ.get(HASH_KEY_ENV, "")
    if key:
        return key.encode("utf-8"), True
    return _EPHEMERAL_KEY, False


def mask_nik(value: str) -> str:
    """Keep the region code (first 6) and the last 4 characters: ``187203******0001``."""
    v = "".join(value.split())
    if len(v) < 12:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_nama(value: str) -> str:
    """Keep each word's initial: ``Budi Santoso`` -> ``B*** S******``."""
    return " ".join(w[0] + "*" * (len(w) - 1) for w in value.split())


_MASKS = {Kind.NIK: mask_nik, Kind.NAMA: mask_nama}


def _hash(value: str, key: bytes) -> str:
    normal = " ".join(value.split()).casefold()
    return hmac.new(key, normal.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def mask_column(cells: pd.Series, kind: Kind, key: bytes) -> tuple[pd.Series, pd.Series]:
    """(masked cells, keyed hashes) of a personal column; empty cells stay empty."""
    from iku_pipeline.sources.parsers import as_text

    text = as_text(cells)
    present = text.dropna()
    masked = pd.Series(pd.NA, index=cells.index, dtype="string")
    hashed = pd.Series(pd.NA, index=cells.index, dtype="string")
    if len(present):
        uniques = pd.unique(present.to_numpy())
        mask_of = {u: _MASKS[kind](u) for u in uniques}
        hash_of = {u: _hash(u, key) for u in uniques}
        masked[present.index] = present.map(mask_of)
        hashed[present.index] = present.map(hash_of)
    return masked, hashed
