-- staging.stg_zoho_campaigns__recipients (sql/staging/stg_zoho_campaigns__recipients.sql)
WITH events AS (
    SELECT
        CAST(NULL AS STRING) AS event_id,
        CAST(NULL AS STRING) AS campaign_key,
        CAST(NULL AS STRING) AS action,
        CAST(NULL AS STRING) AS email,
        CAST(NULL AS STRING) AS first_name,
        CAST(NULL AS STRING) AS last_name,
        CAST(NULL AS STRING) AS company,
        CAST(NULL AS TIMESTAMP) AS event_time,
        CAST(NULL AS TIMESTAMP) AS sent_time,
        CAST(NULL AS TIMESTAMP) AS extracted_at
    WHERE 1 = 0

    UNION ALL
    SELECT id, campaign_key, action, email, first_name, last_name, company, event_time, sent_time, _extracted_at
    FROM `zoho_campaigns`.`campaign_recipients`
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
