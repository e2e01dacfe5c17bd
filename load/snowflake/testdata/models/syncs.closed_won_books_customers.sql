-- syncs.closed_won_books_customers (sql/syncs/closed_won_books_customers.sql, view)
WITH won AS (
    SELECT
        d.source_id AS opportunity_id,
        d.company_id,
        d.account_source_id,
        d.contact_source_id,
        d.close_date,
        d.created_at
    FROM "CORE"."DEALS" AS d
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
        FROM "STAGING"."STG_SALESFORCE__CONTACT" AS c
        WHERE c.account_id IS NOT NULL
    ) AS ranked
    WHERE nth = 1
),

-- The keys this sync wrote customers under, and for a live company the
-- key of a company merged into it (when it has none of its own).
written AS (
    SELECT CAST(NULL AS VARCHAR) AS company_id, CAST(NULL AS VARCHAR) AS written_key
    WHERE 1 = 0
    UNION ALL
    SELECT g.resolves_to, min(s.key)
    FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS" AS s
    JOIN "IDENTITY"."GOLDEN_IDS" AS g ON g.golden_id = s.key
    WHERE s.sync = 'closed_won_books_customers' AND s.destination_id IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS" AS own
          WHERE own.sync = s.sync AND own.key = g.resolves_to AND own.destination_id IS NOT NULL)
    GROUP BY g.resolves_to
),

primary_contacts AS (
    SELECT l.*, coalesce(oc.contact_id, f.contact_id) AS primary_contact_id
    FROM latest AS l
    LEFT JOIN "STAGING"."STG_SALESFORCE__CONTACT" AS oc ON oc.contact_id = l.contact_source_id
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
JOIN "STAGING"."STG_SALESFORCE__ACCOUNT" AS a ON a.account_id = l.account_source_id
LEFT JOIN "STAGING"."STG_SALESFORCE__CONTACT" AS p ON p.contact_id = l.primary_contact_id
LEFT JOIN written AS k ON k.company_id = l.company_id
WHERE nullif(trim(a.name), '') IS NOT NULL
