package httpx

import "testing"

func TestCheckURLs(t *testing.T) {
	for _, c := range []struct {
		pairs []string
		want  string
	}{
		{[]string{"accounts_url", "", "api_domain", "https://www.zohoapis.eu"}, ""},
		{[]string{"accounts_url", "http://127.0.0.1:8080"}, ""},
		{[]string{"accounts_url", "https://accounts.zoho.com", "api_domain", "www.zohoapis.com"}, `api_domain: "www.zohoapis.com" is not an http(s) URL`},
		{[]string{"desk_url", "ftp://desk.zoho.com"}, `desk_url: "ftp://desk.zoho.com" is not an http(s) URL`},
		{[]string{"campaigns_url", "https://"}, `campaigns_url: "https://" is not an http(s) URL`},
	} {
		err := CheckURLs(c.pairs...)
		if got := ""; err != nil {
			got = err.Error()
			if got != c.want {
				t.Errorf("%v: %q, want %q", c.pairs, got, c.want)
			}
		} else if c.want != "" {
			t.Errorf("%v: nil, want %q", c.pairs, c.want)
		}
	}
}
