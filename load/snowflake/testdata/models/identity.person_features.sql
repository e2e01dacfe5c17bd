-- identity.person_features (sql/identity/person_features.sql, transform)
SELECT row_number() OVER (ORDER BY record_id) AS rn, *
FROM "IDENTITY"."PERSON_INPUT"
