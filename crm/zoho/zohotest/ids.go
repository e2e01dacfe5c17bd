package zohotest

import (
	"strconv"
	"sync/atomic"
)

// Zoho CRM record ids are 19-digit decimal numbers (above 2^53, so clients
// must keep them as strings or int64): an org prefix followed by a sequence,
// like "5725767000000524157". Desk ids are 16 digits ("1892000000042034").
const (
	crmIDBase  uint64 = 5725767000000000000
	deskIDBase uint64 = 1892000000000000
)

// idGen hands out increasing ids; it is safe for concurrent use.
type idGen struct {
	base uint64
	seq  atomic.Uint64
}

func (g *idGen) next() uint64 { return g.base + g.seq.Add(1)*1 }

// fmtID renders an id the way Zoho's JSON carries it: a decimal string.
func fmtID(id uint64) string { return strconv.FormatUint(id, 10) }

// parseID parses a decimal record id; ok is false for anything else.
func parseID(s string) (uint64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}
