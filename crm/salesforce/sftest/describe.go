package sftest

import (
	"fmt"
	"net/http"
	"strconv"
)

// minVersion is the oldest API version listed.
const minVersion = 20

// versionLabel names the release of an API version: v59 = Winter '24,
// v60 = Spring '24, v61 = Summer '24, …
func versionLabel(v int) string {
	k := v - 59
	season := []string{"Winter", "Spring", "Summer"}[((k%3)+3)%3]
	year := 24 + floorDiv(k, 3)
	return fmt.Sprintf("%s '%02d", season, year)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// serveVersions serves GET /services/data: every version, oldest first. It
// needs no session and carries no Sforce-Limit-Info.
func (s *Server) serveVersions(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeREST(w, errMethod(r.Method, "GET", "HEAD"))
		return
	}
	out := make([]map[string]string, 0, s.maxVer-minVersion+1)
	for v := minVersion; v <= s.maxVer; v++ {
		vs := strconv.Itoa(v) + ".0"
		out = append(out, map[string]string{"label": versionLabel(v), "url": "/services/data/v" + vs, "version": vs})
	}
	writeJSON(w, http.StatusOK, out)
}

// serveResources serves GET /services/data/vXX.X.
func (s *Server) serveResources(w http.ResponseWriter, q *req) *restError {
	p := "/services/data/v" + q.ver + "/"
	out := map[string]string{}
	for _, n := range []string{"sobjects", "query", "queryAll", "limits", "composite", "jobs", "search",
		"recent", "tooling", "uiapi", "analytics", "connect", "process", "actions", "tabs", "theme"} {
		out[n] = p + n
	}
	// jsforce's identity() reads this absolute URL.
	out["identity"] = s.BaseURL() + "/id/" + orgID + "/" + s.userID()
	writeJSON(w, http.StatusOK, out)
	return nil
}

// serveLimits serves GET /services/data/vXX.X/limits.
func (s *Server) serveLimits(w http.ResponseWriter, q *req) *restError {
	s.mu.RLock()
	used, max := s.apiUsed, s.opts.DailyAPILimit
	s.mu.RUnlock()
	lim := func(m, r int) map[string]int { return map[string]int{"Max": m, "Remaining": r} }
	rem := max - used
	if rem < 0 {
		rem = 0
	}
	writeJSON(w, http.StatusOK, map[string]map[string]int{
		"DailyApiRequests":              lim(max, rem),
		"DailyBulkApiBatches":           lim(15000, 15000),
		"DailyBulkV2QueryJobs":          lim(10000, 10000),
		"DailyBulkV2QueryFileStorageMB": lim(1048576, 1048576),
		"DailyAsyncApexExecutions":      lim(250000, 250000),
		"DataStorageMB":                 lim(5120, 5000),
		"FileStorageMB":                 lim(20480, 20480),
		"ConcurrentSyncReportRuns":      lim(20, 20),
		"HourlyDashboardRefreshes":      lim(200, 200),
		"SingleEmail":                   lim(5000, 5000),
		"MassEmail":                     lim(5000, 5000),
	})
	return nil
}

// sobjectSummary is an entry of describeGlobal (and the head of describe).
func (s *Server) sobjectSummary(q *req, d *objectDef) map[string]any {
	base := "/services/data/v" + q.ver + "/sobjects/" + d.Name
	return map[string]any{
		"name": d.Name, "label": d.Label, "labelPlural": d.LabelPlural, "keyPrefix": d.KeyPrefix,
		"custom": d.Custom, "customSetting": false, "createable": d.Createable, "updateable": d.Updateable,
		"deletable": d.Deletable, "undeletable": d.Deletable, "mergeable": false, "queryable": true,
		"replicateable": true, "retrieveable": true, "searchable": d.Name != "OpportunityHistory",
		"triggerable": d.Createable, "layoutable": d.Createable, "activateable": false, "feedEnabled": false,
		"deprecatedAndHidden": false, "hasSubtypes": false, "isSubtype": false, "mruEnabled": d.Createable,
		"urls": map[string]string{"sobject": base, "describe": base + "/describe", "rowTemplate": base + "/{ID}"},
	}
}

// Conditional describes (reference sheet §9): describeGlobal and describe
// answer 304 Not Modified, with no body, when the If-Modified-Since header
// (an HTTP date, whole seconds) is not before the last change of the
// metadata they show: per object, a field added or changed (also through
// the Tooling API) or its field-level security changed (RestrictField);
// for describeGlobal, any object's. An unparsable header is ignored (200;
// Salesforce's answer is unconfirmed). Both answers carry a Date header
// from the org's clock (Options.Now); no Last-Modified is sent (whether
// Salesforce sends one is unconfirmed), so clients resend the Date of
// their last 200. A 304 counts toward the daily API requests (unconfirmed;
// the sheet assumes so).

// notModified answers 304 when the request's If-Modified-Since is at or
// after stamp (compared in whole seconds), and sets the Date header.
func (s *Server) notModified(w http.ResponseWriter, q *req, stamp msTime) bool {
	w.Header().Set("Date", s.opts.Now().UTC().Format(http.TimeFormat))
	h := q.r.Header.Get("If-Modified-Since")
	if h == "" {
		return false
	}
	since, err := http.ParseTime(h)
	if err != nil || int64(stamp)/1000 > since.Unix() {
		return false
	}
	w.WriteHeader(http.StatusNotModified)
	return true
}

// describeGlobal serves GET /sobjects.
func (s *Server) describeGlobal(w http.ResponseWriter, q *req) *restError {
	s.mu.RLock()
	list := make([]map[string]any, 0, len(s.order))
	var stamp msTime
	for _, n := range s.order {
		t := s.table(n)
		list = append(list, s.sobjectSummary(q, t.def))
		stamp = max(stamp, t.metaStamp)
	}
	s.mu.RUnlock()
	if s.notModified(w, q, stamp) {
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list})
	return nil
}

// describe serves GET /sobjects/{type}/describe.
func (s *Server) describe(w http.ResponseWriter, q *req, t *table) *restError {
	s.mu.RLock()
	stamp := t.metaStamp
	s.mu.RUnlock()
	if s.notModified(w, q, stamp) {
		return nil
	}
	s.mu.RLock()
	d := t.def
	out := s.sobjectSummary(q, d)
	fields := make([]map[string]any, 0, len(d.Fields))
	for _, f := range d.Fields {
		fields = append(fields, describeField(f))
	}
	children := []map[string]any{}
	for _, c := range s.childRelationships(d.Name) {
		var rel any
		if c.Name != "" {
			rel = c.Name
		}
		children = append(children, map[string]any{"childSObject": c.Child, "field": c.Field.Name,
			"relationshipName": rel, "cascadeDelete": false,
			"restrictedDelete": false, "deprecatedAndHidden": false})
	}
	s.mu.RUnlock()
	out["fields"] = fields
	out["childRelationships"] = children
	out["recordTypeInfos"] = []map[string]any{{"active": true, "available": true, "defaultRecordTypeMapping": true,
		"developerName": "Master", "master": true, "name": "Master", "recordTypeId": To18("012000000000000"),
		"urls": map[string]string{"layout": "/services/data/v" + q.ver + "/sobjects/" + d.Name + "/describe/layouts/012000000000000AAA"}}}
	out["namedLayoutInfos"] = []any{}
	out["supportedScopes"] = []any{}
	out["actionOverrides"] = []any{}
	out["networkScopeFieldName"] = nil
	out["listviewable"] = nil
	out["lookupLayoutable"] = nil
	out["searchLayoutable"] = d.Createable
	out["compactLayoutable"] = d.Createable
	out["defaultImplementation"] = nil
	out["extendedBy"] = nil
	out["extendsInterfaces"] = nil
	out["implementedBy"] = nil
	out["implementsInterfaces"] = nil
	out["sobjectDescribeOption"] = "FULL"
	writeJSON(w, http.StatusOK, out)
	return nil
}

// describeField renders one field entry of describe.
func describeField(f *Field) map[string]any {
	length, byteLength, digits := 0, 0, 0
	if f.isText() {
		length, byteLength = f.Length, f.Length*3
	}
	if f.Type == TypeInt {
		digits = f.Precision
	}
	pick := make([]map[string]any, 0, len(f.PicklistValues))
	for _, p := range f.PicklistValues {
		pick = append(pick, map[string]any{"active": p.Active, "defaultValue": p.DefaultValue,
			"label": p.Label, "validFor": nil, "value": p.Value})
	}
	ref := f.ReferenceTo
	if ref == nil {
		ref = []string{}
	}
	var rel any
	if f.RelationshipName != "" {
		rel = f.RelationshipName
	}
	label := f.Label
	var help any
	if f.InlineHelpText != "" {
		help = f.InlineHelpText
	}
	return map[string]any{
		"name": f.Name, "label": label, "type": f.Type, "soapType": f.soapType(),
		"length": length, "byteLength": byteLength, "precision": f.Precision, "scale": f.Scale, "digits": digits,
		"nillable": f.Nillable, "createable": f.Createable, "updateable": f.Updateable,
		"defaultedOnCreate": f.DefaultedOnCreate, "defaultValue": f.DefaultValue, "defaultValueFormula": nil,
		"calculated": f.Calculated, "calculatedFormula": nil, "autoNumber": f.AutoNumber,
		"unique": f.Unique, "caseSensitive": false, "externalId": f.ExternalID, "idLookup": f.IDLookup,
		"nameField": f.NameField, "filterable": f.Type != TypeTextArea, "sortable": f.Type != TypeTextArea && f.Type != TypeMultiPicklist,
		"groupable":    f.groupable(),
		"aggregatable": f.aggregatable(), "custom": f.Custom, "picklistValues": pick, "restrictedPicklist": f.RestrictedPicklist,
		"dependentPicklist": false, "controllerName": nil, "referenceTo": ref, "relationshipName": rel,
		"relationshipOrder": nil, "cascadeDelete": false, "restrictedDelete": false, "htmlFormatted": false,
		"inlineHelpText": help, "polymorphicForeignKey": len(f.ReferenceTo) > 1, "namePointing": len(f.ReferenceTo) > 1,
		"writeRequiresMasterRead": false, "permissionable": f.Custom && f.Nillable,
		"queryByDistance": false, "deprecatedAndHidden": false, "displayLocationInDecimal": false,
		"encrypted": false, "externalIdDefault": nil, "extraTypeInfo": nil, "filteredLookupInfo": nil,
		"highScaleNumber": false, "mask": nil, "maskType": nil, "searchPrefilterable": false,
		"aiPredictionField": false, "compoundFieldName": nil, "formulaTreatNullNumberAsZero": false,
		"referenceTargetField": nil,
	}
}
