package gate

import "slices"

// Role is what a person may do in jkngate.
type Role string

// The roles of the people's API (README, "The people's API").
const (
	RoleOfficer  Role = "officer"  // licensing officer (DPMPTSP): reads
	RoleReviewer Role = "reviewer" // BPJS staff: reads and reviews
	RoleAdmin    Role = "admin"    // sees every region, reads the audit trail
)

// Actor is an authenticated person: who (Subject), what they may do (Roles)
// and where (Regions, region codes; a province code covers its regencies).
type Actor struct {
	Subject string
	Roles   []Role
	Regions []string
}

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool { return slices.Contains(a.Roles, r) }

// HasAny reports whether the actor holds at least one of roles.
func (a Actor) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// Scope is the part of the data the actor may see: everything for admins,
// else the actor's regions.
func (a Actor) Scope() Scope {
	if a.Has(RoleAdmin) {
		return Scope{All: true}
	}
	return Scope{Regions: a.Regions}
}

// Scope limits which applications a query sees. The zero Scope sees
// nothing, so a forgotten scope leaks nothing.
type Scope struct {
	All     bool
	Regions []string // 2-digit province codes cover their 4-digit regencies
}

// Covers reports whether the scope includes applications of region.
func (s Scope) Covers(region string) bool {
	if s.All {
		return true
	}
	for _, r := range s.Regions {
		if RegionCovers(r, region) {
			return true
		}
	}
	return false
}

// Provinces and Exact split the scope's regions for a store query: a region
// r is in scope when r is in Exact, or r has 4 digits and its first two are
// in Provinces. (Provinces are also in Exact, for province-level
// applications.)
func (s Scope) Provinces() []string {
	var out []string
	for _, r := range s.Regions {
		if len(r) == 2 {
			out = append(out, r)
		}
	}
	return out
}

// Exact returns every region code of the scope.
func (s Scope) Exact() []string { return s.Regions }
