-- staging.stg_salesforce__campaign_member (sql/staging/stg_salesforce__campaign_member.sql, view)
SELECT
    Id                  AS campaign_member_id,
    CampaignId          AS campaign_id,
    LeadId              AS lead_id,
    ContactId           AS contact_id,
    Status              AS status,
    coalesce(HasResponded, false) AS has_responded,
    FirstRespondedDate  AS first_responded_date,
    CreatedDate         AS created_at,
    LastModifiedDate    AS updated_at,
    _extracted_at       AS extracted_at
FROM "SALESFORCE"."CAMPAIGNMEMBER"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
