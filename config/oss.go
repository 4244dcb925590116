package config

import "strings"

// OSS configures the OSS-RBA adapter: POST /oss/receiveNIB in, and
// receiveLicenseStatus out. An empty UserKey leaves the adapter off.
type OSS struct {
	UserKey       string // JKNGATE_OSS_USER_KEY: the user_key OSS sends
	BasicAuth     string // JKNGATE_OSS_BASIC_AUTH: user:password OSS also sends; empty: not required
	StatusURL     string // JKNGATE_OSS_STATUS_URL: OSS's receiveLicenseStatus
	StatusUserKey string // JKNGATE_OSS_STATUS_USER_KEY: the user_key sent to OSS
	Instansi      string // JKNGATE_OSS_INSTANSI: the kd_instansi reported to OSS
}

// On reports whether the adapter is on.
func (o OSS) On() bool { return o.UserKey != "" }

// check reports the adapter's problems, one per variable.
func (o OSS) check(clients []WebhookClient) []keyValue {
	var out []keyValue
	if !o.On() {
		for _, kv := range []keyValue{{"oss_basic_auth", o.BasicAuth}, {"oss_status_url", o.StatusURL},
			{"oss_status_user_key", o.StatusUserKey}, {"oss_instansi", o.Instansi}} {
			if kv.v != "" {
				out = append(out, keyValue{kv.key, "is set but JKNGATE_OSS_USER_KEY is empty, so the OSS adapter is off"})
			}
		}
		return out
	}
	for _, w := range clients {
		if w.ID == "oss" {
			out = append(out, keyValue{"webhook_clients", "client id \"oss\" is the OSS adapter's (JKNGATE_OSS_USER_KEY is set); give the webhook client another id"})
		}
	}
	if o.BasicAuth != "" && !strings.Contains(o.BasicAuth, ":") {
		out = append(out, keyValue{"oss_basic_auth", "must be user:password"})
	}
	if o.StatusURL == "" {
		out = append(out, keyValue{"oss_status_url", "required with JKNGATE_OSS_USER_KEY"})
	} else if msg := checkURL(o.StatusURL, "http", "https"); msg != "" {
		out = append(out, keyValue{"oss_status_url", msg})
	}
	if o.StatusUserKey == "" {
		out = append(out, keyValue{"oss_status_user_key", "required with JKNGATE_OSS_USER_KEY"})
	}
	if o.Instansi == "" {
		out = append(out, keyValue{"oss_instansi", "required with JKNGATE_OSS_USER_KEY"})
	}
	return out
}
