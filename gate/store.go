package gate

import "context"

// Store persists decisions. Implementations translate their failures into
// gate error kinds: KindUnavailable when the store cannot be reached or the
// write could not be committed, KindNotFound for a missing row.
type Store interface {
	// RecordDecision durably records d as the answer to the webhook delivery
	// (d.ClientID, d.WebhookID).
	//
	// If that delivery was recorded before (also by a concurrent call), it
	// records nothing and returns the decision recorded then, with created
	// false. Otherwise, in one transaction, it sets d.Supersedes to the
	// current decision of the client's application (d.ClientID,
	// d.ApplicationID): the one no other decision supersedes, if any. An
	// application id is scoped to its client: a decision of another client
	// for the same application id is never superseded. It records d and
	// returns it with created true.
	// When it returns without error, the decision is committed. d.Review,
	// when set, is stored as the decision's review (gate opens one for deny
	// and review outcomes); a non-zero d.RecheckAt enqueues a Recheck in
	// the same transaction.
	RecordDecision(ctx context.Context, d Decision) (stored Decision, created bool, err error)

	// DecisionForWebhook returns the decision recorded as the answer to the
	// webhook delivery (clientID, webhookID), or a KindNotFound error.
	DecisionForWebhook(ctx context.Context, clientID, webhookID string) (Decision, error)

	// Decision returns the decision with the given id, or a KindNotFound
	// error.
	Decision(ctx context.Context, id string) (Decision, error)

	// Ping reports whether the store can be reached.
	Ping(ctx context.Context) error
}

// PeopleStore is everything the people's side (officers, reviewers, admins)
// needs from a store.
type PeopleStore interface {
	Store
	DecisionReader
	ReviewStore
	AuditLog
	DeliveryStore
}
