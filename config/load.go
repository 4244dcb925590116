package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// show says how a setting appears in the start-up log line.
type show int

const (
	showPlain   show = iota
	showSecret       // "****" when set
	showURL          // a URL with its password masked
	showClients      // client ids with masked secrets
)

// setting is one configuration variable: its YAML key (the environment name
// is Prefix + upper case key), whether it accepts <NAME>_FILE, how it is
// shown, and a pointer to its field.
type setting struct {
	key   string
	file  bool
	show  show
	field func(*Config) any
}

// envName is the setting's environment variable.
func (s setting) envName() string { return Prefix + strings.ToUpper(s.key) }

// settings lists every variable, in the order of README, "Configuration" and
// then the operational ones; the log line keeps this order.
var settings = []setting{
	{"addr", false, showPlain, func(c *Config) any { return &c.Addr }},
	{"database_url", true, showURL, func(c *Config) any { return &c.DatabaseURL }},
	{"redis_url", true, showURL, func(c *Config) any { return &c.RedisURL }},
	{"cache_key", true, showSecret, func(c *Config) any { return &c.CacheKey }},
	{"cache_previous_keys", true, showSecret, func(c *Config) any { return &c.CachePreviousKeys }},
	{"bpjs_url", false, showURL, func(c *Config) any { return &c.BPJSURL }},
	{"bpjs_employer_url", false, showURL, func(c *Config) any { return &c.BPJSEmployerURL }},
	{"bpjs_cons_id", true, showPlain, func(c *Config) any { return &c.BPJSConsID }},
	{"bpjs_secret", true, showSecret, func(c *Config) any { return &c.BPJSSecret }},
	{"bpjs_user_key", true, showSecret, func(c *Config) any { return &c.BPJSUserKey }},
	{"webhook_clients", true, showClients, func(c *Config) any { return &c.WebhookClients }},
	{"jwt_public_keys_file", false, showPlain, func(c *Config) any { return &c.JWTPublicKeysFile }},
	{"jwt_jwks_url", false, showURL, func(c *Config) any { return &c.JWTJWKSURL }},
	{"jwt_hs256_secret", true, showSecret, func(c *Config) any { return &c.JWTHS256Secret }},
	{"jwt_issuer", false, showPlain, func(c *Config) any { return &c.JWTIssuer }},
	{"jwt_audience", false, showPlain, func(c *Config) any { return &c.JWTAudience }},
	{"policy_file", false, showPlain, func(c *Config) any { return &c.PolicyFile }},
	{"callback_allow_private", false, showPlain, func(c *Config) any { return &c.CallbackAllowPrivate }},
	{"oidc_issuer", false, showURL, func(c *Config) any { return &c.OIDC.Issuer }},
	{"oidc_client_id", false, showPlain, func(c *Config) any { return &c.OIDC.ClientID }},
	{"oidc_client_secret", true, showSecret, func(c *Config) any { return &c.OIDC.ClientSecret }},
	{"oidc_redirect_url", false, showURL, func(c *Config) any { return &c.OIDC.RedirectURL }},
	{"oidc_roles_claim", false, showPlain, func(c *Config) any { return &c.OIDC.RolesClaim }},
	{"oidc_regions_claim", false, showPlain, func(c *Config) any { return &c.OIDC.RegionsClaim }},
	{"session_key", true, showSecret, func(c *Config) any { return &c.SessionKey }},
	{"oss_user_key", true, showSecret, func(c *Config) any { return &c.OSS.UserKey }},
	{"oss_basic_auth", true, showSecret, func(c *Config) any { return &c.OSS.BasicAuth }},
	{"oss_status_url", false, showURL, func(c *Config) any { return &c.OSS.StatusURL }},
	{"oss_status_user_key", true, showSecret, func(c *Config) any { return &c.OSS.StatusUserKey }},
	{"oss_instansi", false, showPlain, func(c *Config) any { return &c.OSS.Instansi }},
	{"bpjs_timeout", false, showPlain, func(c *Config) any { return &c.BPJSTimeout }},
	{"cache_size", false, showPlain, func(c *Config) any { return &c.CacheSize }},
	{"cache_fresh", false, showPlain, func(c *Config) any { return &c.CacheFresh }},
	{"cache_negative", false, showPlain, func(c *Config) any { return &c.CacheNegative }},
	{"bpjs_rate", false, showPlain, func(c *Config) any { return &c.BPJSRate }},
	{"bpjs_max_in_flight", false, showPlain, func(c *Config) any { return &c.BPJSMaxInFlight }},
	{"webhook_budget", false, showPlain, func(c *Config) any { return &c.WebhookBudget }},
	{"shutdown_timeout", false, showPlain, func(c *Config) any { return &c.ShutdownTimeout }},
	{"read_timeout", false, showPlain, func(c *Config) any { return &c.ReadTimeout }},
	{"write_timeout", false, showPlain, func(c *Config) any { return &c.WriteTimeout }},
	{"idle_timeout", false, showPlain, func(c *Config) any { return &c.IdleTimeout }},
	{"retention", false, showPlain, func(c *Config) any { return &c.Retention }},
	{"redis_prefix", false, showPlain, func(c *Config) any { return &c.RedisPrefix }},
	{"callback_timeout", false, showPlain, func(c *Config) any { return &c.CallbackTimeout }},
	{"log_level", false, showPlain, func(c *Config) any { return &c.LogLevel }},
	{"log_format", false, showPlain, func(c *Config) any { return &c.LogFormat }},
	{"whatif_per_minute", false, showPlain, func(c *Config) any { return &c.WhatIfPerMinute }},
	{"whatif_burst", false, showPlain, func(c *Config) any { return &c.WhatIfBurst }},
	{"whatif_niks_per_minute", false, showPlain, func(c *Config) any { return &c.WhatIfNIKsPerMinute }},
	{"tracing", false, showPlain, func(c *Config) any { return &c.Tracing }},
}

// Load builds the configuration: Default, then the YAML file named by
// JKNGATE_CONFIG (keys in lower case without the prefix), then the
// environment, which wins. getenv is os.Getenv in production; an empty value
// counts as unset. Every secret also accepts <NAME>_FILE (in YAML,
// <key>_file): the file's content with trailing newlines trimmed; setting
// both is an error. Load reports every problem it finds, one line each
// naming the variable or the file and key; it never echoes a secret. Load
// does not check combinations or ranges: call Validate.
func Load(getenv func(string) string) (Config, error) {
	c := Default()
	var errs []error
	if path := getenv(FileVar); path != "" {
		c.File = path
		errs = append(errs, loadFile(&c, path)...)
	}
	for _, s := range settings {
		name := s.envName()
		v, vf := getenv(name), ""
		if s.file {
			vf = getenv(name + "_FILE")
		}
		switch {
		case v != "" && vf != "":
			errs = append(errs, fmt.Errorf("%s and %s_FILE are both set; use one", name, name))
			continue
		case vf != "":
			content, err := readSecretFile(vf)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
				continue
			}
			v = content
		case v == "":
			continue
		}
		if err := set(s.field(&c), v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return c, errors.Join(errs...)
}

// loadFile applies the YAML file at path to c.
func loadFile(c *Config, path string) []error {
	data, err := os.ReadFile(path)
	if err != nil {
		return []error{fmt.Errorf("%s: %w", FileVar, err)}
	}
	doc, err := decodeMapping(data)
	if err != nil {
		return []error{fmt.Errorf("%s: %w", path, err)}
	}
	byKey := make(map[string]setting, 2*len(settings))
	for _, s := range settings {
		byKey[s.key] = s
		if s.file {
			byKey[s.key+"_file"] = s
		}
	}
	var errs []error
	for _, key := range sortedKeys(doc) {
		if _, ok := byKey[key]; !ok {
			errs = append(errs, fmt.Errorf("%s: unknown key %q; did you mean %s?", path, key,
				strings.ToLower(strings.TrimPrefix(closest(Prefix+strings.ToUpper(key), KnownVariables()), Prefix))))
		}
	}
	for _, s := range settings {
		node, hasValue := doc[s.key]
		fileNode, hasFile := doc[s.key+"_file"]
		key := s.key
		var v string
		switch {
		case hasValue && hasFile:
			errs = append(errs, fmt.Errorf("%s: %s and %s_file are both set; use one", path, s.key, s.key))
			continue
		case hasFile:
			key = s.key + "_file"
			name, err := scalar(&fileNode)
			if err == nil {
				v, err = readSecretFile(name)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", path, key, err))
				continue
			}
		case hasValue:
			var err error
			if s.show == showClients && node.Kind == yaml.SequenceNode {
				v, err = joinSequence(&node)
			} else {
				v, err = scalar(&node)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", path, key, err))
				continue
			}
		default:
			continue
		}
		if err := set(s.field(c), v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", path, key, err))
		}
	}
	return errs
}

// scalar returns a YAML scalar's text; null is the empty string.
func scalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errors.New("must be a single value")
	}
	if n.Tag == "!!null" {
		return "", nil
	}
	return n.Value, nil
}

// joinSequence turns a YAML list of "id:whsec_..." strings into the same
// comma-separated form the environment uses.
func joinSequence(n *yaml.Node) (string, error) {
	parts := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode {
			return "", errors.New("must be a string or a list of strings")
		}
		parts = append(parts, item.Value)
	}
	return strings.Join(parts, ","), nil
}

// readSecretFile reads a <NAME>_FILE file, trimming trailing newlines.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// set parses v into the field p points at. Its errors never contain v for
// string fields, which may be secrets.
func set(p any, v string) error {
	switch p := p.(type) {
	case *string:
		*p = v
	case *bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false, not %q", v)
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("must be an integer, not %q", v)
		}
		*p = n
	case *float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return fmt.Errorf("must be a number, not %q", v)
		}
		*p = f
	case *time.Duration:
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("must be a duration like 2s, 15m or 6h, not %q", v)
		}
		*p = d
	case *[]WebhookClient:
		clients, err := parseWebhookClients(v)
		if err != nil {
			return err
		}
		*p = clients
	default:
		panic(fmt.Sprintf("config: no parser for %T", p))
	}
	return nil
}

// parseWebhookClients parses comma-separated "client_id:whsec_..." entries,
// grouping repeated ids into one client in first-seen order. Blank entries
// (a trailing comma) are skipped. Errors name the entry by position only,
// because an entry may be a secret.
func parseWebhookClients(v string) ([]WebhookClient, error) {
	var clients []WebhookClient
	index := map[string]int{}
	for i, entry := range strings.Split(v, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		id, secret, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("entry %d is not client_id:whsec_...", i+1)
		}
		id, secret = strings.TrimSpace(id), strings.TrimSpace(secret)
		if j, seen := index[id]; seen {
			clients[j].Secrets = append(clients[j].Secrets, secret)
			continue
		}
		index[id] = len(clients)
		clients = append(clients, WebhookClient{ID: id, Secrets: []string{secret}})
	}
	return clients, nil
}
