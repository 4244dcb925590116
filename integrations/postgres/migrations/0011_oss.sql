-- OSS-RBA's receiveNIB messages, kept so that operators can see what OSS
-- sent: the body is stored without the personal data of persons in charge,
-- shareholders and OSS's user (penanggung_jwb, pemegang_saham, *_user_proses).
CREATE TABLE oss_messages (
    id           text        NOT NULL PRIMARY KEY,
    nib          text        NOT NULL,
    tipe_dokumen text        NOT NULL,
    items        integer     NOT NULL,
    received_at  timestamptz NOT NULL,
    body         jsonb       NOT NULL
);

CREATE INDEX oss_messages_nib ON oss_messages (nib, received_at);

-- The OSS ids each permit (id_izin, the application id of client "oss") is
-- reported under in receiveLicenseStatus, as OSS last sent them.
CREATE TABLE oss_permits (
    id_izin      text NOT NULL PRIMARY KEY,
    nib          text NOT NULL,
    oss_id       text NOT NULL,
    id_proyek    text NOT NULL,
    id_produk    text NOT NULL,
    kd_izin      text NOT NULL,
    updated_at   timestamptz NOT NULL,
    withdrawn_at timestamptz
);
