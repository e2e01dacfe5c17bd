-- Zoho Campaigns recipient events: one row per campaign × e-mail × action
-- (sent, opened, clicked, unsubscribed, hard_bounce, soft_bounce, and any
-- other action the source reads), from the zoho_campaigns source's
-- campaign_recipients. email_norm is the address lower-cased without a
-- +tag, as identity normalizes people's e-mails. event_time is when the
-- action happened, NULL when Campaigns did not say. Empty (not skipped)
-- while no zoho_campaigns source has landed.
-- config: materialized=view
-- test: unique event_id
-- test: not_null campaign_key
-- test: not_null email
-- test: accepted_values action: sent,opened,unopened,clicked,unsubscribed,spam,hard_bounce,soft_bounce,unsent
WITH events AS (
    SELECT
        {{ cast "NULL" "varchar" }} AS event_id,
        {{ cast "NULL" "varchar" }} AS campaign_key,
        {{ cast "NULL" "varchar" }} AS action,
        {{ cast "NULL" "varchar" }} AS email,
        {{ cast "NULL" "varchar" }} AS first_name,
        {{ cast "NULL" "varchar" }} AS last_name,
        {{ cast "NULL" "varchar" }} AS company,
        {{ cast "NULL" "timestamp" }} AS event_time,
        {{ cast "NULL" "timestamp" }} AS sent_time,
        {{ cast "NULL" "timestamp" }} AS extracted_at
    WHERE 1 = 0
{{- if source_exists "zoho_campaigns" "campaign_recipients" }}

    UNION ALL
    SELECT id, campaign_key, action, email, first_name, last_name, company, event_time, sent_time, _extracted_at
    FROM {{ source "zoho_campaigns" "campaign_recipients" }}
    WHERE _deleted_at IS NULL
{{- end }}
)

SELECT
    event_id,
    campaign_key,
    action,
    trim(email) AS email,
    nullif({{ regexp_replace "lower(trim(email))" `'\+[^@]*@'` "'@'" }}, '') AS email_norm,
    first_name,
    last_name,
    company,
    event_time,
    sent_time,
    extracted_at
FROM events
