// Package identity is the Go side of revops's entity resolution: the
// transforms the identity models under sql/identity run where SQL cannot
// do the work well, the options of the identity: section of revops.yaml,
// the CSV driver of `revops identity match`, explain, and the metrics of
// `revops identity evaluate`.
//
// # Pipeline
//
// For each kind of entity (person, company) the models engine builds, in
// order (sql/identity/<kind>_*.sql):
//
//	<kind>_input        the records, one row each, in roles (helper models
//	                    read the CRMs; a CSV run reads the file)
//	<kind>_features     transform identity_features: Matching.Normalize
//	<kind>_rules        transform identity_<kind>_rules: the blocking and
//	                    deterministic rules, numbered
//	<kind>_block_keys   transform identity_<kind>_block_keys: (rn, rule,
//	                    key) for each record and rule whose fields it has
//	<kind>_pairs        SQL: candidate pairs, one equi-join on (rule, key),
//	                    smallest blocks first within a pair budget; and a
//	                    sample of random pairs
//	<kind>_comparisons  SQL: a level per comparison and pair, term
//	                    frequencies of top levels
//	<kind>_weights      transform identity_<kind>_weights: the
//	                    Fellegi–Sunter model (u from the random pairs, m by
//	                    EM per blocking rule, the prior λ)
//	<kind>_links        SQL: scores, thresholds, deterministic and certain
//	                    links, decisions
//	<kind>_clusters     SQL: connected components of the linked pairs
//
// Options reach the Go steps through the closures of Options.Transforms
// and the SQL through the models vars of Options.Vars (whose defaults the
// SQL files repeat).
//
// # Normalization rules
//
// E-mail addresses are lower-cased and trimmed; a +tag is removed from
// the local part (ann+crm@x.com is ann@x.com) and Gmail ignores dots.
// Role mailboxes (DefaultGenericMailboxes: info@, sales@, support@, ...)
// never link two people: their address is left out of people's matching
// (blocking, deterministic rules and the email comparison) but still
// gives the company's domain. Free-mail domains (DefaultFreeMailDomains)
// say nothing about a company. Phones are E.164 in the default region
// (nyaruka/phonenumbers), else their digits; the last 7 digits also
// compare, for numbers typed without an area code. Names are folded to
// lower-case ASCII without punctuation, titles and honorifics; a first
// name also compares by its nickname group (Bob = Robert), and the names
// of two records compare the other way round when that agrees better.
// Company names lose legal suffixes (Inc, GmbH, Ltd, ...) and noise
// words; websites and work e-mail addresses give a domain.
//
// # Scoring
//
// Two e-mail addresses are close when they are one address with a typo:
// both parts nearly equal, the same first letter (or the first two
// swapped) and the same digits; j.smith@ and j.smith2@ of one domain are
// two namesakes the organisation told apart, and a score never links
// them. Comparisons that say one thing in several fields form a group
// (Comparison.Group), of which only the strongest agreement counts (and
// every disagreement): the places (address, postcode, city, state,
// country) of companies and people, and for people also their employer
// (company, web domain), as colleagues share all of them. EM fits m with
// the same grouping.
package identity
