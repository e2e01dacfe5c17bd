package httpx

import (
	"fmt"
	"net/url"
)

// CheckURLs checks URL settings given as key, value pairs (a source's
// accounts_url, api_domain, …): each one set must be an absolute http(s)
// URL. The first that is not is reported as "key: reason".
func CheckURLs(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		key, val := pairs[i], pairs[i+1]
		if val == "" {
			continue
		}
		if p, err := url.Parse(val); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return fmt.Errorf("%s: %q is not an http(s) URL", key, val)
		}
	}
	return nil
}
