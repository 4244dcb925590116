// Package gate is jkngate's domain: applications for permits, what BPJS
// Kesehatan knows about an employer and its workers, the policy a region
// applies, and the decision (allow, deny or review) with its reasons.
//
// gate imports the standard library only. What it needs from the outside
// world it declares as small interfaces (Registry, Store); adapters in
// integrations/ implement them.
//
// Indonesian terms used here: NIB (Nomor Induk Berusaha, the 13-digit business
// number), NIK (Nomor Induk Kependudukan, the 16-digit resident number), NPWP
// (tax number), KBLI (business classification), PPU (Pekerja Penerima Upah,
// wage earners registered by their employer), DPMPTSP (the regional one-stop
// licensing office).
package gate
