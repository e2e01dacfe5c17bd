-- soak.deals_mirror: open Salesforce opportunities as Zoho deals, for the
-- sync soak_deals_mirror (mirror on Salesforce_Id: a deal whose
-- opportunity closed or was deleted is deleted). The description carries
-- the account's name, so renaming an account updates its deals. Zoho's
-- layout makes a deal's Account_Name mandatory: it is the Zoho account of
-- the opportunity's golden company (identity.crosswalk; the oldest id when
-- the company has several), and an opportunity whose company has no Zoho
-- account is left out.
-- config: materialized=view
WITH zoho_account AS (
    SELECT golden_id, min(source_id) AS zoho_account_id
    FROM {{ ref "identity.crosswalk" }}
    WHERE system = 'zoho_crm' AND object = 'Accounts'
    GROUP BY golden_id
)
SELECT
    o.Id                                          AS opportunity_id,
    o.Name                                        AS deal_name,
    o.StageName                                   AS stage,
    o.Amount                                      AS amount,
    o.CloseDate                                   AS closing_date,
    'account: ' || coalesce(a.Name, '(none)')     AS description,
    za.zoho_account_id                            AS zoho_account_id
FROM {{ source "salesforce" "opportunity" }} AS o
LEFT JOIN {{ source "salesforce" "account" }} AS a
    ON a.Id = o.AccountId AND a._deleted_at IS NULL
JOIN {{ ref "identity.crosswalk" }} AS x
    ON x.system = 'salesforce' AND x.object = 'Account' AND x.source_id = o.AccountId
JOIN zoho_account AS za ON za.golden_id = x.golden_id
WHERE o._deleted_at IS NULL AND NOT o.IsClosed
