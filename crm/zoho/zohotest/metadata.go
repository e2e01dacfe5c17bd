package zohotest

import (
	"net/http"
	"strings"
)

// serveSettings answers the metadata APIs under /crm/v8/settings/ (sheet §4).
func (s *Server) serveSettings(c *call, rest []string) {
	if len(rest) == 0 || len(rest) > 2 {
		c.fail(errURLPattern())
		return
	}
	kind := rest[0]
	switch kind {
	case "modules", "fields", "layouts", "pipeline":
	default:
		c.fail(errURLPattern())
		return
	}
	switch {
	case c.r.Method == http.MethodGet:
	case kind == "fields" && (c.r.Method == http.MethodPost && len(rest) == 1 || c.r.Method == http.MethodDelete && len(rest) == 2):
		s.serveFieldWrite(c, rest[1:])
		return
	default:
		c.fail(errMethod())
		return
	}
	if !hasScope(c.scopes, "zohocrm.settings.all", "zohocrm.settings.read", "zohocrm.settings."+kind+".read",
		"zohocrm.settings."+kind+".all") {
		c.fail(errScope())
		return
	}
	if !c.begin(1, false) {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	q := c.r.URL.Query()
	if kind == "modules" {
		var out []map[string]any
		for _, m := range s.order {
			if len(rest) == 2 && !strings.EqualFold(rest[1], m.APIName) && rest[1] != fmtID(m.ID) {
				continue
			}
			out = append(out, s.moduleJSON(m, len(rest) == 2))
		}
		if len(out) == 0 {
			c.fail(errModule(3))
			return
		}
		writeJSON(c.w, http.StatusOK, map[string]any{"modules": out})
		return
	}
	if kind == "pipeline" {
		deals := s.modules["deals"]
		writeJSON(c.w, http.StatusOK, map[string]any{"pipeline": []map[string]any{{
			"display_value": "Standard", "actual_value": "Standard", "default": true, "id": fmtID(deals.ID + 7),
			"maps": s.pickList(deals.field("Stage"))}}})
		return
	}
	name := q.Get("module")
	if name == "" {
		c.fail(errParamMissing("module"))
		return
	}
	m := s.modules[strings.ToLower(name)]
	if m == nil {
		c.fail(newErr(http.StatusBadRequest, "INVALID_MODULE", "the module name given seems to be invalid", "param_name", "module"))
		return
	}
	if kind == "layouts" {
		id := ""
		if len(rest) == 2 {
			id = rest[1]
		}
		s.serveLayouts(c, m, id)
		return
	}
	typ := q.Get("type")
	if typ != "" && typ != "all" && typ != "unused" {
		c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "param_name", "type"))
		return
	}
	var out []map[string]any
	if typ != "unused" {
		for _, f := range m.fields {
			if len(rest) == 2 && rest[1] != fmtID(f.id) {
				continue
			}
			out = append(out, s.fieldJSON(m, f))
		}
	}
	if len(rest) == 2 && len(out) == 0 {
		c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "the id given seems to be invalid", "resource_path_index", 3))
		return
	}
	if len(out) == 0 {
		c.w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"fields": out})
}

func (s *Server) moduleJSON(m *module, full bool) map[string]any {
	out := map[string]any{
		"api_name": m.APIName, "module_name": m.APIName, "singular_label": m.Singular, "plural_label": m.Plural,
		"id": fmtID(m.ID), "api_supported": true, "creatable": true, "editable": true, "deletable": true,
		"viewable": true, "visibility": 1, "generated_type": m.Generated, "modified_time": s.fmtTime(m.Modified),
		"status": "visible", "presence_sub_menu": true, "quick_create": true, "visible": true,
		"global_search_supported": m.APIName != "Notes", "feeds_required": false, "sequence_number": 1,
	}
	if full {
		out["fields"] = nil
		out["related_lists"] = nil
	}
	return out
}

func (s *Server) pickList(f *Field) []map[string]any {
	out := make([]map[string]any, 0, len(f.PickList))
	for i, v := range f.PickList {
		o := map[string]any{"display_value": v, "actual_value": v, "reference_value": v,
			"id": fmtID(f.id*100 + uint64(i) + 1), "sequence_number": i + 1, "type": "used", "colour_code": nil}
		if f.APIName == "Stage" {
			if v == "Id. Decision Makers" {
				o["display_value"] = "Identify Decision Makers"
			}
			if v == "Closed Lost to Competition" {
				o["display_value"] = "Closed-Lost to Competition"
			}
			o["probability"] = stageProbability[v]
			ft, fc := "Open", "Pipeline"
			switch v {
			case "Closed Won":
				ft, fc = "Closed Won", "Closed"
			case "Closed Lost", "Closed Lost to Competition":
				ft, fc = "Closed Lost", "Omitted"
			}
			o["forecast_type"] = ft
			o["forecast_category"] = map[string]any{"name": fc, "id": fmtID(crmIDBase + 1_200_000 + uint64(len(fc)))}
		}
		out = append(out, o)
	}
	return out
}

func (s *Server) fieldJSON(m *module, f *Field) map[string]any {
	ro := f.ReadOnly || systemFields[f.APIName]
	out := map[string]any{
		"api_name": f.APIName, "id": fmtID(f.id), "field_label": f.label(), "display_label": f.label(),
		"data_type": f.DataType, "json_type": f.jsonType(), "length": f.maxLength(),
		"system_mandatory": f.SystemMandatory, "read_only": ro, "field_read_only": ro, "custom_field": f.Custom,
		"visible": true, "searchable": f.DataType != "textarea", "sortable": true, "filterable": !f.NotFilterable,
		"mass_update": !ro, "decimal_place": nil, "pick_list_values": s.pickList(f), "lookup": map[string]any{},
		"unique": map[string]any{}, "created_source": "default", "history_tracking": nil,
		"operation_type": map[string]any{"web_update": !ro, "api_create": !ro, "web_create": !ro, "api_update": !ro},
	}
	if f.Custom {
		out["created_source"] = "crm"
	}
	if f.DecimalPlace > 0 {
		out["decimal_place"] = f.DecimalPlace
	}
	if f.Unique {
		out["unique"] = map[string]any{"casesensitive": "false"}
	}
	if f.TextareaType != "" || f.DataType == "textarea" {
		t := f.TextareaType
		if t == "" {
			t = "small"
		}
		out["textarea"] = map[string]any{"type": t}
	}
	if f.Tooltip != "" {
		out["tooltip"] = map[string]any{"name": f.TooltipKind, "value": f.Tooltip}
	}
	if a := f.AutoNumber; a != nil {
		out["auto_number"] = map[string]any{"prefix": a.Prefix, "suffix": a.Suffix, "start_number": a.Start}
	}
	if fm := f.Formula; fm != nil {
		out["formula"] = map[string]any{"return_type": fm.ReturnType, "expression": fm.Expression}
	}
	if f.Encrypted {
		out["crypt"] = map[string]any{"mode": "encryption", "status": 1}
	}
	if f.External != "" {
		out["external"] = map[string]any{"type": f.External, "show": true}
	}
	if f.DataType == "lookup" {
		l := map[string]any{"display_label": f.label(), "api_name": f.APIName, "id": fmtID(f.id + 1)}
		if tm := s.modules[strings.ToLower(f.LookupModule)]; tm != nil {
			l["module"] = map[string]any{"api_name": tm.APIName, "id": fmtID(tm.ID)}
		}
		out["lookup"] = l
	}
	return out
}
