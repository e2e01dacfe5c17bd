-- staging.stg_zoho_campaigns__recipients (sql/staging/stg_zoho_campaigns__recipients.sql, view)
WITH events AS (
    SELECT
        CAST(NULL AS VARCHAR) AS event_id,
        CAST(NULL AS VARCHAR) AS campaign_key,
        CAST(NULL AS VARCHAR) AS action,
        CAST(NULL AS VARCHAR) AS email,
        CAST(NULL AS VARCHAR) AS first_name,
        CAST(NULL AS VARCHAR) AS last_name,
        CAST(NULL AS VARCHAR) AS company,
        CAST(NULL AS TIMESTAMP_TZ) AS event_time,
        CAST(NULL AS TIMESTAMP_TZ) AS sent_time,
        CAST(NULL AS TIMESTAMP_TZ) AS extracted_at
    WHERE 1 = 0

    UNION ALL
    SELECT id, campaign_key, action, email, first_name, last_name, company, event_time, sent_time, _extracted_at
    FROM "ZOHO_CAMPAIGNS"."CAMPAIGN_RECIPIENTS"
    WHERE _deleted_at IS NULL
)

SELECT
    event_id,
    campaign_key,
    action,
    trim(email) AS email,
    nullif(REGEXP_REPLACE(lower(trim(email)), '\\+[^@]*@', '@'), '') AS email_norm,
    first_name,
    last_name,
    company,
    event_time,
    sent_time,
    extracted_at
FROM events
