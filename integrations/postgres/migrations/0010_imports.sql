-- BPJS data files imported under a data-sharing agreement: the history of
-- imports, and the latest imported row per NIB and per NIK (an import
-- replaces a row only with a newer tgl_data). imported_participants holds
-- NIKs: personal data, kept as BPJS handed it over so that lookups by NIK
-- work. Import ids are ULIDs in the "C" collation, so that id order is time
-- order.
CREATE TABLE imports (
    id             text        COLLATE "C" NOT NULL PRIMARY KEY,
    kind           text        NOT NULL,
    file_name      text        NOT NULL,
    sha256         text        NOT NULL,
    imported_by    text        NOT NULL,
    imported_at    timestamptz NOT NULL,
    rows_read      integer     NOT NULL,
    rows_applied   integer     NOT NULL,
    rows_unchanged integer     NOT NULL,
    rows_older     integer     NOT NULL,
    rechecks       integer     NOT NULL
);

CREATE TABLE imported_employers (
    nib               text    NOT NULL PRIMARY KEY,
    kode_badan_usaha  text    NOT NULL,
    nama              text    NOT NULL,
    npwp              text    NOT NULL,
    status            text    NOT NULL,
    pekerja_terdaftar integer NOT NULL,
    pekerja_aktif     integer NOT NULL,
    tunggakan_bulan   integer NOT NULL,
    tunggakan_nominal bigint  NOT NULL,
    iuran_terakhir    text    NOT NULL,
    tgl_data          date    NOT NULL,
    import_id         text    COLLATE "C" NOT NULL
);

CREATE TABLE imported_participants (
    nik              text NOT NULL PRIMARY KEY,
    status           text NOT NULL,
    jenis_peserta    text NOT NULL,
    kode_badan_usaha text NOT NULL,
    tgl_data         date NOT NULL,
    import_id        text COLLATE "C" NOT NULL
);

CREATE INDEX imported_employers_import ON imported_employers (import_id);
CREATE INDEX imported_participants_import ON imported_participants (import_id);
