package main

import (
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// The "Zoho Campaigns engagement → CRM" template (configs/syncs/
// campaign_engagement.yaml, sql/syncs/engagement_*.sql): its syncs join
// the config the sandbox writes, and the sandbox's orgs get the custom
// fields it writes, as an admin would create them before enabling it.
func init() {
	sandboxSuiteSyncs = append(sandboxSuiteSyncs, engagementSyncs)
	sfTemplateFields = append(sfTemplateFields, engagementSFFields...)
	zohoTemplateFields = append(zohoTemplateFields, engagementZohoFields...)
}

// engagementSyncs is configs/syncs/campaign_engagement.yaml indented as
// the syncs: section of sandboxConfig (TestTemplateConfigMatchesFiles
// holds them equal).
const engagementSyncs = `
  # Zoho Campaigns engagement → CRM: score, last engagement and e-mail
  # opt-out on leads and contacts, each response a Salesforce Task
  # (configs/syncs/campaign_engagement.yaml)
  - name: engagement_sf_leads
    model: syncs.engagement_sf_leads
    destination: {source: salesforce, object: Lead}
    mode: update
    match: {by: id}
    key: lead_id
    mapping:
      Lead_Score__c: {column: score, skip_nulls: true}
      Lead_Score_Band__c: {column: band, skip_nulls: true}
      Last_Engagement__c: {column: last_engagement_at, skip_nulls: true}
      HasOptedOutOfEmail: {column: opted_out, skip_nulls: true}

  - name: engagement_sf_contacts
    model: syncs.engagement_sf_contacts
    destination: {source: salesforce, object: Contact}
    mode: update
    match: {by: id}
    key: contact_id
    mapping:
      Lead_Score__c: {column: score, skip_nulls: true}
      Lead_Score_Band__c: {column: band, skip_nulls: true}
      Last_Engagement__c: {column: last_engagement_at, skip_nulls: true}
      HasOptedOutOfEmail: {column: opted_out, skip_nulls: true}

  - name: engagement_zoho_leads
    model: syncs.engagement_zoho_leads
    destination: {source: zoho_crm, object: Leads}
    mode: update
    match: {by: id}
    key: lead_id
    mapping:
      Lead_Score: {column: score, skip_nulls: true}
      Lead_Score_Band: {column: band, skip_nulls: true}
      Last_Engagement: {column: last_engagement_at, skip_nulls: true}
      Email_Opt_Out: {column: opted_out, skip_nulls: true}

  - name: engagement_zoho_contacts
    model: syncs.engagement_zoho_contacts
    destination: {source: zoho_crm, object: Contacts}
    mode: update
    match: {by: id}
    key: contact_id
    mapping:
      Lead_Score: {column: score, skip_nulls: true}
      Lead_Score_Band: {column: band, skip_nulls: true}
      Last_Engagement: {column: last_engagement_at, skip_nulls: true}
      Email_Opt_Out: {column: opted_out, skip_nulls: true}

  - name: engagement_sf_tasks
    model: syncs.engagement_sf_tasks
    destination: {source: salesforce, object: Task}
    mode: upsert
    match: {by: external_id, field: Zoho_Campaigns_Response_Id__c}
    key: response_id
    mapping:
      Zoho_Campaigns_Response_Id__c: {column: response_id}
      Subject: {column: subject}
      Description: {column: description}
      ActivityDate: {column: activity_date}
      WhoId: {column: who_id}
      Status: {value: Completed}
      Priority: {value: Normal}
      Type: {value: Email}
`

// engagementSFFields are the Salesforce custom fields the template writes:
// the score as a whole number (Number(18, 0)), its band as text (the band
// names are a seed you may edit), the last engagement, and the Task's
// external id, unique, that makes each response one Task.
var engagementSFFields = []struct {
	object string
	field  sftest.Field
}{
	{"Lead", sftest.Field{Name: "Lead_Score__c", Label: "Lead Score", Type: sftest.TypeDouble, Precision: 18}},
	{"Lead", sftest.Field{Name: "Lead_Score_Band__c", Label: "Lead Score Band", Type: sftest.TypeString, Length: 40}},
	{"Lead", sftest.Field{Name: "Last_Engagement__c", Label: "Last Engagement", Type: sftest.TypeDateTime}},
	{"Contact", sftest.Field{Name: "Lead_Score__c", Label: "Lead Score", Type: sftest.TypeDouble, Precision: 18}},
	{"Contact", sftest.Field{Name: "Lead_Score_Band__c", Label: "Lead Score Band", Type: sftest.TypeString, Length: 40}},
	{"Contact", sftest.Field{Name: "Last_Engagement__c", Label: "Last Engagement", Type: sftest.TypeDateTime}},
	{"Task", sftest.Field{Name: "Zoho_Campaigns_Response_Id__c", Label: "Zoho Campaigns Response Id", Type: sftest.TypeString,
		Length: 255, ExternalID: true, Unique: true, IDLookup: true}},
}

// engagementZohoFields are the same fields on Zoho CRM Leads and Contacts.
var engagementZohoFields = []struct {
	module string
	field  zohotest.Field
}{
	{"Leads", zohotest.Field{APIName: "Lead_Score", DataType: "integer", Custom: true}},
	{"Leads", zohotest.Field{APIName: "Lead_Score_Band", DataType: "text", Length: 40, Custom: true}},
	{"Leads", zohotest.Field{APIName: "Last_Engagement", DataType: "datetime", Custom: true}},
	{"Contacts", zohotest.Field{APIName: "Lead_Score", DataType: "integer", Custom: true}},
	{"Contacts", zohotest.Field{APIName: "Lead_Score_Band", DataType: "text", Length: 40, Custom: true}},
	{"Contacts", zohotest.Field{APIName: "Last_Engagement", DataType: "datetime", Custom: true}},
}
