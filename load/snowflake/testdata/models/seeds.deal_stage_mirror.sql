-- seeds.deal_stage_mirror (configs/seeds/deal_stage_mirror.csv, seed)
SELECT * FROM (VALUES
  (TRY_CAST(TO_VARCHAR('Qualification') AS VARCHAR), TRY_CAST(TO_VARCHAR('Qualification') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('Needs Analysis') AS VARCHAR), TRY_CAST(TO_VARCHAR('Needs Analysis') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('Value Proposition') AS VARCHAR), TRY_CAST(TO_VARCHAR('Value Proposition') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('Id. Decision Makers') AS VARCHAR), TRY_CAST(TO_VARCHAR('Id. Decision Makers') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('Proposal/Price Quote') AS VARCHAR), TRY_CAST(TO_VARCHAR('Proposal/Price Quote') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('Negotiation/Review') AS VARCHAR), TRY_CAST(TO_VARCHAR('Negotiation/Review') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('Closed Won') AS VARCHAR), TRY_CAST(TO_VARCHAR('Closed Won') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('Closed Lost') AS VARCHAR), TRY_CAST(TO_VARCHAR('Closed Lost') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('Closed Lost to Competition') AS VARCHAR), TRY_CAST(TO_VARCHAR('Closed Lost') AS VARCHAR))
) AS seed("ZOHO_STAGE", "SALESFORCE_STAGE")
