// Package sandbox holds the parts every API emulator shares: a seeded,
// deterministic world of companies, people, deals, tickets and tasks
// (Generate), the noisy per-system copy of it each emulator seeds itself
// with (World.Project), the ground truth linking seeded records to world
// entities (Truth, WriteTruth), request counters (Counters), scheduled fault
// injection (Faults, ParseRules) and the HTTP middleware that ties counters
// and faults to an emulator's handler (Emulator).
//
// The package does not import testing: `revops sandbox` serves emulators
// built on it.
package sandbox

import "time"

// DefaultNow is the instant a World is generated "at" when Options.Now is
// zero, so that the output is deterministic.
var DefaultNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// System names a source system an emulator plays.
type System string

// The systems a World projects onto.
const (
	Salesforce System = "salesforce"
	ZohoCRM    System = "zoho_crm"
	ZohoDesk   System = "zoho_desk"
)

// Stage is a normalized deal stage. Emulators map it to their own picklist
// labels.
type Stage string

// The normalized deal stages, in pipeline order; closed_won and closed_lost
// are terminal.
const (
	StageProspecting      Stage = "prospecting"
	StageQualification    Stage = "qualification"
	StageNeedsAnalysis    Stage = "needs_analysis"
	StageValueProposition Stage = "value_proposition"
	StageProposal         Stage = "proposal"
	StageNegotiation      Stage = "negotiation"
	StageClosedWon        Stage = "closed_won"
	StageClosedLost       Stage = "closed_lost"
)

// Stages lists the normalized stages in pipeline order (the closed ones last).
func Stages() []Stage {
	return []Stage{StageProspecting, StageQualification, StageNeedsAnalysis,
		StageValueProposition, StageProposal, StageNegotiation, StageClosedWon, StageClosedLost}
}

// Rank is the stage's position in pipeline order (0 for prospecting), or -1
// for an unknown stage. Both closed stages rank after negotiation.
func (s Stage) Rank() int {
	switch s {
	case StageProspecting:
		return 0
	case StageQualification:
		return 1
	case StageNeedsAnalysis:
		return 2
	case StageValueProposition:
		return 3
	case StageProposal:
		return 4
	case StageNegotiation:
		return 5
	case StageClosedWon, StageClosedLost:
		return 6
	}
	return -1
}

// Closed reports whether s is a terminal stage.
func (s Stage) Closed() bool { return s == StageClosedWon || s == StageClosedLost }

// Won reports whether s is closed_won.
func (s Stage) Won() bool { return s == StageClosedWon }

// LeadStatus is a normalized lead status. Emulators map it to their own
// picklist labels.
type LeadStatus string

// The normalized lead statuses.
const (
	LeadNew         LeadStatus = "new"
	LeadContacted   LeadStatus = "contacted"
	LeadQualified   LeadStatus = "qualified"
	LeadUnqualified LeadStatus = "unqualified"
)

// Options configures Generate.
type Options struct {
	// Seed makes the world: the same Seed and Records give a byte-identical World.
	Seed int64
	// Records is the approximate number of records per system, 100..1_000_000
	// (values outside are clamped).
	Records int
	// Now is the instant the world is generated at; all times lie before it.
	// Zero means DefaultNow.
	Now time.Time
}

// Presence is the set of systems an entity is recorded in.
type Presence uint8

// Presence bits.
const (
	InSalesforce Presence = 1 << iota
	InZohoCRM
	InZohoDesk
)

// Has reports whether p includes sys.
func (p Presence) Has(sys System) bool {
	switch sys {
	case Salesforce:
		return p&InSalesforce != 0
	case ZohoCRM:
		return p&InZohoCRM != 0
	case ZohoDesk:
		return p&InZohoDesk != 0
	case ZohoCampaigns:
		return p&InZohoCampaigns != 0
	}
	return false
}

// World is the true state of a fictional business: every entity once,
// clean. Systems hold noisy, partial copies of it (Project). Index fields
// (…Idx) point into the World's own slices; -1 means none.
type World struct {
	Seed      int64
	Now       time.Time
	Users     []User
	Companies []Company
	People    []Person
	Deals     []Deal
	Tickets   []Ticket
	Tasks     []Task
	// Cases are support requests logged in Salesforce (Service Cloud), by
	// contacts of Salesforce accounts; CampaignMembers put Salesforce leads
	// and contacts into Campaigns (salesforce_extras.go).
	Cases           []Ticket
	Campaigns       []Campaign
	CampaignMembers []CampaignMember
}

// User is a sales rep or support agent who owns records. Users exist in
// every system.
type User struct {
	EntityID  string // "E-U-000001"
	FirstName string
	LastName  string
	Email     string
	Phone     string
	Title     string
	Active    bool
	CreatedAt time.Time
}

// Company is an organization: an Account in the CRMs and in Desk.
type Company struct {
	EntityID      string // "E-C-000042"
	Name          string // full legal name, e.g. "Northwind Analytics GmbH"
	BaseName      string // Name without its legal suffix
	Suffix        string // legal suffix ("Inc.", "GmbH", …) or ""
	Domain        string // primary web/email domain, e.g. "northwind-analytics.de"
	AltDomain     string // a second email domain some records use, or ""
	Industry      string
	Employees     int
	AnnualRevenue float64
	Phone         string // E.164, e.g. "+14155550134"
	Street        string
	City          string
	State         string
	PostalCode    string
	Country       string // English name, e.g. "United States"; systems may hold aliases ("USA")
	OwnerIdx      int
	Presence      Presence
	CreatedAt     time.Time
	ModifiedAt    time.Time
}

// Person is a human at a company: a Contact, or a Lead while IsLead.
type Person struct {
	EntityID   string // "E-P-000123"
	FirstName  string
	LastName   string
	Title      string
	OldTitle   string // a previous title stale copies may still carry, or ""
	Email      string // at the company domain
	Phone      string // E.164
	Mobile     string // E.164 or ""
	City       string
	OldCity    string // a previous city stale copies may still carry, or ""
	State      string
	Country    string // English name, like Company.Country
	CompanyIdx int    // the employer; leads' companies may not be accounts anywhere
	IsLead     bool   // not converted yet: recorded as a Lead
	LeadSource string
	LeadStatus LeadStatus // meaningful when IsLead
	OwnerIdx   int
	Presence   Presence
	CreatedAt  time.Time
	ModifiedAt time.Time
}

// StageChange is one entry of a deal's stage history: the deal entered
// Stage at At with the given Amount and CloseDate.
type StageChange struct {
	Stage     Stage
	Amount    float64
	CloseDate time.Time
	At        time.Time
}

// Deal is a sales opportunity.
type Deal struct {
	EntityID    string // "E-D-000007"
	Name        string
	Amount      float64
	Stage       Stage
	CloseDate   time.Time // a date (midnight UTC)
	Probability int
	LeadSource  string
	Type        string // "New Business", "Existing Business"
	CompanyIdx  int
	PersonIdx   int
	OwnerIdx    int
	History     []StageChange // oldest first; the last entry is Stage
	Presence    Presence
	CreatedAt   time.Time
	ModifiedAt  time.Time
}

// Ticket is a support request, recorded in Zoho Desk only.
type Ticket struct {
	EntityID        string // "E-T-000099"
	Subject         string
	Description     string
	Status          string // Open, On Hold, Escalated, Closed
	Priority        string // Low, Medium, High, Urgent
	Channel         string // Email, Phone, Web, Chat
	PersonIdx       int
	CompanyIdx      int
	CreatedAt       time.Time
	ModifiedAt      time.Time
	FirstResponseAt *time.Time
	ClosedAt        *time.Time
	DueDate         *time.Time
}

// Task is an activity (call, email, meeting) about a person and maybe a deal.
type Task struct {
	EntityID   string // "E-K-000005"
	Subject    string
	Type       string // Call, Email, Meeting
	Status     string // Not Started, In Progress, Completed, Deferred
	Priority   string // High, Normal, Low
	PersonIdx  int
	DealIdx    int
	OwnerIdx   int
	Presence   Presence
	DueDate    time.Time
	CreatedAt  time.Time
	ModifiedAt time.Time
}

// Projection is what one system holds: a noisy, partial copy of a World.
// Index fields (…Idx) point into the Projection's own slices; -1 means none.
// The same EntityID may appear more than once in one slice (a duplicate).
type Projection struct {
	System   System
	Users    []User
	Accounts []Account
	Contacts []Contact
	Leads    []Lead
	Deals    []ProjDeal
	Tickets  []ProjTicket
	Tasks    []ProjTask
	// Cases, Campaigns and CampaignMembers are Salesforce's only.
	Cases           []ProjTicket
	Campaigns       []ProjCampaign
	CampaignMembers []ProjCampaignMember
	// EmailCampaigns and Recipients are Zoho Campaigns' only.
	EmailCampaigns []ProjEmailCampaign
	Recipients     []ProjRecipient
}

// Account is a company as one system records it.
type Account struct {
	EntityID, Name, Website, Industry, Phone, Street, City, State, PostalCode, Country string
	Employees                                                                          int
	AnnualRevenue                                                                      float64
	OwnerIdx                                                                           int
	CreatedAt, ModifiedAt                                                              time.Time
}

// Contact is a person as one system records it.
type Contact struct {
	EntityID, FirstName, LastName, Title, Email, Phone, Mobile, MailingCity, MailingState, MailingCountry, LeadSource string
	AccountIdx, OwnerIdx                                                                                              int
	CreatedAt, ModifiedAt                                                                                             time.Time
}

// Lead is an unconverted person as one system records it.
type Lead struct {
	EntityID, FirstName, LastName, Company, Title, Email, Phone, City, State, Country, LeadSource string
	Status                                                                                        LeadStatus
	Industry                                                                                      string
	AnnualRevenue                                                                                 float64
	OwnerIdx                                                                                      int
	CreatedAt, ModifiedAt                                                                         time.Time
}

// ProjDeal is a deal as one system records it.
type ProjDeal struct {
	EntityID, Name                   string
	Amount                           float64
	Stage                            Stage
	CloseDate                        time.Time // a date (midnight UTC)
	Probability                      int
	LeadSource, Type                 string
	AccountIdx, ContactIdx, OwnerIdx int
	History                          []StageChange
	CreatedAt, ModifiedAt            time.Time
}

// ProjTicket is a ticket as Zoho Desk records it.
type ProjTicket struct {
	EntityID, Subject, Description, Status, Priority, Channel, Email, Phone string
	ContactIdx, AccountIdx                                                  int
	CreatedAt, ModifiedAt                                                   time.Time
	FirstResponseAt, ClosedAt                                               *time.Time
	DueDate                                                                 *time.Time
}

// ProjTask is a task as one CRM records it.
type ProjTask struct {
	EntityID, Subject, Status, Priority, Type          string
	ContactIdx, LeadIdx, DealIdx, AccountIdx, OwnerIdx int
	DueDate                                            time.Time
	CreatedAt, ModifiedAt                              time.Time
}

// Truth links one seeded record, by the id its emulator gave it, to the
// world entity it copies.
type Truth struct {
	System   System
	Object   string // the system's object/module name, e.g. "Contact", "Leads"
	RecordID string
	EntityID string
}
