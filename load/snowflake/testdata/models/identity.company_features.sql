-- identity.company_features (sql/identity/company_features.sql, transform)
SELECT row_number() OVER (ORDER BY record_id) AS rn, *
FROM "IDENTITY"."COMPANY_INPUT"
