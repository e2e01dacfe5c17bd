package identity

import (
	"context"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// TransformFunc is the signature of the models engine's transforms
// (models.Transform).
type TransformFunc = func(ctx context.Context, in array.RecordReader, vars map[string]string) (array.RecordReader, error)

// Transforms returns the Go steps of the identity models, by the names
// their headers use (`-- config: materialized=transform; transform=...`),
// configured by o. The caller registers them with the models engine.
func (o *Options) Transforms() map[string]TransformFunc {
	m := &o.Matching
	out := map[string]TransformFunc{"identity_features": m.featuresTransform}
	for _, k := range []Kind{KindPerson, KindCompany} {
		p := "identity_" + string(k) + "_"
		out[p+"rules"] = m.rulesTransform(k)
		out[p+"block_keys"] = m.blockKeysTransform(k)
		out[p+"weights"] = m.weightsTransform(k)
	}
	return out
}

// RandomPairs is how many random pairs estimate u (at most).
const RandomPairs = 400000

// Vars returns the models vars the identity SQL reads (their defaults in
// the SQL files are DefaultOptions'): identity_link_threshold,
// identity_review_threshold, identity_max_block_size, identity_link_only
// and identity_random_pairs.
func (o *Options) Vars() map[string]string {
	m := &o.Matching
	return map[string]string{
		"identity_link_threshold":   strconv.FormatFloat(m.LinkThreshold, 'g', -1, 64),
		"identity_review_threshold": strconv.FormatFloat(m.ReviewThreshold, 'g', -1, 64),
		"identity_max_block_size":   strconv.Itoa(m.MaxBlockSize),
		"identity_link_only":        strconv.FormatBool(m.LinkOnly),
		"identity_random_pairs":     strconv.Itoa(RandomPairs),
	}
}
