package zoho

import (
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/rawbatch"
)

// rawBatcher appends the records of list pages (zoho.RawPage) to Arrow
// builders straight from their raw JSON values (extract/rawbatch), with
// the schema and the cells extract.Batcher gives the same records decoded
// into maps. List pages hold live records only.
type rawBatcher struct{ *rawbatch.Batcher }

func newRawBatcher(cols []extract.Column) *rawBatcher {
	return &rawBatcher{rawbatch.New(cols)}
}

// Append adds record rec of page p, whole or not at all; an error names
// the field as extract.Batcher does.
func (r *rawBatcher) Append(p *zoho.RawPage, rec int) error {
	return r.Batcher.Append(p, rec, nil)
}
