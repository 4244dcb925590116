-- BPJS data files imported under a data-sharing agreement: the history of
-- imports, and the latest imported row per NIB and per NIK (an import
-- replaces a row only with a newer tgl_data). tgl_data is YYYY-MM-DD text,
-- which sorts as dates do. imported_participants holds NIKs: personal data,
-- kept as BPJS handed it over so that lookups by NIK work.
CREATE TABLE imports (
    id             TEXT    NOT NULL PRIMARY KEY,
    kind           TEXT    NOT NULL,
    file_name      TEXT    NOT NULL,
    sha256         TEXT    NOT NULL,
    imported_by    TEXT    NOT NULL,
    imported_at    TEXT    NOT NULL,
    rows_read      INTEGER NOT NULL,
    rows_applied   INTEGER NOT NULL,
    rows_unchanged INTEGER NOT NULL,
    rows_older     INTEGER NOT NULL,
    rechecks       INTEGER NOT NULL
) STRICT;

CREATE TABLE imported_employers (
    nib               TEXT    NOT NULL PRIMARY KEY,
    kode_badan_usaha  TEXT    NOT NULL,
    nama              TEXT    NOT NULL,
    npwp              TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    pekerja_terdaftar INTEGER NOT NULL,
    pekerja_aktif     INTEGER NOT NULL,
    tunggakan_bulan   INTEGER NOT NULL,
    tunggakan_nominal INTEGER NOT NULL,
    iuran_terakhir    TEXT    NOT NULL,
    tgl_data          TEXT    NOT NULL,
    import_id         TEXT    NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE imported_participants (
    nik              TEXT NOT NULL PRIMARY KEY,
    status           TEXT NOT NULL,
    jenis_peserta    TEXT NOT NULL,
    kode_badan_usaha TEXT NOT NULL,
    tgl_data         TEXT NOT NULL,
    import_id        TEXT NOT NULL
) STRICT, WITHOUT ROWID;
