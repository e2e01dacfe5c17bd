-- staging.stg_salesforce__contact (sql/staging/stg_salesforce__contact.sql, view)
SELECT
    Id                 AS contact_id,
    AccountId          AS account_id,
    FirstName          AS first_name,
    LastName           AS last_name,
    Name               AS full_name,
    Salutation         AS salutation,
    Title              AS title,
    Department         AS department,
    Email              AS email,
    Phone              AS phone,
    MobilePhone        AS mobile,
    LeadSource         AS lead_source,
    MailingStreet      AS mailing_street,
    MailingCity        AS mailing_city,
    MailingState       AS mailing_state,
    MailingPostalCode  AS mailing_postal_code,
    MailingCountry     AS mailing_country,
    Birthdate          AS birthdate,
    coalesce(HasOptedOutOfEmail, false) AS has_opted_out_of_email,
    coalesce(DoNotCall, false)          AS do_not_call,
    ReportsToId        AS reports_to_id,
    OwnerId            AS owner_id,
    CreatedDate        AS created_at,
    LastModifiedDate   AS updated_at,
    _extracted_at      AS extracted_at
FROM "SALESFORCE"."CONTACT"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
