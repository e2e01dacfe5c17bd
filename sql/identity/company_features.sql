-- identity.company_features: one row per record of identity.company_input,
-- normalized for matching by the Go transform identity_features (package
-- identity): names folded to lower-case ASCII without titles or
-- punctuation, with their nickname group (first_canon: bobby -> robert)
-- and Soundex codes; e-mails lower-cased without +tags (email is NULL for
-- an address that is no address; email_generic marks role mailboxes such
-- as info@ that never link people on their own); domain from the website,
-- else from a work (not free-mail) address; phones in E.164 in the
-- default region (phone_local: the last 7 digits); dates of birth as
-- YYYYMMDD; postcodes upper-case without spaces; addresses with street
-- words abbreviated one way; company names without legal suffixes.
-- rn numbers the records in record_id order: the matching models join on it.
-- config: materialized=transform; transform=identity_features
-- test: unique rn
-- test: unique record_id
-- test: not_null record_id
SELECT row_number() OVER (ORDER BY record_id) AS rn, *
FROM {{ ref "identity.company_input" }}
