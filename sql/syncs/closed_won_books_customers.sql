-- syncs.closed_won_books_customers: one Zoho Books customer per company
-- that won a Salesforce opportunity (Closed Won), for the sync
-- closed_won_books_customers (Closed Won → Zoho Books + Zoho Projects).
--   - Key: the golden company id (identity.crosswalk), stamped on the
--     customer's unique custom field cf_revops_id. One customer per
--     company even when Salesforce holds the company twice, the same id
--     the enrichment templates write as Revops_Company_Id, and stable
--     across builds. The sync finds the customer by it, else by the
--     primary person's e-mail or the display name, so a customer Books
--     already holds is updated and stamped, never duplicated.
--   - A customer keeps the id it was stamped with: when identity merges
--     that company into another (identity.golden_ids resolves the old id
--     to the survivor), the survivor's row keeps the old id as its key and
--     stamp (the one written first when several were), so the sync goes on
--     updating that customer instead of looking for one by the new id.
--   - The customer's values come from the Salesforce account of the
--     company's latest won opportunity (latest close date): name, website,
--     phone and billing address.
--   - The primary contact person: the opportunity's contact (ContactId),
--     else the account's first contact (the earliest created, one with an
--     e-mail first).
-- A row is written when it first appears (the deal reaches Closed Won) and
-- again only when its values change; a deal reopened and won again writes
-- nothing new. Filter (which companies take part): edit the WHERE of
-- `won`, e.g. by amount (d.amount), type (d.deal_type) or owner. Renaming
-- the sync? Rename it in `written` too.
-- config: materialized=view
-- test: unique company_id
-- test: not_null company_id
-- test: not_null customer_name
WITH won AS (
    SELECT
        d.source_id AS opportunity_id,
        d.company_id,
        d.account_source_id,
        d.contact_source_id,
        d.close_date,
        d.created_at
    FROM {{ ref "core.deals" }} AS d
    WHERE d.source_system = 'salesforce'
      AND d.is_won
      AND d.company_id IS NOT NULL
      AND d.account_source_id IS NOT NULL
),

-- The latest won deal per company: by close date, never by a modified
-- time (revops writes the project id back on the opportunity).
latest AS (
    SELECT *
    FROM (
        SELECT
            w.*,
            row_number() OVER (
                PARTITION BY w.company_id
                ORDER BY w.close_date DESC NULLS LAST, w.created_at DESC NULLS LAST, w.opportunity_id DESC
            ) AS nth
        FROM won AS w
    ) AS ranked
    WHERE nth = 1
),

first_contacts AS (
    SELECT account_id, contact_id
    FROM (
        SELECT
            c.account_id,
            c.contact_id,
            row_number() OVER (
                PARTITION BY c.account_id
                ORDER BY c.email IS NULL, c.created_at NULLS LAST, c.contact_id
            ) AS nth
        FROM {{ ref "stg_salesforce__contact" }} AS c
        WHERE c.account_id IS NOT NULL
    ) AS ranked
    WHERE nth = 1
),

-- The keys this sync wrote customers under, and for a live company the
-- key of a company merged into it (when it has none of its own).
written AS (
    SELECT {{ cast "NULL" "varchar" }} AS company_id, {{ cast "NULL" "varchar" }} AS written_key
    WHERE 1 = 0
{{- if source_exists "identity" "state_sync_snapshots" }}
    UNION ALL
    SELECT g.resolves_to, min(s.key)
    FROM {{ source "identity" "state_sync_snapshots" }} AS s
    JOIN {{ ref "identity.golden_ids" }} AS g ON g.golden_id = s.key
    WHERE s.sync = 'closed_won_books_customers' AND s.destination_id IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM {{ source "identity" "state_sync_snapshots" }} AS own
          WHERE own.sync = s.sync AND own.key = g.resolves_to AND own.destination_id IS NOT NULL)
    GROUP BY g.resolves_to
{{- end }}
),

primary_contacts AS (
    SELECT l.*, coalesce(oc.contact_id, f.contact_id) AS primary_contact_id
    FROM latest AS l
    LEFT JOIN {{ ref "stg_salesforce__contact" }} AS oc ON oc.contact_id = l.contact_source_id
    LEFT JOIN first_contacts AS f ON f.account_id = l.account_source_id
)

SELECT
    coalesce(k.written_key, l.company_id)   AS company_id,
    l.opportunity_id,
    trim(a.name)                            AS customer_name,
    trim(a.name)                            AS company_name,
    nullif(trim(a.website), '')             AS website,
    nullif(trim(a.billing_street), '')      AS billing_street,
    nullif(trim(a.billing_city), '')        AS billing_city,
    nullif(trim(a.billing_state), '')       AS billing_state,
    nullif(trim(a.billing_postal_code), '') AS billing_zip,
    nullif(trim(a.billing_country), '')     AS billing_country,
    nullif(trim(a.phone), '')               AS billing_phone,
    nullif(trim(p.first_name), '')          AS first_name,
    nullif(trim(p.last_name), '')           AS last_name,
    nullif(lower(trim(p.email)), '')        AS email,
    nullif(trim(p.phone), '')               AS phone,
    nullif(trim(p.title), '')               AS designation
FROM primary_contacts AS l
JOIN {{ ref "stg_salesforce__account" }} AS a ON a.account_id = l.account_source_id
LEFT JOIN {{ ref "stg_salesforce__contact" }} AS p ON p.contact_id = l.primary_contact_id
LEFT JOIN written AS k ON k.company_id = l.company_id
WHERE nullif(trim(a.name), '') IS NOT NULL
