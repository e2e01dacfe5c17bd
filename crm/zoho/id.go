package zoho

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ID is a Zoho record id where an API writes ids now as JSON strings,
// now as numbers (Books, Projects): it accepts both, and null, and keeps
// every digit of a number.
type ID string

// UnmarshalJSON accepts a JSON string, number or null.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*id = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = ID(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("zoho: id %s: %w", b, err)
		}
		*id = ID(n.String())
	}
	return nil
}
