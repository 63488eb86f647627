"""IKU pipeline: computes and publishes the key performance indicators (Indikator
Kinerja Utama) of Kecamatan Metro Utara, Kota Metro, from the extracts its sections
deliver."""
