package zohotest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// layout is a module's standard layout (sheet §13.2). Every field of the
// module is in it (fields created through the API land in the standard
// layout); required marks the fields mandatory in this layout beyond the
// system-mandatory ones, which are required in every layout.
type layout struct {
	id       uint64
	required map[string]bool
	modified int64
}

// layoutMandatory are the fields a new org's standard layouts star besides
// the system-mandatory ones (sheet §13.2, from Zoho's help pages; the
// literal "required" values of a fresh org are unconfirmed).
var layoutMandatory = map[string][]string{
	"Leads": {"Company"},
	"Deals": {"Closing_Date", "Account_Name"},
}

// layoutIDOffset puts layout ids in a band of their own, away from module,
// field and record ids.
const layoutIDOffset = 3_000_000_000

func newLayout(m *module, now int64) *layout {
	l := &layout{id: m.ID + layoutIDOffset, required: map[string]bool{}, modified: now}
	for _, n := range layoutMandatory[m.APIName] {
		if m.field(n) != nil {
			l.required[n] = true
		}
	}
	return l
}

// isRequired reports whether f is mandatory in the layout.
func (l *layout) isRequired(f *Field) bool { return f.SystemMandatory || l.required[f.APIName] }

// requiredNames lists the layout-only mandatory fields of m in field order.
func (l *layout) requiredNames(m *module) []string {
	var out []string
	for _, f := range m.fields {
		if l.required[f.APIName] && !f.SystemMandatory {
			out = append(out, f.APIName)
		}
	}
	return out
}

// SetLayoutRequired marks a field mandatory (or not) in a module's standard
// layout, as an admin editing the layout would. System-mandatory fields
// stay mandatory; read-only fields cannot be made mandatory.
func (s *Server) SetLayoutRequired(moduleName, field string, required bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.modules[strings.ToLower(moduleName)]
	if m == nil {
		return fmt.Errorf("zohotest: layout: no module %q", moduleName)
	}
	f := m.field(field)
	switch {
	case f == nil:
		return fmt.Errorf("zohotest: layout of %s: no field %q", m.APIName, field)
	case f.SystemMandatory && !required:
		return fmt.Errorf("zohotest: layout of %s: %s is system-mandatory in every layout", m.APIName, field)
	case (f.ReadOnly || systemFields[f.APIName]) && required:
		return fmt.Errorf("zohotest: layout of %s: %s is read-only and cannot be mandatory", m.APIName, field)
	}
	if required && !f.SystemMandatory {
		m.layout.required[f.APIName] = true
	} else {
		delete(m.layout.required, f.APIName)
	}
	m.layout.modified = s.now().Unix()
	return nil
}

// LayoutRequired lists the fields a module's standard layout makes
// mandatory besides the system-mandatory ones, in field order.
func (s *Server) LayoutRequired(moduleName string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.modules[strings.ToLower(moduleName)]
	if m == nil {
		return nil
	}
	return m.layout.requiredNames(m)
}

// LayoutID returns the id of a module's standard layout ("" for an
// unknown module).
func (s *Server) LayoutID(moduleName string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.modules[strings.ToLower(moduleName)]
	if m == nil {
		return ""
	}
	return fmtID(m.layout.id)
}

// serveLayouts answers GET /settings/layouts?module= and
// /settings/layouts/{id}?module=. Called with s.mu held for reading.
func (s *Server) serveLayouts(c *call, m *module, id string) {
	if id != "" && id != fmtID(m.layout.id) {
		c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "the id given seems to be invalid", "resource_path_index", 3))
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"layouts": []map[string]any{s.layoutJSON(m)}})
}

// Profiles of the org: the ids the users API reports.
func profileID(name string) uint64 { return crmIDBase + 1_100_000 + uint64(len(name)) }

var profileNames = []string{"Administrator", "Standard"}

func (s *Server) layoutJSON(m *module) map[string]any {
	l := m.layout
	var profiles []map[string]any
	for _, p := range profileNames {
		profiles = append(profiles, map[string]any{"id": fmtID(profileID(p)), "name": p, "default": true,
			"_default_view": map[string]any{"id": fmtID(l.id), "name": "Standard", "type": "layout"}})
	}
	me := s.userSummary(s.users[0].ID)
	out := map[string]any{
		"id": fmtID(l.id), "name": "Standard", "api_name": "Standard__s", "display_label": "Standard",
		"status": "active", "visible": true, "source": "crm", "generated_type": "default",
		"created_time": s.fmtTime(m.Modified), "modified_time": s.fmtTime(max(l.modified, m.Modified)),
		"created_by": me, "modified_by": me, "profiles": profiles, "mode": nil,
		"show_business_card": false, "has_more_profiles": false, "convert_mapping": s.convertMapping(m),
		"actions_allowed": map[string]any{"edit": true, "rename": true, "clone": true, "downgrade": false,
			"delete": false, "deactivate": false, "set_layout_permissions": true},
		"sections": s.sectionsJSON(m),
	}
	return out
}

// convertMapping is what converting a lead of this layout needs of the
// other modules' layouts (Leads only): their mandatory fields.
func (s *Server) convertMapping(m *module) map[string]any {
	if m.APIName != "Leads" {
		return nil
	}
	out := map[string]any{}
	for _, name := range []string{"Contacts", "Accounts", "Deals"} {
		tm := s.modules[strings.ToLower(name)]
		if tm == nil {
			continue
		}
		var fields []map[string]any
		for _, f := range tm.fields {
			if tm.layout.isRequired(f) {
				fields = append(fields, map[string]any{"api_name": f.APIName, "id": fmtID(f.id),
					"field_label": f.label(), "required": true})
			}
		}
		out[name] = map[string]any{"id": fmtID(tm.layout.id), "name": "Standard", "fields": fields}
	}
	return out
}

// The sections of a standard layout, by the fields they hold.
var addressSuffixes = []string{"Street", "City", "State", "Zip_Code", "Zip", "Code", "Country"}

func sectionOf(m *module, f *Field) int {
	if f.APIName == "Description" {
		return 2
	}
	if !f.Custom && f.DataType == "text" {
		for _, sfx := range addressSuffixes {
			if strings.HasSuffix(f.APIName, sfx) && f.APIName != "SIC_Code" {
				return 1
			}
		}
	}
	return 0 // the module's information section; fields created later land here (unconfirmed)
}

func (s *Server) sectionsJSON(m *module) []map[string]any {
	names := []string{m.Singular + " Information", "Address Information", "Description Information"}
	fields := make([][]map[string]any, len(names))
	for _, f := range m.fields {
		i := sectionOf(m, f)
		fj := s.fieldJSON(m, f)
		fj["required"] = m.layout.isRequired(f)
		fj["sequence_number"] = len(fields[i]) + 1
		fields[i] = append(fields[i], fj)
	}
	var out []map[string]any
	for i, n := range names {
		if len(fields[i]) == 0 {
			continue
		}
		cols := 2
		if i == 2 {
			cols = 1
		}
		out = append(out, map[string]any{"api_name": n, "name": n, "display_label": n,
			"sequence_number": len(out) + 1, "column_count": cols, "tab_traversal": "left_to_right",
			"isSubformSection": false, "generated_type": "default", "fields": fields[i]})
	}
	return out
}

// layoutCheck applies the layout-level mandatory fields to one record of a
// write (sheet §13.3): only when the record names the layout (Layout.id),
// or always with Options.StrictLayout. An insert must give every field
// the layout requires; an update may not clear one (unconfirmed: the sheet
// describes inserts). It returns the record's error element, or nil.
// Called with s.mu held.
func (s *Server) layoutCheck(m *module, obj map[string]any, vals map[*Field]any, insert bool, jp func(string) string) map[string]any {
	l := m.layout
	raw, named := obj["Layout"]
	if named && raw != nil {
		id, ok := lookupID(raw)
		if !ok || id != l.id {
			return recordError("INVALID_DATA", "the id given seems to be invalid", "api_name", "Layout",
				"json_path", jp("Layout")+".id")
		}
	} else if !s.opts.StrictLayout {
		return nil
	}
	for _, f := range m.fields {
		if !l.required[f.APIName] || f.SystemMandatory {
			continue
		}
		v, given := vals[f]
		if insert && (!given || v == nil) || !insert && given && v == nil {
			return recordError("MANDATORY_NOT_FOUND", "required field not found", "api_name", f.APIName,
				"json_path", jp(f.APIName))
		}
	}
	return nil
}

// restoreLayout rebuilds a module's layout from a snapshot: the saved
// required fields, or the new-org defaults for snapshots that had none.
func restoreLayout(m *module, saved bool, required []string, modified int64) {
	m.layout = newLayout(m, modified)
	if !saved {
		return
	}
	clear(m.layout.required)
	for _, n := range required {
		if f := m.field(n); f != nil && !f.SystemMandatory {
			m.layout.required[n] = true
		}
	}
}

// savedLayout is what a snapshot keeps of a layout.
func savedLayout(m *module) []string {
	names := m.layout.requiredNames(m)
	slices.Sort(names)
	return names
}
