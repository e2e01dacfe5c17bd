package zohotest

import (
	"hash/fnv"

	"github.com/revops/revops/crm/sandbox"
)

// lifecycleOf gives each contact of a projection its Lifecycle_Stage (the
// sandbox's custom field, not a Zoho standard one): Customer when a deal
// of the contact or its account was won, Opportunity when one is open,
// else Subscriber, Lead, Marketing Qualified Lead or Sales Qualified Lead
// by the contact's entity id, and empty for one contact in eight, as a
// field people fill unevenly. Deterministic for a world.
func lifecycleOf(p *sandbox.Projection) []any {
	const won, open = 2, 1
	byAccount := map[int]int{}
	byContact := map[int]int{}
	for _, d := range p.Deals {
		k := 0
		switch d.Stage {
		case sandbox.StageClosedWon:
			k = won
		case sandbox.StageClosedLost:
		default:
			k = open
		}
		if d.AccountIdx >= 0 {
			byAccount[d.AccountIdx] = max(byAccount[d.AccountIdx], k)
		}
		if d.ContactIdx >= 0 {
			byContact[d.ContactIdx] = max(byContact[d.ContactIdx], k)
		}
	}
	early := []string{"Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead"}
	out := make([]any, len(p.Contacts))
	for i, c := range p.Contacts {
		k := byContact[i]
		if c.AccountIdx >= 0 {
			k = max(k, byAccount[c.AccountIdx])
		}
		h := fnv.New32a()
		h.Write([]byte(c.EntityID))
		n := h.Sum32()
		switch {
		case k == won:
			out[i] = "Customer"
		case k == open:
			out[i] = "Opportunity"
		case n%8 == 0:
			out[i] = nil
		default:
			out[i] = early[(n/8)%uint32(len(early))]
		}
	}
	return out
}
