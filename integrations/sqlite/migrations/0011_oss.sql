-- OSS-RBA's receiveNIB messages, kept so that operators can see what OSS
-- sent: the body is stored without the personal data of persons in charge,
-- shareholders and OSS's user (penanggung_jwb, pemegang_saham, *_user_proses).
CREATE TABLE oss_messages (
    id           TEXT    NOT NULL PRIMARY KEY,
    nib          TEXT    NOT NULL,
    tipe_dokumen TEXT    NOT NULL,
    items        INTEGER NOT NULL,
    received_at  TEXT    NOT NULL,
    body         TEXT    NOT NULL
) STRICT;

CREATE INDEX oss_messages_nib ON oss_messages (nib, received_at);

-- The OSS ids each permit (id_izin, the application id of client "oss") is
-- reported under in receiveLicenseStatus, as OSS last sent them.
CREATE TABLE oss_permits (
    id_izin      TEXT NOT NULL PRIMARY KEY,
    nib          TEXT NOT NULL,
    oss_id       TEXT NOT NULL,
    id_proyek    TEXT NOT NULL,
    id_produk    TEXT NOT NULL,
    kd_izin      TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    withdrawn_at TEXT
) STRICT;
