-- identity.review (sql/identity/review.sql, table)
WITH people AS (
    SELECT
        'person' AS entity,
        k.record_id_l,
        k.record_id_r,
        k.match_probability,
        k.match_weight,
        CASE WHEN k.c_email >= 0 AND w_email.weight IS NOT NULL THEN 'email ' || w_email.level_name || ' ' || CAST(round(w_email.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_phone >= 0 AND w_phone.weight IS NOT NULL THEN 'phone ' || w_phone.level_name || ' ' || CAST(round(w_phone.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_first_name >= 0 AND w_first_name.weight IS NOT NULL THEN 'first_name ' || w_first_name.level_name || ' ' || CAST(round(w_first_name.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_last_name >= 0 AND w_last_name.weight IS NOT NULL THEN 'last_name ' || w_last_name.level_name || ' ' || CAST(round(w_last_name.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_company >= 0 AND w_company.weight IS NOT NULL THEN 'company ' || w_company.level_name || ' ' || CAST(round(w_company.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_domain >= 0 AND w_domain.weight IS NOT NULL THEN 'domain ' || w_domain.level_name || ' ' || CAST(round(w_domain.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_city >= 0 AND w_city.weight IS NOT NULL THEN 'city ' || w_city.level_name || ' ' || CAST(round(w_city.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_postcode >= 0 AND w_postcode.weight IS NOT NULL THEN 'postcode ' || w_postcode.level_name || ' ' || CAST(round(w_postcode.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_address >= 0 AND w_address.weight IS NOT NULL THEN 'address ' || w_address.level_name || ' ' || CAST(round(w_address.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_state >= 0 AND w_state.weight IS NOT NULL THEN 'state ' || w_state.level_name || ' ' || CAST(round(w_state.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_country >= 0 AND w_country.weight IS NOT NULL THEN 'country ' || w_country.level_name || ' ' || CAST(round(w_country.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_dob >= 0 AND w_dob.weight IS NOT NULL THEN 'dob ' || w_dob.level_name || ' ' || CAST(round(w_dob.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_id_number >= 0 AND w_id_number.weight IS NOT NULL THEN 'id_number ' || w_id_number.level_name || ' ' || CAST(round(w_id_number.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_gender >= 0 AND w_gender.weight IS NOT NULL THEN 'gender ' || w_gender.level_name || ' ' || CAST(round(w_gender.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_occupation >= 0 AND w_occupation.weight IS NOT NULL THEN 'occupation ' || w_occupation.level_name || ' ' || CAST(round(w_occupation.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_birth_place >= 0 AND w_birth_place.weight IS NOT NULL THEN 'birth_place ' || w_birth_place.level_name || ' ' || CAST(round(w_birth_place.weight, 1) AS VARCHAR) || '; ' ELSE '' END AS evidence
    FROM "IDENTITY"."PERSON_LINKS" AS k
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_email ON w_email.comparison = 'email' AND w_email.level = k.c_email
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_phone ON w_phone.comparison = 'phone' AND w_phone.level = k.c_phone
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_first_name ON w_first_name.comparison = 'first_name' AND w_first_name.level = k.c_first_name
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_last_name ON w_last_name.comparison = 'last_name' AND w_last_name.level = k.c_last_name
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_company ON w_company.comparison = 'company' AND w_company.level = k.c_company
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_domain ON w_domain.comparison = 'domain' AND w_domain.level = k.c_domain
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_city ON w_city.comparison = 'city' AND w_city.level = k.c_city
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_postcode ON w_postcode.comparison = 'postcode' AND w_postcode.level = k.c_postcode
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_address ON w_address.comparison = 'address' AND w_address.level = k.c_address
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_state ON w_state.comparison = 'state' AND w_state.level = k.c_state
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_country ON w_country.comparison = 'country' AND w_country.level = k.c_country
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_dob ON w_dob.comparison = 'dob' AND w_dob.level = k.c_dob
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_id_number ON w_id_number.comparison = 'id_number' AND w_id_number.level = k.c_id_number
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_gender ON w_gender.comparison = 'gender' AND w_gender.level = k.c_gender
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_occupation ON w_occupation.comparison = 'occupation' AND w_occupation.level = k.c_occupation
    LEFT JOIN "IDENTITY"."PERSON_WEIGHTS" AS w_birth_place ON w_birth_place.comparison = 'birth_place' AND w_birth_place.level = k.c_birth_place
    WHERE NOT k.linked AND k.match_probability IS NOT NULL AND k.rule = 'probabilistic'
),

firms AS (
    SELECT
        'company' AS entity,
        k.record_id_l,
        k.record_id_r,
        k.match_probability,
        k.match_weight,
        CASE WHEN k.c_domain >= 0 AND w_domain.weight IS NOT NULL THEN 'domain ' || w_domain.level_name || ' ' || CAST(round(w_domain.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_company >= 0 AND w_company.weight IS NOT NULL THEN 'company ' || w_company.level_name || ' ' || CAST(round(w_company.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_phone >= 0 AND w_phone.weight IS NOT NULL THEN 'phone ' || w_phone.level_name || ' ' || CAST(round(w_phone.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_address >= 0 AND w_address.weight IS NOT NULL THEN 'address ' || w_address.level_name || ' ' || CAST(round(w_address.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_postcode >= 0 AND w_postcode.weight IS NOT NULL THEN 'postcode ' || w_postcode.level_name || ' ' || CAST(round(w_postcode.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_city >= 0 AND w_city.weight IS NOT NULL THEN 'city ' || w_city.level_name || ' ' || CAST(round(w_city.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_state >= 0 AND w_state.weight IS NOT NULL THEN 'state ' || w_state.level_name || ' ' || CAST(round(w_state.weight, 1) AS VARCHAR) || '; ' ELSE '' END ||
        CASE WHEN k.c_country >= 0 AND w_country.weight IS NOT NULL THEN 'country ' || w_country.level_name || ' ' || CAST(round(w_country.weight, 1) AS VARCHAR) || '; ' ELSE '' END AS evidence
    FROM "IDENTITY"."COMPANY_LINKS" AS k
    LEFT JOIN "IDENTITY"."COMPANY_WEIGHTS" AS w_domain ON w_domain.comparison = 'domain' AND w_domain.level = k.c_domain
    LEFT JOIN "IDENTITY"."COMPANY_WEIGHTS" AS w_company ON w_company.comparison = 'company' AND w_company.level = k.c_company
    LEFT JOIN "IDENTITY"."COMPANY_WEIGHTS" AS w_phone ON w_phone.comparison = 'phone' AND w_phone.level = k.c_phone
    LEFT JOIN "IDENTITY"."COMPANY_WEIGHTS" AS w_address ON w_address.comparison = 'address' AND w_address.level = k.c_address
    LEFT JOIN "IDENTITY"."COMPANY_WEIGHTS" AS w_postcode ON w_postcode.comparison = 'postcode' AND w_postcode.level = k.c_postcode
    LEFT JOIN "IDENTITY"."COMPANY_WEIGHTS" AS w_city ON w_city.comparison = 'city' AND w_city.level = k.c_city
    LEFT JOIN "IDENTITY"."COMPANY_WEIGHTS" AS w_state ON w_state.comparison = 'state' AND w_state.level = k.c_state
    LEFT JOIN "IDENTITY"."COMPANY_WEIGHTS" AS w_country ON w_country.comparison = 'country' AND w_country.level = k.c_country
    WHERE NOT k.linked AND k.match_probability IS NOT NULL AND k.rule = 'probabilistic'
),

pairs AS (
    SELECT * FROM people
    UNION ALL
    SELECT * FROM firms
),

records AS (
    SELECT
        record_id, source, object,
        coalesce(full_name, trim(coalesce(first_name || ' ', '') || coalesce(last_name, ''))) AS name,
        email, phone, company, city
    FROM "IDENTITY"."PERSON_INPUT"
    UNION ALL
    SELECT record_id, source, object, company, email, phone, company, city
    FROM "IDENTITY"."COMPANY_INPUT"
)

SELECT
    p.entity,
    p.record_id_l,
    p.record_id_r,
    xl.golden_id AS golden_id_l,
    xr.golden_id AS golden_id_r,
    p.match_probability,
    p.match_weight,
    nullif(rtrim(p.evidence, '; '), '') AS evidence,
    l.name AS name_l,
    r.name AS name_r,
    l.email AS email_l,
    r.email AS email_r,
    l.phone AS phone_l,
    r.phone AS phone_r,
    l.company AS company_l,
    r.company AS company_r,
    l.city AS city_l,
    r.city AS city_r
FROM pairs AS p
JOIN "IDENTITY"."CROSSWALK" AS xl ON xl.record_id = p.record_id_l
JOIN "IDENTITY"."CROSSWALK" AS xr ON xr.record_id = p.record_id_r
JOIN records AS l ON l.record_id = p.record_id_l
JOIN records AS r ON r.record_id = p.record_id_r
LEFT JOIN "IDENTITY"."DECISIONS" AS d
    ON d.entity = p.entity AND d.record_id_l = p.record_id_l AND d.record_id_r = p.record_id_r
WHERE xl.golden_id <> xr.golden_id
  AND d.decision IS NULL
