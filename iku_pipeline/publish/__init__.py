"""What the pipeline publishes: the warehouse tables and the files a person opens.

A module per document, named with the office's words that are on the files and in
docs/data-contract.md (``matriks``, ``tahun``, ``periode``, ``baris_ditolak``), so a file leads
to its module; the machinery they share has plain English names, like the code:

- ``warehouse``: the published tables; ``matrix``: the matrix rows built from them
  (targets, capaian, predikat, notes).
- ``exports``: every file of a run, written from the warehouse (the entry point).
- ``matriks_tahun``: ``matriks_iku_<tahun>.xlsx``, the signed matrix of one year.
- ``matriks_periode``: ``matriks_iku_2021-2025.xlsx``, the years side by side, per
  kelurahan, and the trend charts drawn by ``charts``.
- ``baris_ditolak``: ``baris_ditolak_<tahun>.xlsx``, the rejected rows for the sections.
- ``matriks_csv``: the matrix of a year and of the period as CSV.
- ``lkjip``: the LKjIP comparisons of ``matriks_iku`` (previous year, end of the period)
  and the analyst's notes; ``matriks_lkjip``: their sheet in the period's workbook.
- ``pengukuran``: ``pengukuran_kinerja_<tahun>.xlsx``, the quarterly measurement with
  native charts; ``pengukuran_baris``: its rows, notes and CSV.
- ``penandatangan``: who signs a document on its date, and the date line.
- ``rows``: the matrix rows as every document shows them (headings, the IKU 4
  supplementary row, the figures and the notes).
- ``templat``, ``templat_teks``: ``templat/<sumber>.xlsx``, the input template of each
  source for the sections that keep registers in Excel (generated from the specs).
- ``layout``: cell formats, widths and heights, the heading and signature blocks, the
  page setup, and writing a file whole.
"""
