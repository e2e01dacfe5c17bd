-- seeds.deal_stage_map (configs/seeds/deal_stage_map.csv, seed)
SELECT * FROM (VALUES
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Prospecting') AS VARCHAR), TRY_CAST(TO_VARCHAR('prospecting') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Qualification') AS VARCHAR), TRY_CAST(TO_VARCHAR('qualification') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Needs Analysis') AS VARCHAR), TRY_CAST(TO_VARCHAR('needs_analysis') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Value Proposition') AS VARCHAR), TRY_CAST(TO_VARCHAR('value_proposition') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Id. Decision Makers') AS VARCHAR), TRY_CAST(TO_VARCHAR('value_proposition') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Perception Analysis') AS VARCHAR), TRY_CAST(TO_VARCHAR('value_proposition') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Proposal/Price Quote') AS VARCHAR), TRY_CAST(TO_VARCHAR('proposal') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Negotiation/Review') AS VARCHAR), TRY_CAST(TO_VARCHAR('negotiation') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Closed Won') AS VARCHAR), TRY_CAST(TO_VARCHAR('closed_won') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Closed Lost') AS VARCHAR), TRY_CAST(TO_VARCHAR('closed_lost') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Qualification') AS VARCHAR), TRY_CAST(TO_VARCHAR('qualification') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Needs Analysis') AS VARCHAR), TRY_CAST(TO_VARCHAR('needs_analysis') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Value Proposition') AS VARCHAR), TRY_CAST(TO_VARCHAR('value_proposition') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Id. Decision Makers') AS VARCHAR), TRY_CAST(TO_VARCHAR('value_proposition') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Proposal/Price Quote') AS VARCHAR), TRY_CAST(TO_VARCHAR('proposal') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Negotiation/Review') AS VARCHAR), TRY_CAST(TO_VARCHAR('negotiation') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Closed Won') AS VARCHAR), TRY_CAST(TO_VARCHAR('closed_won') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Closed Lost') AS VARCHAR), TRY_CAST(TO_VARCHAR('closed_lost') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Closed Lost to Competition') AS VARCHAR), TRY_CAST(TO_VARCHAR('closed_lost') AS VARCHAR))
) AS seed("SOURCE_SYSTEM", "STAGE_RAW", "STAGE")
