package bpjs

import "testing"

func TestDecodeParticipantEmployer(t *testing.T) {
	const nik = "3201014101900001"
	with := `{"peserta":{"nik":"` + nik + `","statusPeserta":{"kode":"0","keterangan":"AKTIF"},` +
		`"jenisPeserta":{"kode":"13","keterangan":"PEGAWAI SWASTA"},"badanUsaha":{"kode":"01020304","nama":"PT X"}}}`
	p, err := decodeParticipant([]byte(with), nik)
	if err != nil || p.EmployerCode != "01020304" || p.SegmentText != "PEGAWAI SWASTA" {
		t.Fatalf("with badanUsaha: %+v, %v", p, err)
	}
	without := `{"peserta":{"nik":"` + nik + `","statusPeserta":{"kode":"15","keterangan":"NON AKTIF DIAKHIR BULAN"},` +
		`"jenisPeserta":{"kode":"13","keterangan":"PEGAWAI SWASTA"}}}`
	p, err = decodeParticipant([]byte(without), nik)
	if err != nil || p.EmployerCode != "" || p.StatusText != "NON AKTIF DIAKHIR BULAN" {
		t.Fatalf("without badanUsaha: %+v, %v", p, err)
	}
}
