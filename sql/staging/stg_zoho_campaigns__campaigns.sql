-- Zoho Campaigns campaigns: one row per sent campaign with its report's
-- counts (recipients who opened, clicked, unsubscribed, bounced), from the
-- zoho_campaigns source's campaigns. Empty (not skipped) while no
-- zoho_campaigns source has landed.
-- config: materialized=view
-- test: unique campaign_key
-- test: not_null campaign_key
WITH campaigns AS (
    SELECT
        {{ cast "NULL" "varchar" }} AS campaign_key,
        {{ cast "NULL" "varchar" }} AS campaign_name,
        {{ cast "NULL" "varchar" }} AS campaign_status,
        {{ cast "NULL" "varchar" }} AS email_subject,
        {{ cast "NULL" "varchar" }} AS email_from,
        {{ cast "NULL" "timestamp" }} AS created_at,
        {{ cast "NULL" "timestamp" }} AS sent_at,
        {{ cast "NULL" "bigint" }} AS delivered_count,
        {{ cast "NULL" "bigint" }} AS opens_count,
        {{ cast "NULL" "bigint" }} AS clicks_count,
        {{ cast "NULL" "bigint" }} AS unsubscribes_count,
        {{ cast "NULL" "bigint" }} AS bounces_count,
        {{ cast "NULL" "bigint" }} AS hard_bounces_count,
        {{ cast "NULL" "bigint" }} AS soft_bounces_count,
        {{ cast "NULL" "bigint" }} AS spams_count,
        {{ cast "NULL" "bigint" }} AS unopened_count,
        {{ cast "NULL" "timestamp" }} AS extracted_at
    WHERE 1 = 0
{{- if source_exists "zoho_campaigns" "campaigns" }}

    UNION ALL
    SELECT
        campaign_key, campaign_name, campaign_status, email_subject, email_from, created_time, sent_time,
        delivered_count, opens_count, unique_clicks_count, unsub_count, bounces_count, hardbounce_count,
        softbounce_count, spams_count, unopened, _extracted_at
    FROM {{ source "zoho_campaigns" "campaigns" }}
    WHERE _deleted_at IS NULL
{{- end }}
)

SELECT * FROM campaigns
