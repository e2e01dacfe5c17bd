package zohotest

import "strings"

// Field describes one field of a CRM module, as the fields metadata API
// (GET /crm/v8/settings/fields?module=) reports it. AddField takes one to
// create a custom field at run time.
type Field struct {
	// APIName is the field's API name, e.g. "Last_Name" or "Region__c".
	APIName string
	// Label is the UI label; empty means APIName with "_" as spaces.
	Label string
	// DataType is Zoho's data_type: text, textarea, email, phone, website,
	// picklist, multiselectpicklist, date, datetime, integer, bigint, double,
	// currency, percent, decimal, boolean, lookup, ownerlookup, userlookup,
	// autonumber, formula.
	DataType string
	// Length is the maximum length of text values; 0 means the type's
	// default (255 for text, 2,000 for textarea, 30 for phone, 9 digits for
	// integer, 16 for currency).
	Length int
	// SystemMandatory fields must be present on insert (MANDATORY_NOT_FOUND).
	SystemMandatory bool
	// ReadOnly fields are computed or set by the system; writes ignore them.
	ReadOnly bool
	// Custom marks a custom field (custom_field in the metadata).
	Custom bool
	// Unique fields reject a value another record holds (DUPLICATE_DATA)
	// and take part in upsert's duplicate check.
	Unique bool
	// PickList holds the values of picklist and multiselectpicklist fields.
	// Writes may add values the list lacks, as Zoho lets them.
	PickList []string
	// LookupModule is the module a lookup field points at.
	LookupModule string
	// DecimalPlace is the number of decimals of currency and double fields.
	DecimalPlace int
	// TextareaType is small, large or rich_text for textarea fields (their
	// lengths 2,000, 32,000 and 50,000 characters); "" is small.
	TextareaType string
	// Tooltip is the field's help text, shown as TooltipKind (static_text
	// or info_icon).
	Tooltip, TooltipKind string
	// NotFilterable fields cannot be used in list filters (filterable
	// false in the metadata).
	NotFilterable bool
	// AutoNumber numbers the records of an autonumber field as they are
	// created: Prefix, then Start, Start+1, …, then Suffix.
	AutoNumber *AutoNumber
	// Formula is a formula field's return type and expression. The
	// emulator does not evaluate expressions: formula fields read as null.
	Formula *Formula
	// Encrypted fields are stored encrypted at rest (crypt in the
	// metadata); it changes nothing else here.
	Encrypted bool
	// External is "user" or "org" for a field that holds ids of another
	// system (text fields only), "" otherwise.
	External string

	id   uint64
	slot int
}

// AutoNumber is how an autonumber field numbers records.
type AutoNumber struct {
	Prefix, Suffix string
	Start          int64
}

// Formula is what a formula field computes.
type Formula struct {
	ReturnType, Expression string
}

func (f *Field) label() string {
	if f.Label != "" {
		return f.Label
	}
	return strings.ReplaceAll(strings.TrimSuffix(f.APIName, "__c"), "_", " ")
}

func (f *Field) maxLength() int {
	if f.Length > 0 {
		return f.Length
	}
	switch f.DataType {
	case "textarea":
		switch f.TextareaType {
		case "large":
			return 32000
		case "rich_text":
			return 50000
		}
		return 2000
	case "phone":
		return 30
	case "integer":
		return 9
	case "bigint":
		return 18
	case "currency", "double", "decimal":
		return 16
	case "percent":
		return 5
	case "email", "website":
		return 255
	case "picklist", "multiselectpicklist":
		return 120
	}
	return 255
}

func (f *Field) jsonType() string {
	switch f.DataType {
	case "integer":
		return "integer"
	case "double", "currency", "percent", "decimal":
		return "double"
	case "boolean":
		return "boolean"
	case "lookup", "ownerlookup", "userlookup":
		return "jsonobject"
	case "multiselectpicklist", "multiselectlookup", "multiuserlookup":
		return "jsonarray"
	}
	return "string"
}

// systemField names the fields every module has and the system fills.
var systemFields = map[string]bool{
	"id": true, "Created_Time": true, "Modified_Time": true, "Created_By": true, "Modified_By": true,
}

func tf(api string, length int) *Field { return &Field{APIName: api, DataType: "text", Length: length} }
func ff(api, typ string) *Field        { return &Field{APIName: api, DataType: typ} }
func lf(api, target string) *Field {
	return &Field{APIName: api, DataType: "lookup", LookupModule: target}
}
func pf(api string, values ...string) *Field {
	return &Field{APIName: api, DataType: "picklist", PickList: values}
}
func mand(f *Field) *Field { f.SystemMandatory = true; return f }
func ro(f *Field) *Field   { f.ReadOnly = true; return f }

// Default picklists (sheet §5.4).
var (
	leadStatuses = []string{"-None-", "Attempted to Contact", "Contact in Future", "Contacted", "Junk Lead",
		"Lost Lead", "Not Contacted", "Pre-Qualified", "Not Qualified"}
	leadSources = []string{"-None-", "Advertisement", "Cold Call", "Employee Referral", "External Referral",
		"Online Store", "Partner", "Public Relations", "Sales Email Alias", "Seminar Partner", "Internal Seminar",
		"Trade Show", "Web Download", "Web Research", "Chat", "Twitter", "Facebook"}
	industries = []string{"-None-", "ASP (Application Service Provider)", "Data/Telecom OEM",
		"ERP (Enterprise Resource Planning)", "Government/Military", "Large Enterprise", "ManagementISV",
		"MSP (Management Service Provider)", "Network Equipment Enterprise", "Non-management ISV",
		"Optical Networking", "Service Provider", "Small/Medium Enterprise", "Storage Equipment",
		"Storage Service Provider", "Systems Integrator", "Wireless Industry"}
	ratings     = []string{"-None-", "Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down"}
	salutations = []string{"-None-", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof."}
	// DealStages are the stages of the "Standard (Standard)" pipeline.
	dealStages = []string{"Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
		"Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost", "Closed Lost to Competition"}
	stageProbability = map[string]int64{"Qualification": 10, "Needs Analysis": 20, "Value Proposition": 40,
		"Id. Decision Makers": 60, "Proposal/Price Quote": 75, "Negotiation/Review": 90, "Closed Won": 100,
		"Closed Lost": 0, "Closed Lost to Competition": 0}
	taskStatuses   = []string{"Not Started", "Deferred", "In Progress", "Completed", "Waiting for input"}
	taskPriorities = []string{"High", "Highest", "Low", "Lowest", "Normal"}
)

// commonFields are the system fields every module starts with.
func commonFields() []*Field {
	return []*Field{
		{APIName: "Owner", DataType: "ownerlookup", Label: "Record Owner"},
		ro(ff("Created_By", "ownerlookup")), ro(ff("Modified_By", "ownerlookup")),
		ro(ff("Created_Time", "datetime")), ro(ff("Modified_Time", "datetime")),
		ro(ff("Last_Activity_Time", "datetime")), ro(ff("Tag", "text")),
		ro(ff("Locked__s", "boolean")), ro(ff("Record_Status__s", "picklist")),
	}
}

// salesforceID is the integration field a Salesforce link adds.
func salesforceID() *Field {
	return &Field{APIName: "Salesforce_Id", Label: "Salesforce Id", DataType: "text", Length: 18, Unique: true, Custom: true}
}

// LifecycleStages are the values of Contacts' Lifecycle_Stage, in funnel
// order after "-None-".
var LifecycleStages = []string{"-None-", "Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead",
	"Opportunity", "Customer", "Evangelist", "Other"}

// lifecycleStage is the sandbox org's lifecycle field on Contacts. It is
// a custom picklist this sandbox adds (as an admin or a marketing
// integration would), not a standard Zoho CRM field: real orgs have it
// only when someone created it.
func lifecycleStage() *Field {
	return &Field{APIName: "Lifecycle_Stage", Label: "Lifecycle Stage", DataType: "picklist", Custom: true,
		PickList: LifecycleStages}
}

type moduleDef struct {
	api, singular, plural, dup, name string
	fields                           []*Field
}

// standardModules lists the modules of a fresh sandbox org.
func standardModules() []moduleDef {
	addr := func(prefix string, zip string) []*Field {
		return []*Field{tf(prefix+"Street", 250), tf(prefix+"City", 100), tf(prefix+"State", 100),
			tf(prefix+zip, 30), tf(prefix+"Country", 100)}
	}
	leads := []*Field{pf("Salutation", salutations...), tf("First_Name", 40), mand(tf("Last_Name", 80)),
		ro(tf("Full_Name", 120)), tf("Company", 200), tf("Designation", 100), ff("Email", "email"),
		ff("Secondary_Email", "email"), ff("Phone", "phone"), ff("Mobile", "phone"), ff("Fax", "phone"),
		ff("Website", "website"), tf("Skype_ID", 50), tf("Twitter", 50), pf("Lead_Source", leadSources...),
		pf("Lead_Status", leadStatuses...), pf("Industry", industries...), ff("Annual_Revenue", "currency"),
		ff("No_of_Employees", "integer"), pf("Rating", ratings...)}
	leads = append(leads, addr("", "Zip_Code")...)
	leads = append(leads, ff("Description", "textarea"), ff("Email_Opt_Out", "boolean"),
		ro(ff("Converted__s", "boolean")), ro(ff("Converted_Date_Time", "datetime")), ro(lf("Converted_Account", "Accounts")),
		ro(lf("Converted_Contact", "Contacts")), ro(lf("Converted_Deal", "Deals")), salesforceID())

	contacts := []*Field{pf("Salutation", salutations...), tf("First_Name", 40), mand(tf("Last_Name", 80)),
		ro(tf("Full_Name", 120)), ff("Email", "email"), ff("Secondary_Email", "email"), ff("Phone", "phone"),
		ff("Mobile", "phone"), ff("Home_Phone", "phone"), ff("Other_Phone", "phone"), ff("Fax", "phone"),
		tf("Assistant", 100), ff("Asst_Phone", "phone"), tf("Title", 100), tf("Department", 100),
		lf("Account_Name", "Accounts"), lf("Reporting_To", "Contacts"), pf("Lead_Source", leadSources...),
		ff("Date_of_Birth", "date")}
	contacts = append(contacts, addr("Mailing_", "Zip")...)
	contacts = append(contacts, addr("Other_", "Zip")...)
	contacts = append(contacts, ff("Description", "textarea"), ff("Email_Opt_Out", "boolean"),
		tf("Skype_ID", 50), tf("Twitter", 50), salesforceID(), lifecycleStage())

	accounts := []*Field{mand(tf("Account_Name", 200)), tf("Account_Number", 40), tf("Account_Site", 80),
		pf("Account_Type", "-None-", "Analyst", "Competitor", "Customer", "Distributor", "Integrator",
			"Investor", "Other", "Partner", "Press", "Prospect", "Reseller", "Supplier", "Vendor"),
		lf("Parent_Account", "Accounts"), pf("Industry", industries...), ff("Annual_Revenue", "currency"),
		ff("Employees", "integer"), pf("Ownership", "-None-", "Other", "Private", "Public", "Subsidiary",
			"Partnership", "Government", "Privately Held", "Public Company"),
		pf("Rating", ratings...), ff("SIC_Code", "integer"), tf("Ticker_Symbol", 30), ff("Phone", "phone"),
		ff("Fax", "phone"), ff("Website", "website")}
	accounts = append(accounts, addr("Billing_", "Code")...)
	accounts = append(accounts, addr("Shipping_", "Code")...)
	accounts = append(accounts, ff("Description", "textarea"), salesforceID(),
		&Field{APIName: "Open_Tickets", Label: "Open Tickets", DataType: "integer", Custom: true},
		&Field{APIName: "Lifetime_Won", Label: "Lifetime Won", DataType: "currency", Custom: true, DecimalPlace: 2})

	deals := []*Field{mand(tf("Deal_Name", 120)), lf("Account_Name", "Accounts"), lf("Contact_Name", "Contacts"),
		&Field{APIName: "Amount", DataType: "currency", DecimalPlace: 2}, ff("Closing_Date", "date"),
		mand(pf("Stage", dealStages...)), pf("Pipeline", "Standard (Standard)"), ff("Probability", "percent"),
		ro(ff("Expected_Revenue", "currency")), pf("Type", "-None-", "Existing Business", "New Business"),
		pf("Lead_Source", leadSources...), tf("Next_Step", 100), ff("Description", "textarea"),
		pf("Reason_For_Loss__s", "-None-", "Lost to Competitor", "Price", "Other"),
		ro(ff("Sales_Cycle_Duration", "integer")), ro(ff("Overall_Sales_Duration", "integer")), salesforceID()}

	tasks := []*Field{mand(tf("Subject", 255)), ff("Due_Date", "date"), pf("Status", taskStatuses...),
		pf("Priority", taskPriorities...), lf("What_Id", ""), lf("Who_Id", "Contacts"),
		ff("Description", "textarea"), ro(ff("Closed_Time", "datetime")), ff("Send_Notification_Email", "boolean")}

	notes := []*Field{tf("Note_Title", 120), mand(ff("Note_Content", "textarea")), mand(lf("Parent_Id", ""))}

	events := []*Field{mand(tf("Event_Title", 255)), mand(ff("Start_DateTime", "datetime")),
		mand(ff("End_DateTime", "datetime")), tf("Venue", 255), lf("What_Id", ""), lf("Who_Id", "Contacts"),
		ff("Description", "textarea")}
	calls := []*Field{mand(tf("Subject", 255)), mand(pf("Call_Type", "Outbound", "Inbound", "Missed")),
		mand(ff("Call_Start_Time", "datetime")), mand(tf("Call_Duration", 20)), lf("What_Id", ""),
		lf("Who_Id", "Contacts"), ff("Description", "textarea")}

	return []moduleDef{
		{"Leads", "Lead", "Leads", "Email", "Full_Name", leads},
		{"Contacts", "Contact", "Contacts", "Email", "Full_Name", contacts},
		{"Accounts", "Account", "Accounts", "Account_Name", "Account_Name", accounts},
		{"Deals", "Deal", "Deals", "Deal_Name", "Deal_Name", deals},
		{"Tasks", "Task", "Tasks", "", "Subject", tasks},
		{"Events", "Meeting", "Meetings", "", "Event_Title", events},
		{"Calls", "Call", "Calls", "", "Subject", calls},
		{"Notes", "Note", "Notes", "", "Note_Title", notes},
	}
}
