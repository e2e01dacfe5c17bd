package zoho

import (
	"fmt"
	"strings"
)

// DataCenter is one Zoho data center: where its accounts (OAuth) server,
// CRM API domain and Desk live (reference sheet §1.1).
type DataCenter struct {
	// Code is the short name: US, EU, IN, AU, JP, CA, CN or SA.
	Code string
	// AccountsURL is the accounts server, e.g. https://accounts.zoho.eu.
	AccountsURL string
	// APIDomain is the CRM API domain, e.g. https://www.zohoapis.eu.
	APIDomain string
	// DeskURL is the Desk host, e.g. https://desk.zoho.eu (the Desk API is
	// under /api/v1). The CN and SA Desk hosts are unconfirmed guesses.
	DeskURL string
	// UploadURL is the CRM upload host (bulk write files), e.g.
	// https://content.zohoapis.eu.
	UploadURL string
}

// DataCenters lists the data centers in the reference sheet's order.
var DataCenters = []DataCenter{
	{"US", "https://accounts.zoho.com", "https://www.zohoapis.com", "https://desk.zoho.com", "https://content.zohoapis.com"},
	{"EU", "https://accounts.zoho.eu", "https://www.zohoapis.eu", "https://desk.zoho.eu", "https://content.zohoapis.eu"},
	{"IN", "https://accounts.zoho.in", "https://www.zohoapis.in", "https://desk.zoho.in", "https://content.zohoapis.in"},
	{"AU", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au", "https://desk.zoho.com.au", "https://content.zohoapis.com.au"},
	{"JP", "https://accounts.zoho.jp", "https://www.zohoapis.jp", "https://desk.zoho.jp", "https://content.zohoapis.jp"},
	{"CA", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca", "https://desk.zohocloud.ca", "https://upload.zohocloud.ca"},
	{"CN", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn", "https://desk.zoho.com.cn", "https://content.zohoapis.com.cn"},
	{"SA", "https://accounts.zoho.sa", "https://www.zohoapis.sa", "https://desk.zoho.sa", "https://files.zoho.sa"},
}

// LookupDataCenter returns the data center with the given code
// (case-insensitive); "" means US.
func LookupDataCenter(code string) (DataCenter, error) {
	if code == "" {
		code = "US"
	}
	for _, dc := range DataCenters {
		if strings.EqualFold(dc.Code, code) {
			return dc, nil
		}
	}
	codes := make([]string, len(DataCenters))
	for i, dc := range DataCenters {
		codes[i] = dc.Code
	}
	return DataCenter{}, fmt.Errorf("zoho: unknown data center %q (want one of %s)", code, strings.Join(codes, ", "))
}
