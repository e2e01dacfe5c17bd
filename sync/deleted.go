package sync

import (
	"fmt"
	"maps"
)

// IsGone reports whether a row error says that the record the write
// addressed no longer exists (deleted in the destination).
func IsGone(e *RowError) bool { return e != nil && e.Gone }

// onGoneBeforeSend applies on_deleted to a row whose record was found
// deleted before anything was sent (a full resync): unlink records the
// decision, recreate returns the create to send instead, fail records the
// row as failed.
func (p *prepared) onGoneBeforeSend(pd *pending, gone *RowError) *pending {
	switch p.spec.DeletedPolicy() {
	case DeletedUnlink:
		p.unlink = append(p.unlink, pd.ch.Key)
		p.report.Unlinked++
	case DeletedRecreate:
		np, rerr := p.recreatePending(pd)
		if rerr != nil {
			p.failed = append(p.failed, failureRow{Key: pd.ch.Key, Err: rerr})
			return nil
		}
		return np
	default:
		e := *gone
		e.Message += "; on_deleted: fail keeps trying (set on_deleted: unlink or recreate)"
		p.failed = append(p.failed, failureRow{Key: pd.ch.Key, Err: &e})
	}
	return nil
}

// recreatePending turns a write to a deleted record into the create of a
// new one: every mapped value (the write options that keep existing
// values do not apply to a new record), by the sync's match (an upsert
// by its match values, or an insert carrying match.create_key).
func (p *prepared) recreatePending(pd *pending) (*pending, *RowError) {
	full := pd.full
	if full == nil {
		full = pd.rec.Values
	}
	np := &pending{ch: pd.ch, rec: Record{Key: pd.ch.Key, Values: maps.Clone(full)}, full: full, recreate: true}
	np.ch.DestID, np.ch.DestObject = "", ""
	if p.spec.Match.By == MatchID {
		if p.spec.Match.CreateKey == "" {
			return nil, &RowError{Code: CodeNotFound, Gone: true,
				Message: fmt.Sprintf("%s %s was deleted, and a sync matched by record id without match.create_key cannot create it again safely",
					p.spec.Destination.Object, pd.rec.ID)}
		}
		np.op = OpInsert
		if rerr := p.addCreateKey(np); rerr != nil {
			return nil, rerr
		}
		return np, nil
	}
	np.op = OpUpsert
	np.match = pd.match
	return np, nil
}

// goneMessage explains what on_deleted did with a row whose record was
// deleted.
func goneMessage(spec *Spec, pd *pending) string {
	what := fmt.Sprintf("%s %s was deleted in the destination", objectOf(spec, pd.rec.Object), pd.rec.ID)
	switch spec.DeletedPolicy() {
	case DeletedUnlink:
		if spec.OnDeleted == "" {
			return what + "; unlinked (on_deleted: unlink, the default): the row is no longer written; " +
				"revops sync reset " + spec.Name + " --key " + pd.ch.Key + " writes it again"
		}
		return what + "; unlinked (on_deleted: unlink)"
	case DeletedRecreate:
		return what + "; created again (on_deleted: recreate)"
	}
	return what + "; on_deleted: fail keeps trying (set on_deleted: unlink or recreate)"
}

// objectOf names the object of a record.
func objectOf(spec *Spec, object string) string {
	if object != "" {
		return object
	}
	return spec.Destination.Object
}
