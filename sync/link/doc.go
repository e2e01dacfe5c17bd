// Package link is revops's two-way sync: a link pairs the records of two
// objects (Zoho CRM Leads and Salesforce Lead, Contacts and Contact, ...)
// and keeps a list of their fields equal both ways.
//
// A link is an entry of `links:` in revops.yaml (see Spec). Each run
//
//  1. describes both objects and stops before any write when the link no
//     longer fits their metadata (a mapped field gone or read-only, a
//     mapped picklist value gone, a mandatory field added since the last
//     run);
//  2. resolves the writes an earlier run sent without recording the
//     answer (it was killed): the records are read back and a write found
//     done is recorded, not sent again;
//  3. pairs the records, through identity.crosswalk (one record of a
//     golden id on each side), an id field, or a normalized key, then
//     (pair.then) by further pairings for the records still unpaired;
//     records whose key is missing or ambiguous are reported, never
//     guessed; the link's filter (see Filter) leaves out the pairs whose
//     records do not both pass it;
//  4. reads both sides' current values from the latest extract (the
//     landed tables, <source>.<object>) in a canonical form per type
//     (phones in E.164, e-mails lower-case, trimmed text, numbers and
//     dates by value, picklists through their maps), and compares each
//     field with the last value both sides agreed on
//     (_revops.link_values): a three-way comparison. One side changed:
//     its value is written to the other. Both changed to different
//     values: the field's owner rule decides and the conflict goes to
//     _revops.link_conflicts. Neither changed: nothing. A value revops
//     wrote is the agreed value as soon as the API confirms it, so its
//     echo in the next extract causes no write; a side whose extract is
//     older than revops's own write to it counts as holding what revops
//     wrote, and a record another link wrote after its extract (links
//     sharing a record, such as Desk ⇄ Zoho CRM and Zoho CRM ⇄
//     Salesforce contacts) as holding what that link wrote
//     (_revops.link_written_values);
//  5. writes through the sync destinations (sync/salesforce, sync/zoho:
//     batching, retries, per-row results), recording every write in
//     _revops.link_inflight before it is sent and its answer, the agreed
//     values and the run's counts in one transaction after;
//  6. fires the link's transitions (a field of one side reaching a value)
//     once each, keyed by record, from, to and the time of the change.
//
// Owners: a side (zoho | salesforce, a source name, left or right) wins
// conflicts; newest gives a conflict to the most recent change, dated by
// the field's own change time where history is extracted (else the
// record's modified time) and corrected by each system's clock offset,
// which revops measures from its own writes (see clockOffsets); changes
// closer together than the clocks can be trusted go to the field's tie
// side and are logged as such, so a clock running ahead never silently
// wins; fill_if_empty only fills an empty side; read_only (with from:)
// copies one way only.
package link
