-- staging.stg_zoho_campaigns__campaigns (sql/staging/stg_zoho_campaigns__campaigns.sql, view)
WITH campaigns AS (
    SELECT
        CAST(NULL AS VARCHAR) AS campaign_key,
        CAST(NULL AS VARCHAR) AS campaign_name,
        CAST(NULL AS VARCHAR) AS campaign_status,
        CAST(NULL AS VARCHAR) AS email_subject,
        CAST(NULL AS VARCHAR) AS email_from,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at,
        CAST(NULL AS TIMESTAMP_TZ) AS sent_at,
        CAST(NULL AS NUMBER(38,0)) AS delivered_count,
        CAST(NULL AS NUMBER(38,0)) AS opens_count,
        CAST(NULL AS NUMBER(38,0)) AS clicks_count,
        CAST(NULL AS NUMBER(38,0)) AS unsubscribes_count,
        CAST(NULL AS NUMBER(38,0)) AS bounces_count,
        CAST(NULL AS NUMBER(38,0)) AS hard_bounces_count,
        CAST(NULL AS NUMBER(38,0)) AS soft_bounces_count,
        CAST(NULL AS NUMBER(38,0)) AS spams_count,
        CAST(NULL AS NUMBER(38,0)) AS unopened_count,
        CAST(NULL AS TIMESTAMP_TZ) AS extracted_at
    WHERE 1 = 0

    UNION ALL
    SELECT
        campaign_key, campaign_name, campaign_status, email_subject, email_from, created_time, sent_time,
        delivered_count, opens_count, unique_clicks_count, unsub_count, bounces_count, hardbounce_count,
        softbounce_count, spams_count, unopened, _extracted_at
    FROM "ZOHO_CAMPAIGNS"."CAMPAIGNS"
    WHERE _deleted_at IS NULL
)

SELECT * FROM campaigns
