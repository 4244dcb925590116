package main

import (
	"crypto/rand"
	"fmt"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/api/console"
	"github.com/jkngate/jkngate/gate"
)

// consoleHandler builds the web console: with OpenID Connect when
// JKNGATE_OIDC_ISSUER is set, with the demo's users when c.demoUsers is
// (jkngate demo only); nil, and no console, otherwise.
func (c *components) consoleHandler() (api.ConsoleHandler, error) {
	if c.cfg.OIDC.Issuer == "" && len(c.demoUsers) == 0 {
		return nil, nil
	}
	key, err := c.cfg.SessionKeyBytes()
	if err != nil {
		return nil, fmt.Errorf("JKNGATE_SESSION_KEY: %w", err)
	}
	if key == nil && len(c.demoUsers) > 0 {
		// A key for this demo run only: its sessions end with it.
		key = make([]byte, console.MinSessionKey)
		rand.Read(key)
	}
	cc := console.Config{People: c.people, SessionKey: key, DemoUsers: c.demoUsers, Logger: c.logger}
	if o := c.cfg.OIDC; o.Issuer != "" && len(c.demoUsers) == 0 {
		cc.OIDC = &console.OIDC{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
			RedirectURL: o.RedirectURL, RolesClaim: o.RolesClaim, RegionsClaim: o.RegionsClaim}
	}
	con, err := console.New(cc)
	if err != nil {
		return nil, err
	}
	return con, nil
}

// demoConsoleUsers are the people the demo's sign-in page offers: an
// officer of Kota Medan, a North Sumatra province officer, a BPJS reviewer
// and an admin.
func demoConsoleUsers(reviewerRegions []string) []console.DemoUser {
	return []console.DemoUser{
		{Label: "Petugas DPMPTSP Kota Medan (officer, 1275)",
			Actor: gate.Actor{Subject: "officer-medan", Roles: []gate.Role{gate.RoleOfficer}, Regions: []string{"1275"}}},
		{Label: "Petugas DPMPTSP Provinsi Sumatera Utara (officer, 12)",
			Actor: gate.Actor{Subject: "officer-sumut", Roles: []gate.Role{gate.RoleOfficer}, Regions: []string{"12"}}},
		{Label: "Peninjau BPJS Kesehatan (reviewer)",
			Actor: gate.Actor{Subject: "reviewer-bpjs", Roles: []gate.Role{gate.RoleReviewer}, Regions: reviewerRegions}},
		{Label: "Admin jkngate (admin)",
			Actor: gate.Actor{Subject: "admin-demo", Roles: []gate.Role{gate.RoleAdmin}}},
	}
}
