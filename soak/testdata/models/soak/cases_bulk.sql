-- soak.cases_bulk: soak_case_factor Salesforce cases per live Zoho contact,
-- for the sync soak_cases_bulk (upsert on Soak_Key__c). The factor makes
-- the first run send more rows than the Bulk API 2.0 threshold; a contact
-- renamed, or an account renamed (the contacts' lookup name), changes
-- factor rows, sent through sObject Collections.
-- config: materialized=view
SELECT
    c.id || '-' || CAST(r.i AS VARCHAR)                                   AS case_key,
    'Soak ' || coalesce(c.First_Name || ' ', '') || coalesce(c.Last_Name, '')
        || ' #' || CAST(r.i AS VARCHAR)                                    AS subject,
    'contact ' || c.id || ' at ' || coalesce(c.Account_Name.name, '(no account)') AS description
FROM {{ source "zoho_crm" "contacts" }} AS c
CROSS JOIN range({{ var "soak_case_factor" }}) AS r(i)
WHERE c._deleted_at IS NULL
