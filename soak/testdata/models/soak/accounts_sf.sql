-- soak.accounts_sf: a description per live Salesforce account (its name
-- and number of open opportunities), for the sync soak_accounts_sf (update
-- by record id: never creates).
-- config: materialized=view
SELECT
    a.Id AS account_id,
    'soak: ' || a.Name || ' has ' || CAST(count(o.Id) AS VARCHAR) || ' open opportunities' AS description
FROM {{ source "salesforce" "account" }} AS a
LEFT JOIN {{ source "salesforce" "opportunity" }} AS o
    ON o.AccountId = a.Id AND o._deleted_at IS NULL AND NOT o.IsClosed
WHERE a._deleted_at IS NULL
GROUP BY a.Id, a.Name
