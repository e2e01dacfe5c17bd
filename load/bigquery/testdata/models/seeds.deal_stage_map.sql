-- seeds.deal_stage_map (configs/seeds/deal_stage_map.csv)
SELECT * FROM (SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Prospecting' AS STRING) AS `stage_raw`, SAFE_CAST('prospecting' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Qualification' AS STRING) AS `stage_raw`, SAFE_CAST('qualification' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Needs Analysis' AS STRING) AS `stage_raw`, SAFE_CAST('needs_analysis' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Value Proposition' AS STRING) AS `stage_raw`, SAFE_CAST('value_proposition' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Id. Decision Makers' AS STRING) AS `stage_raw`, SAFE_CAST('value_proposition' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Perception Analysis' AS STRING) AS `stage_raw`, SAFE_CAST('value_proposition' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Proposal/Price Quote' AS STRING) AS `stage_raw`, SAFE_CAST('proposal' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Negotiation/Review' AS STRING) AS `stage_raw`, SAFE_CAST('negotiation' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Closed Won' AS STRING) AS `stage_raw`, SAFE_CAST('closed_won' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Closed Lost' AS STRING) AS `stage_raw`, SAFE_CAST('closed_lost' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Qualification' AS STRING) AS `stage_raw`, SAFE_CAST('qualification' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Needs Analysis' AS STRING) AS `stage_raw`, SAFE_CAST('needs_analysis' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Value Proposition' AS STRING) AS `stage_raw`, SAFE_CAST('value_proposition' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Id. Decision Makers' AS STRING) AS `stage_raw`, SAFE_CAST('value_proposition' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Proposal/Price Quote' AS STRING) AS `stage_raw`, SAFE_CAST('proposal' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Negotiation/Review' AS STRING) AS `stage_raw`, SAFE_CAST('negotiation' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Closed Won' AS STRING) AS `stage_raw`, SAFE_CAST('closed_won' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Closed Lost' AS STRING) AS `stage_raw`, SAFE_CAST('closed_lost' AS STRING) AS `stage`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Closed Lost to Competition' AS STRING) AS `stage_raw`, SAFE_CAST('closed_lost' AS STRING) AS `stage`) AS seed
