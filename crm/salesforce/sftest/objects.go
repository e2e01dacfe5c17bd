package sftest

import "strings"

// Standard picklist values (new-org defaults, reference sheet §7.3). A
// leading "*" marks the default value.
var (
	leadStatuses    = []string{"*Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"}
	leadSources     = []string{"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"}
	ratings         = []string{"Hot", "Warm", "Cold"}
	industries      = []string{"Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications", "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit", "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation", "Utilities", "Other"}
	accountTypes    = []string{"Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller", "Installation Partner", "Technology Partner", "Other"}
	oppTypes        = []string{"Existing Customer - Upgrade", "Existing Customer - Replacement", "Existing Customer - Downgrade", "New Customer"}
	forecastNames   = []string{"Omitted", "Pipeline", "Best Case", "Commit", "Closed"}
	caseStatuses    = []string{"*New", "Working", "Escalated", "Closed"}
	casePriorities  = []string{"High", "*Medium", "Low"}
	caseOrigins     = []string{"Phone", "Email", "Web"}
	caseTypes       = []string{"Mechanical", "Electrical", "Electronic", "Structural", "Other"}
	caseReasons     = []string{"Installation", "Equipment Complexity", "Performance", "Breakdown", "Equipment Design", "Feedback", "Other"}
	taskStatuses    = []string{"*Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"}
	taskPriorities  = []string{"High", "*Normal", "Low"}
	taskTypes       = []string{"Call", "Email", "Meeting", "Other"}
	taskSubtypes    = []string{"Task", "Email", "Call"}
	campaignTypes   = []string{"Conference", "Webinar", "Trade Show", "Public Relations", "Partners", "Referral Program", "Advertisement", "Banner Ads", "Direct Mail", "Email", "Telemarketing", "Other"}
	campaignStatus  = []string{"Planned", "In Progress", "Completed", "Aborted"}
	memberStatuses  = []string{"*Sent", "Responded"}
	salutations     = []string{"Mr.", "Ms.", "Mrs.", "Dr.", "Prof."}
	timeZones       = []string{"*America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "GMT"}
	localeKeys      = []string{"*en_US", "en_GB", "de_DE", "fr_FR"}
	opportunityStgs = []stageInfo{
		{"Prospecting", 10, "Pipeline", false, false},
		{"Qualification", 10, "Pipeline", false, false},
		{"Needs Analysis", 20, "Pipeline", false, false},
		{"Value Proposition", 50, "Pipeline", false, false},
		{"Id. Decision Makers", 60, "Pipeline", false, false},
		{"Perception Analysis", 70, "Pipeline", false, false},
		{"Proposal/Price Quote", 75, "Pipeline", false, false},
		{"Negotiation/Review", 90, "Pipeline", false, false},
		{"Closed Won", 100, "Closed", true, true},
		{"Closed Lost", 0, "Omitted", true, false},
	}
)

// stageInfo is one OpportunityStage: its default probability and forecast
// category, and whether it closes (and wins) the deal.
type stageInfo struct {
	Name        string
	Probability float64
	Forecast    string
	Closed, Won bool
}

// stageOf returns the stage named name (exact spelling).
func stageOf(name string) (stageInfo, bool) {
	for _, s := range opportunityStgs {
		if s.Name == name {
			return s, true
		}
	}
	return stageInfo{}, false
}

// Field constructors for the standard object table.

func fText(name string, n int) *Field {
	return &Field{Name: name, Type: TypeString, Length: n, Nillable: true, Createable: true, Updateable: true}
}

func fTyped(name, typ string, n int) *Field {
	f := fText(name, n)
	f.Type = typ
	return f
}

func fNum(name, typ string, precision, scale int) *Field {
	return &Field{Name: name, Type: typ, Precision: precision, Scale: scale, Nillable: true, Createable: true, Updateable: true}
}

func fBool(name string) *Field {
	return &Field{Name: name, Type: TypeBoolean, Createable: true, Updateable: true, DefaultedOnCreate: true, DefaultValue: false}
}

func fPick(name string, restricted bool, values []string) *Field {
	f := &Field{Name: name, Type: TypePicklist, Length: 255, Nillable: true, Createable: true, Updateable: true, RestrictedPicklist: restricted}
	for _, v := range values {
		def := strings.HasPrefix(v, "*")
		v = strings.TrimPrefix(v, "*")
		f.PicklistValues = append(f.PicklistValues, PicklistValue{Value: v, Label: v, Active: true, DefaultValue: def})
		if def {
			f.Nillable, f.DefaultedOnCreate = false, true
		}
	}
	return f
}

func fRef(name, rel string, to ...string) *Field {
	return &Field{Name: name, Type: TypeReference, Length: 18, Nillable: true, Createable: true, Updateable: true, RelationshipName: rel, ReferenceTo: to}
}

func required(f *Field) *Field { f.Nillable = false; return f }

func readOnly(f *Field) *Field { f.Createable, f.Updateable = false, false; return f }

func calculated(f *Field) *Field { f.Calculated = true; return readOnly(f) }

func extID(f *Field) *Field {
	f.ExternalID, f.Unique, f.IDLookup, f.Custom = true, true, true, true
	return f
}

func lookup(f *Field) *Field { f.IDLookup = true; return f }

func named(f *Field) *Field { f.NameField = true; return f }

// addressFields returns the parts of a compound address with the given prefix.
func addressFields(prefix string) []*Field {
	return []*Field{fTyped(prefix+"Street", TypeTextArea, 255), fText(prefix+"City", 40), fText(prefix+"State", 80),
		fText(prefix+"PostalCode", 20), fText(prefix+"Country", 80)}
}

// objectSpec lists one standard object.
type objectSpec struct {
	name, label, plural, prefix string
	owner                       []string // OwnerId targets; nil = no OwnerId
	readOnly                    bool     // no writes through the API (OpportunityHistory)
	fields                      []*Field
}

// standardObjects returns the schema of the emulated org: the standard
// objects of reference sheet §7 with the integration fields.
func standardObjects() []*objectDef {
	specs := []objectSpec{
		{name: "User", label: "User", plural: "Users", prefix: "005", fields: []*Field{
			named(calculated(fText("Name", 121))), fText("FirstName", 40), required(fText("LastName", 80)),
			required(lookup(fText("Username", 80))), required(fTyped("Email", TypeEmail, 128)),
			required(fText("Alias", 8)), required(fText("CommunityNickname", 40)), fText("Title", 80),
			fTyped("Phone", TypePhone, 40), fText("Department", 80), fBool("IsActive"),
			required(fPick("TimeZoneSidKey", true, timeZones)), required(fPick("LocaleSidKey", true, localeKeys)),
			required(fPick("EmailEncodingKey", true, []string{"*UTF-8", "ISO-8859-1"})),
			required(fPick("LanguageLocaleKey", true, []string{"*en_US", "de", "fr"})),
			required(fRef("ProfileId", "Profile", "Profile")),
		}},
		{name: "Account", label: "Account", plural: "Accounts", prefix: "001", owner: []string{"User"}, fields: append([]*Field{
			named(required(fText("Name", 255))), fText("AccountNumber", 40), fPick("Type", false, accountTypes),
			fPick("Industry", false, industries), fPick("Rating", false, ratings), fPick("AccountSource", false, leadSources),
			fNum("AnnualRevenue", TypeCurrency, 18, 0), fNum("NumberOfEmployees", TypeInt, 8, 0),
			fTyped("Phone", TypePhone, 40), fTyped("Fax", TypePhone, 40), fTyped("Website", TypeURL, 255),
			fRef("ParentId", "Parent", "Account"), fTyped("Description", TypeTextArea, 32000),
			extID(fText("Zoho_Account_Id__c", 255)), custom(fNum("Open_Tickets__c", TypeDouble, 18, 0)),
			custom(fNum("Lifetime_Won__c", TypeCurrency, 16, 2)),
		}, append(addressFields("Billing"), addressFields("Shipping")...)...)},
		{name: "Contact", label: "Contact", plural: "Contacts", prefix: "003", owner: []string{"User"}, fields: append([]*Field{
			named(calculated(fText("Name", 121))), fText("FirstName", 40), required(fText("LastName", 80)),
			fPick("Salutation", false, salutations), lookup(fTyped("Email", TypeEmail, 80)), fTyped("Phone", TypePhone, 40),
			fTyped("MobilePhone", TypePhone, 40), fText("Title", 128), fText("Department", 80),
			fRef("AccountId", "Account", "Account"), fRef("ReportsToId", "ReportsTo", "Contact"),
			fPick("LeadSource", false, leadSources), fNum("Birthdate", TypeDate, 0, 0),
			fBool("HasOptedOutOfEmail"), fBool("DoNotCall"), fTyped("Description", TypeTextArea, 32000),
			extID(fText("Zoho_Contact_Id__c", 255)),
		}, addressFields("Mailing")...)},
		{name: "Lead", label: "Lead", plural: "Leads", prefix: "00Q", owner: []string{"User", "Group"}, fields: []*Field{
			named(calculated(fText("Name", 121))), fText("FirstName", 40), required(fText("LastName", 80)),
			fPick("Salutation", false, salutations), required(fText("Company", 255)), fPick("Status", true, leadStatuses),
			lookup(fTyped("Email", TypeEmail, 80)), fTyped("Phone", TypePhone, 40), fTyped("MobilePhone", TypePhone, 40),
			fText("Title", 128), fPick("LeadSource", false, leadSources), fPick("Industry", false, industries),
			fPick("Rating", false, ratings), fNum("AnnualRevenue", TypeCurrency, 18, 0), fNum("NumberOfEmployees", TypeInt, 8, 0),
			fTyped("Website", TypeURL, 255), fTyped("Street", TypeTextArea, 255), fText("City", 40), fText("State", 80),
			fText("PostalCode", 20), fText("Country", 80), fTyped("Description", TypeTextArea, 32000),
			fBool("HasOptedOutOfEmail"), readOnly(fBool("IsConverted")), readOnly(fRef("ConvertedAccountId", "ConvertedAccount", "Account")),
			readOnly(fRef("ConvertedContactId", "ConvertedContact", "Contact")),
			readOnly(fRef("ConvertedOpportunityId", "ConvertedOpportunity", "Opportunity")),
			readOnly(fNum("ConvertedDate", TypeDate, 0, 0)), extID(fText("Zoho_Lead_Id__c", 255)),
		}},
		{name: "Opportunity", label: "Opportunity", plural: "Opportunities", prefix: "006", owner: []string{"User"}, fields: []*Field{
			named(required(fText("Name", 120))), required(fPick("StageName", true, stageNames())),
			required(fNum("CloseDate", TypeDate, 0, 0)), fNum("Amount", TypeCurrency, 18, 2),
			fNum("Probability", TypePercent, 3, 0), fRef("AccountId", "Account", "Account"),
			fPick("Type", false, oppTypes), fPick("LeadSource", false, leadSources), fText("NextStep", 255),
			fPick("ForecastCategoryName", false, forecastNames), readOnly(fBool("IsClosed")), readOnly(fBool("IsWon")),
			calculated(fNum("ExpectedRevenue", TypeCurrency, 18, 2)), fRef("CampaignId", "Campaign", "Campaign"),
			fRef("ContactId", "Contact", "Contact"), fTyped("Description", TypeTextArea, 32000),
			extID(fText("Zoho_Deal_Id__c", 255)),
		}},
		{name: "OpportunityHistory", label: "Opportunity History", plural: "Opportunity History", prefix: "008", readOnly: true, fields: []*Field{
			fRef("OpportunityId", "Opportunity", "Opportunity"), fPick("StageName", false, stageNames()),
			fNum("Amount", TypeCurrency, 18, 2), fNum("ExpectedRevenue", TypeCurrency, 18, 2), fNum("CloseDate", TypeDate, 0, 0),
			fNum("Probability", TypePercent, 3, 0), fPick("ForecastCategory", false, []string{"Omitted", "Pipeline", "BestCase", "Forecast", "Closed"}),
			fNum("PrevAmount", TypeCurrency, 18, 2), fNum("PrevCloseDate", TypeDate, 0, 0),
		}},
		{name: "Case", label: "Case", plural: "Cases", prefix: "500", owner: []string{"User", "Group"}, fields: []*Field{
			autoNumber(fText("CaseNumber", 30)), fText("Subject", 255), fTyped("Description", TypeTextArea, 32000),
			fPick("Status", true, caseStatuses), fPick("Priority", true, casePriorities), fPick("Origin", false, caseOrigins),
			fPick("Type", false, caseTypes), fPick("Reason", false, caseReasons), fRef("AccountId", "Account", "Account"),
			fRef("ContactId", "Contact", "Contact"), readOnly(fBool("IsClosed")), readOnly(fNum("ClosedDate", TypeDateTime, 0, 0)),
			fBool("IsEscalated"), fRef("ParentId", "Parent", "Case"), fText("SuppliedName", 80),
			fTyped("SuppliedEmail", TypeEmail, 80), fText("SuppliedPhone", 40), fText("SuppliedCompany", 80),
		}},
		{name: "Task", label: "Task", plural: "Tasks", prefix: "00T", owner: []string{"User", "Group"}, fields: []*Field{
			fTyped("Subject", TypeCombobox, 255), fNum("ActivityDate", TypeDate, 0, 0),
			fPick("Status", true, taskStatuses), fPick("Priority", true, taskPriorities),
			fRef("WhoId", "Who", "Contact", "Lead"), fRef("WhatId", "What", "Account", "Opportunity", "Case", "Campaign"),
			fTyped("Description", TypeTextArea, 32000), fPick("Type", false, taskTypes), fPick("TaskSubtype", false, taskSubtypes),
			readOnly(fBool("IsClosed")), fNum("CompletedDateTime", TypeDateTime, 0, 0),
			readOnly(fRef("AccountId", "Account", "Account")),
		}},
		{name: "Campaign", label: "Campaign", plural: "Campaigns", prefix: "701", owner: []string{"User"}, fields: []*Field{
			named(required(fText("Name", 80))), fPick("Type", false, campaignTypes), fPick("Status", false, campaignStatus),
			fNum("StartDate", TypeDate, 0, 0), fNum("EndDate", TypeDate, 0, 0), fBool("IsActive"),
			fNum("BudgetedCost", TypeCurrency, 18, 0), fNum("ActualCost", TypeCurrency, 18, 0),
			fNum("ExpectedRevenue", TypeCurrency, 18, 0), fRef("ParentId", "Parent", "Campaign"),
			fTyped("Description", TypeTextArea, 32000),
			readOnly(fNum("NumberOfLeads", TypeInt, 9, 0)), readOnly(fNum("NumberOfContacts", TypeInt, 9, 0)),
			readOnly(fNum("NumberOfResponses", TypeInt, 9, 0)), readOnly(fNum("NumberOfOpportunities", TypeInt, 9, 0)),
		}},
		{name: "CampaignMember", label: "Campaign Member", plural: "Campaign Members", prefix: "00v", fields: []*Field{
			required(fRef("CampaignId", "Campaign", "Campaign")), fRef("LeadId", "Lead", "Lead"),
			fRef("ContactId", "Contact", "Contact"), fPick("Status", false, memberStatuses),
			readOnly(fBool("HasResponded")), fNum("FirstRespondedDate", TypeDate, 0, 0),
		}},
	}
	out := make([]*objectDef, 0, len(specs))
	for _, s := range specs {
		o := &objectDef{Name: s.name, Label: s.label, LabelPlural: s.plural, KeyPrefix: s.prefix,
			Createable: !s.readOnly, Updateable: !s.readOnly, Deletable: !s.readOnly,
			byName: map[string]int{}, byRel: map[string]int{}}
		o.addField(&Field{Name: "Id", Label: "Record ID", Type: TypeID, Length: 18, DefaultedOnCreate: true, IDLookup: true})
		o.addField(readOnly(fBool("IsDeleted")))
		for _, f := range s.fields {
			o.addField(f)
		}
		if s.owner != nil {
			ow := fRef("OwnerId", "Owner", s.owner...)
			ow.Nillable, ow.DefaultedOnCreate = false, true
			o.addField(ow)
		}
		o.addField(sysDate("CreatedDate"))
		o.addField(readOnly(dflt(fRef("CreatedById", "CreatedBy", "User"))))
		if s.name != "OpportunityHistory" {
			o.addField(sysDate("LastModifiedDate"))
			o.addField(readOnly(dflt(fRef("LastModifiedById", "LastModifiedBy", "User"))))
		}
		o.addField(sysDate("SystemModstamp"))
		out = append(out, o)
	}
	return out
}

func custom(f *Field) *Field { f.Custom = true; return f }

func autoNumber(f *Field) *Field {
	f.AutoNumber, f.DefaultedOnCreate, f.Nillable = true, true, false
	return readOnly(f)
}

func dflt(f *Field) *Field { f.Nillable, f.DefaultedOnCreate = false, true; return f }

func sysDate(name string) *Field {
	return dflt(readOnly(&Field{Name: name, Type: TypeDateTime}))
}

func stageNames() []string {
	out := make([]string, len(opportunityStgs))
	for i, s := range opportunityStgs {
		out[i] = s.Name
	}
	return out
}
