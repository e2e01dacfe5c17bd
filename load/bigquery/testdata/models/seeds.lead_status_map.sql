-- seeds.lead_status_map (configs/seeds/lead_status_map.csv)
SELECT * FROM (SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Open - Not Contacted' AS STRING) AS `status_raw`, SAFE_CAST('new' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Working - Contacted' AS STRING) AS `status_raw`, SAFE_CAST('contacted' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Closed - Converted' AS STRING) AS `status_raw`, SAFE_CAST('converted' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Closed - Not Converted' AS STRING) AS `status_raw`, SAFE_CAST('unqualified' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('-None-' AS STRING) AS `status_raw`, SAFE_CAST('new' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Not Contacted' AS STRING) AS `status_raw`, SAFE_CAST('new' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Attempted to Contact' AS STRING) AS `status_raw`, SAFE_CAST('contacted' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Contact in Future' AS STRING) AS `status_raw`, SAFE_CAST('contacted' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Contacted' AS STRING) AS `status_raw`, SAFE_CAST('contacted' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Pre-Qualified' AS STRING) AS `status_raw`, SAFE_CAST('qualified' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Not Qualified' AS STRING) AS `status_raw`, SAFE_CAST('unqualified' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Junk Lead' AS STRING) AS `status_raw`, SAFE_CAST('unqualified' AS STRING) AS `status`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Lost Lead' AS STRING) AS `status_raw`, SAFE_CAST('unqualified' AS STRING) AS `status`) AS seed
