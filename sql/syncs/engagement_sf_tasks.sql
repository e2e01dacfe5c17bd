-- syncs.engagement_sf_tasks: one completed Salesforce Task per Zoho
-- Campaigns response, logged on the responding person's Salesforce record
-- by the sync engagement_sf_tasks (upsert on the Task's external id
-- Zoho_Campaigns_Response_Id__c: a response is logged once, whatever
-- re-runs, resyncs or killed runs).
--   - A response is an open or a click of a campaign (core.email_events
--     actions opened and clicked; a click brings its open, so a clicking
--     person gets two Tasks). Sends and bounces are not responses; an
--     unsubscribe is written as e-mail opt-out, not as a Task.
--   - response_id, the external id: campaign key, recipient address
--     (lower case) and action, as `<campaign key>:<address>:<action>`
--     (the address hashed in the rare case that passes 255 characters).
--   - The record (WhoId): the person's Salesforce contact, else their
--     unconverted lead; with several, the oldest (by creation, so the
--     choice does not move when the other syncs update records). A
--     person without a Salesforce lead or contact gets no Task until
--     identity finds one.
-- Filter: the people of syncs.engagement_people that take part (its
-- WHERE); which responses, the WHERE of `responses` (e.g. only clicks:
-- e.action = 'clicked').
-- config: materialized=view
-- test: unique response_id
-- test: not_null response_id
-- test: not_null who_id
WITH sf_records AS (
    SELECT
        x.golden_id AS person_id,
        x.source_id AS record_id,
        row_number() OVER (
            PARTITION BY x.golden_id
            ORDER BY CASE WHEN x.object = 'Contact' THEN 0 ELSE 1 END,
                coalesce(c.created_at, l.created_at), x.source_id
        ) AS nth
    FROM {{ ref "identity.crosswalk" }} AS x
    LEFT JOIN {{ ref "stg_salesforce__contact" }} AS c ON x.object = 'Contact' AND c.contact_id = x.source_id
    LEFT JOIN {{ ref "stg_salesforce__lead" }} AS l ON x.object = 'Lead' AND l.lead_id = x.source_id
    WHERE x.system = 'salesforce'
      AND (c.contact_id IS NOT NULL OR (l.lead_id IS NOT NULL AND NOT l.is_converted))
),

responses AS (
    SELECT
        e.*,
        e.campaign_key || ':' || lower(trim(e.email)) || ':' || e.action AS plain_id,
        CASE e.action WHEN 'clicked' THEN 'Clicked a link in' ELSE 'Opened' END AS did
    FROM {{ ref "core.email_events" }} AS e
    JOIN {{ ref "syncs.engagement_people" }} AS p ON p.person_id = e.person_id AND p.takes_part
    WHERE e.action IN ('opened', 'clicked')
)

SELECT
    CASE
        WHEN length(e.plain_id) <= 255 THEN e.plain_id
        ELSE e.campaign_key || ':' || {{ hash "lower(trim(e.email))" }} || ':' || e.action
    END                                                           AS response_id,
    substr(e.did || ' e-mail campaign: ' || coalesce(e.campaign_name, e.campaign_key), 1, 255) AS subject,
    'Zoho Campaigns: ' || e.email || ' ' || lower(e.did) || ' the campaign '
        || coalesce(e.campaign_name, '(no name)') || ' (key ' || e.campaign_key || ').' AS description,
    CAST(e.event_time AS DATE)                                    AS activity_date,
    r.record_id                                                   AS who_id
FROM responses AS e
JOIN sf_records AS r ON r.person_id = e.person_id AND r.nth = 1
