package main

import "github.com/revops/revops/crm/salesforce/sftest"

// The Closed Won → Zoho Books customer + Zoho Projects onboarding project
// template (configs/syncs/closed_won_books_projects.yaml, the models
// sql/syncs/closed_won_books_customers.sql, closed_won_onboarding_projects.sql
// and onboarding_project_ids_sf.sql): its syncs in the config the sandbox
// writes, and the Salesforce field the project id is written back to.
func init() {
	sandboxSuiteSyncs = append(sandboxSuiteSyncs, closedWonSuiteSyncs)
	sfTemplateFields = append(sfTemplateFields, struct {
		object string
		field  sftest.Field
	}{"Opportunity", sftest.Field{Name: "Onboarding_Project_Id__c", Label: "Onboarding Project Id", Type: sftest.TypeString, Length: 64}})
}

// closedWonSuiteSyncs are the entries of configs/syncs/closed_won_books_projects.yaml,
// indented as the syncs: section of sandboxConfig.
const closedWonSuiteSyncs = `
  # Closed Won → Zoho Books customer + Zoho Projects onboarding project (configs/syncs/closed_won_books_projects.yaml)
  - name: closed_won_books_customers
    model: syncs.closed_won_books_customers
    destination: {source: zoho_books, object: contacts}
    mode: upsert                   # creates the customers Books lacks
    match: {by: external_id, field: cf_revops_id}   # then e-mail, then name
    key: company_id
    mapping:
      cf_revops_id: {column: company_id}
      contact_name: {column: customer_name}
      company_name: {column: company_name}
      contact_type: {value: customer}
      website: {column: website, skip_nulls: true}
      billing_address: {column: billing_street, skip_nulls: true}
      billing_city: {column: billing_city, skip_nulls: true}
      billing_state: {column: billing_state, skip_nulls: true}
      billing_zip: {column: billing_zip, skip_nulls: true}
      billing_country: {column: billing_country, skip_nulls: true}
      billing_phone: {column: billing_phone, skip_nulls: true}
      first_name: {column: first_name, skip_nulls: true}
      last_name: {column: last_name, skip_nulls: true}
      email: {column: email, skip_nulls: true}
      phone: {column: phone, skip_nulls: true}
      designation: {column: designation, skip_nulls: true}

  - name: closed_won_onboarding_projects
    model: syncs.closed_won_onboarding_projects
    destination: {source: zoho_projects, object: projects}
    mode: upsert
    match: {by: duplicate_check, fields: [name]}   # the name holds the opportunity id
    key: opportunity_id
    mapping:
      name: {column: project_name}
      description: {column: description}
      start_date: {column: start_date, skip_nulls: true}
      template: {column: template, never_overwrite: true}   # read on create only

  - name: onboarding_project_ids_to_sf
    model: syncs.onboarding_project_ids_sf
    destination: {source: salesforce, object: Opportunity}
    mode: update                   # never creates opportunities
    match: {by: id}
    key: opportunity_id
    mapping:
      Onboarding_Project_Id__c:
        lookup: {sync: closed_won_onboarding_projects, column: opportunity_id}
`
