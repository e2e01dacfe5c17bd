-- soak.deals_mirror: open Salesforce opportunities as Zoho deals, for the
-- sync soak_deals_mirror (mirror on Salesforce_Id: a deal whose
-- opportunity closed or was deleted is deleted). The description carries
-- the account's name, so renaming an account updates its deals.
-- config: materialized=view
SELECT
    o.Id                                          AS opportunity_id,
    o.Name                                        AS deal_name,
    o.StageName                                   AS stage,
    o.Amount                                      AS amount,
    o.CloseDate                                   AS closing_date,
    'account: ' || coalesce(a.Name, '(none)')     AS description
FROM {{ source "salesforce" "opportunity" }} AS o
LEFT JOIN {{ source "salesforce" "account" }} AS a
    ON a.Id = o.AccountId AND a._deleted_at IS NULL
WHERE o._deleted_at IS NULL AND NOT o.IsClosed
