-- seeds.deal_stage_mirror (configs/seeds/deal_stage_mirror.csv)
SELECT * FROM (SELECT SAFE_CAST('Qualification' AS STRING) AS `zoho_stage`, SAFE_CAST('Qualification' AS STRING) AS `salesforce_stage`
  UNION ALL SELECT SAFE_CAST('Needs Analysis' AS STRING) AS `zoho_stage`, SAFE_CAST('Needs Analysis' AS STRING) AS `salesforce_stage`
  UNION ALL SELECT SAFE_CAST('Value Proposition' AS STRING) AS `zoho_stage`, SAFE_CAST('Value Proposition' AS STRING) AS `salesforce_stage`
  UNION ALL SELECT SAFE_CAST('Id. Decision Makers' AS STRING) AS `zoho_stage`, SAFE_CAST('Id. Decision Makers' AS STRING) AS `salesforce_stage`
  UNION ALL SELECT SAFE_CAST('Proposal/Price Quote' AS STRING) AS `zoho_stage`, SAFE_CAST('Proposal/Price Quote' AS STRING) AS `salesforce_stage`
  UNION ALL SELECT SAFE_CAST('Negotiation/Review' AS STRING) AS `zoho_stage`, SAFE_CAST('Negotiation/Review' AS STRING) AS `salesforce_stage`
  UNION ALL SELECT SAFE_CAST('Closed Won' AS STRING) AS `zoho_stage`, SAFE_CAST('Closed Won' AS STRING) AS `salesforce_stage`
  UNION ALL SELECT SAFE_CAST('Closed Lost' AS STRING) AS `zoho_stage`, SAFE_CAST('Closed Lost' AS STRING) AS `salesforce_stage`
  UNION ALL SELECT SAFE_CAST('Closed Lost to Competition' AS STRING) AS `zoho_stage`, SAFE_CAST('Closed Lost' AS STRING) AS `salesforce_stage`) AS seed
