package cache

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/jkngate/jkngate/gate"
)

// KeySize is the length in bytes of a shared-tier key (JKNGATE_CACHE_KEY).
const KeySize = 32

// Keys protects what the shared tier holds from anyone who can read it
// (a Redis operator, a backup, a MONITOR session): entry names carry a keyed
// hash (HMAC-SHA256, truncated to 128 bits) of the NIK or NIB instead of the
// identifier itself, and values are sealed with AES-256-GCM, bound to their
// name so that a value copied under another name does not open.
//
// One key is current: it names and seals every write. Previous keys are
// only read, so that a key can be rotated without emptying the cache: put
// the new key first and the old one among the previous keys until entries
// sealed with it have expired (the policy's max_data_age).
//
// Two subkeys are derived from each key with HKDF-SHA256 and distinct
// labels, so the hashing key and the sealing key are never the same bytes.
type Keys struct {
	sets []keySet // current first
}

type keySet struct {
	id   [4]byte // names the key in sealed values, so reads need not guess
	name []byte  // HMAC key for entry names
	aead cipher.AEAD
}

// NewKeys returns Keys with current for writes and reads and previous for
// reads only. It returns a KindInvalid error ("invalid_cache_key") when a key
// is not KeySize bytes long.
func NewKeys(current []byte, previous ...[]byte) (*Keys, error) {
	k := &Keys{}
	for i, raw := range append([][]byte{current}, previous...) {
		if len(raw) != KeySize {
			which := "the current key"
			if i > 0 {
				which = "a previous key"
			}
			return nil, gate.Errorf(gate.KindInvalid, codeInvalidKey,
				"%s has %d bytes; a cache key has %d", which, len(raw), KeySize)
		}
		s, err := deriveKeySet(raw)
		if err != nil {
			return nil, err
		}
		if i > 0 && s.id == k.sets[0].id {
			continue // the current key listed again as previous
		}
		k.sets = append(k.sets, s)
	}
	return k, nil
}

func deriveKeySet(raw []byte) (keySet, error) {
	var s keySet
	derive := func(label string) []byte {
		b, err := hkdf.Key(sha256.New, raw, nil, "jkngate cache "+label, KeySize)
		if err != nil {
			panic(err) // only for lengths beyond 255 hash blocks
		}
		return b
	}
	copy(s.id[:], derive("key id"))
	s.name = derive("entry names")
	block, err := aes.NewCipher(derive("entry values"))
	if err != nil {
		return s, gate.Errorf(gate.KindInternal, codeInvalidKey, "AES: %w", err)
	}
	if s.aead, err = cipher.NewGCM(block); err != nil {
		return s, gate.Errorf(gate.KindInternal, codeInvalidKey, "GCM: %w", err)
	}
	return s, nil
}

// Name returns the shared-tier name of the entry of kind ("employer" or
// "participant") for id (a NIB or a NIK) under the current key, as in
// "participant:3f1c...". Operators and tests can use it to find an entry;
// the identifier cannot be read back from it without the key.
func (k *Keys) Name(kind, id string) string { return k.sets[0].entryName(kind, id) }

// names returns the entry's name under every key, the current one first.
func (k *Keys) names(kind, id string) []string {
	names := make([]string, len(k.sets))
	for i, s := range k.sets {
		names[i] = s.entryName(kind, id)
	}
	return names
}

func (s keySet) entryName(kind, id string) string {
	m := hmac.New(sha256.New, s.name)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return kind + ":" + hex.EncodeToString(m.Sum(nil)[:16])
}

// Sealed values are formatV2, the key id, a random nonce, then the
// ciphertext with its tag. The version byte and key id are authenticated
// along with the entry's name.
const (
	sealHeader   = 1 + 4
	sealOverhead = sealHeader + 12 + 16
)

// errUnknownKey reports a value sealed with a key this replica does not
// hold: a replica with a newer key wrote it. It is a miss, not a fault.
var errUnknownKey = errors.New("cache: shared-tier value sealed with an unknown key")

// seal encrypts plain for the entry called name with the current key.
func (k *Keys) seal(name string, plain []byte) []byte {
	s := k.sets[0]
	out := make([]byte, sealHeader+s.aead.NonceSize(), sealOverhead+len(plain))
	out[0] = formatV2
	copy(out[1:sealHeader], s.id[:])
	nonce := out[sealHeader:]
	_, _ = rand.Read(nonce) // never fails (crypto/rand panics instead)
	return s.aead.Seal(out, nonce, plain, additionalData(out[:sealHeader], name))
}

// open decrypts the value stored under name. It returns errUnknownVersion
// for a value of another format (older values were plain text),
// errUnknownKey for a key it does not hold, and errCorrupt for a value that
// does not authenticate (tampered with, truncated, or moved to another
// name).
func (k *Keys) open(name string, val []byte) ([]byte, error) {
	if len(val) == 0 || val[0] != formatV2 {
		return nil, errUnknownVersion
	}
	if len(val) < sealOverhead {
		return nil, errCorrupt
	}
	for _, s := range k.sets {
		if !hmac.Equal(val[1:sealHeader], s.id[:]) {
			continue
		}
		nonce := val[sealHeader : sealHeader+s.aead.NonceSize()]
		plain, err := s.aead.Open(nil, nonce, val[sealHeader+s.aead.NonceSize():], additionalData(val[:sealHeader], name))
		if err != nil {
			return nil, errCorrupt
		}
		return plain, nil
	}
	return nil, errUnknownKey
}

func additionalData(header []byte, name string) []byte {
	return append(append(make([]byte, 0, len(header)+len(name)), header...), name...)
}
