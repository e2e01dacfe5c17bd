package budget

// Cost is what a part of a run is expected to spend.
type Cost struct {
	Calls, Credits int64
}

// Add returns the sum of two costs.
func (c Cost) Add(o Cost) Cost { return Cost{c.Calls + o.Calls, c.Credits + o.Credits} }

func ceilDiv(n, d int64) int64 { return (n + d - 1) / d }

// ZohoWrite estimates the writes of n records with op (insert, update,
// upsert, delete) to Zoho CRM: 100 records per call at one credit per
// ten records, or above bulkThreshold (inserts, updates, upserts) a Bulk
// Write job per 25,000 records (500 credits, plus its upload, status polls
// and download at one each; the first poll is counted, and the org call
// that names the upload's org). matchKeys records matched by
// duplicate-check values add one COQL query per 50.
func ZohoWrite(op string, n, matchKeys int64, bulkThreshold int64) Cost {
	if n <= 0 {
		return Cost{}
	}
	c := Cost{}
	if matchKeys > 0 {
		q := ceilDiv(matchKeys, 50)
		c = c.Add(Cost{q, q})
	}
	if op != "delete" && bulkThreshold > 0 && n > bulkThreshold {
		jobs := ceilDiv(n, 25_000)
		return c.Add(Cost{Calls: 1 + 4*jobs, Credits: 1 + jobs*(500+3)})
	}
	calls := ceilDiv(n, 100)
	credits := ceilDiv(n, 10)
	if op == "delete" {
		credits = calls
	}
	return c.Add(Cost{Calls: calls, Credits: credits})
}

// SalesforceIngestCalls is what one Bulk API 2.0 ingest job takes at
// least: create, upload, close, a status poll, and the successful, failed
// and unprocessed results.
const SalesforceIngestCalls = 7

// SalesforceWrite estimates the writes of n records to Salesforce: 200
// per sObject Collections call, or above bulkThreshold one Bulk API 2.0
// ingest job (create, upload, close, a status poll, and the successful,
// failed and unprocessed results).
func SalesforceWrite(n, bulkThreshold int64) Cost {
	if n <= 0 {
		return Cost{}
	}
	if bulkThreshold > 0 && n > bulkThreshold {
		return Cost{Calls: SalesforceIngestCalls}
	}
	calls := ceilDiv(n, 200)
	return Cost{Calls: calls}
}
