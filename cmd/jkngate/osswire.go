package main

import (
	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/callback"
	"github.com/jkngate/jkngate/integrations/oss"
	"github.com/jkngate/jkngate/integrations/postgres"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

// ossStore is what the OSS adapter needs from the store; both stores have
// it.
type ossStore interface {
	api.OSSStore
	oss.RefStore
}

var (
	_ ossStore = (*sqlite.Store)(nil)
	_ ossStore = (*postgres.Store)(nil)
)

// ossConfig turns POST /oss/receiveNIB on when JKNGATE_OSS_USER_KEY is set.
func (c *components) ossConfig() *api.OSSConfig {
	st, ok := c.store.(ossStore)
	if !c.cfg.OSS.On() || !ok {
		return nil
	}
	return &api.OSSConfig{UserKey: c.cfg.OSS.UserKey, BasicAuth: c.cfg.OSS.BasicAuth,
		StatusURL: c.cfg.OSS.StatusURL, Store: st}
}

// ossSenders deliver OSS's receiveLicenseStatus messages from the outbox.
// Without the adapter they are still known, so that messages left in the
// outbox by an earlier configuration fail visibly instead of being sent as
// decision.updated.
func (c *components) ossSenders() map[string]callback.Sender {
	st, _ := c.store.(ossStore)
	s := &oss.Sender{URL: c.cfg.OSS.StatusURL, UserKey: c.cfg.OSS.StatusUserKey,
		Instansi: c.cfg.OSS.Instansi, Refs: st}
	return map[string]callback.Sender{gate.CallbackKindOSSStatus: s, gate.CallbackKindOSSConfirmation: s}
}
