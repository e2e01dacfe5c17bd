-- syncs.engagement_sf_tasks (sql/syncs/engagement_sf_tasks.sql, view)
WITH sf_records AS (
    SELECT
        x.golden_id AS person_id,
        x.source_id AS record_id,
        row_number() OVER (
            PARTITION BY x.golden_id
            ORDER BY CASE WHEN x.object = 'Contact' THEN 0 ELSE 1 END,
                coalesce(c.created_at, l.created_at), x.source_id
        ) AS nth
    FROM "IDENTITY"."CROSSWALK" AS x
    LEFT JOIN "STAGING"."STG_SALESFORCE__CONTACT" AS c ON x.object = 'Contact' AND c.contact_id = x.source_id
    LEFT JOIN "STAGING"."STG_SALESFORCE__LEAD" AS l ON x.object = 'Lead' AND l.lead_id = x.source_id
    WHERE x.system = 'salesforce'
      AND (c.contact_id IS NOT NULL OR (l.lead_id IS NOT NULL AND NOT l.is_converted))
),

responses AS (
    SELECT
        e.*,
        e.campaign_key || ':' || lower(trim(e.email)) || ':' || e.action AS plain_id,
        CASE e.action WHEN 'clicked' THEN 'Clicked a link in' ELSE 'Opened' END AS did
    FROM "CORE"."EMAIL_EVENTS" AS e
    JOIN "SYNCS"."ENGAGEMENT_PEOPLE" AS p ON p.person_id = e.person_id AND p.takes_part
    WHERE e.action IN ('opened', 'clicked')
)

SELECT
    CASE
        WHEN length(e.plain_id) <= 255 THEN e.plain_id
        ELSE e.campaign_key || ':' || MD5(CONCAT_WS('|', COALESCE(TO_VARCHAR(lower(trim(e.email))), ''))) || ':' || e.action
    END                                                           AS response_id,
    substr(e.did || ' e-mail campaign: ' || coalesce(e.campaign_name, e.campaign_key), 1, 255) AS subject,
    'Zoho Campaigns: ' || e.email || ' ' || lower(e.did) || ' the campaign '
        || coalesce(e.campaign_name, '(no name)') || ' (key ' || e.campaign_key || ').' AS description,
    CAST(e.event_time AS DATE)                                    AS activity_date,
    r.record_id                                                   AS who_id
FROM responses AS e
JOIN sf_records AS r ON r.person_id = e.person_id AND r.nth = 1
