-- seeds.ticket_priorities (configs/seeds/ticket_priorities.csv)
SELECT * FROM (SELECT SAFE_CAST('zoho_desk' AS STRING) AS `source_system`, SAFE_CAST('Urgent' AS STRING) AS `priority_raw`, SAFE_CAST('urgent' AS STRING) AS `priority`, SAFE_CAST('1' AS INT64) AS `priority_order`
  UNION ALL SELECT SAFE_CAST('zoho_desk' AS STRING) AS `source_system`, SAFE_CAST('High' AS STRING) AS `priority_raw`, SAFE_CAST('high' AS STRING) AS `priority`, SAFE_CAST('2' AS INT64) AS `priority_order`
  UNION ALL SELECT SAFE_CAST('zoho_desk' AS STRING) AS `source_system`, SAFE_CAST('Medium' AS STRING) AS `priority_raw`, SAFE_CAST('medium' AS STRING) AS `priority`, SAFE_CAST('3' AS INT64) AS `priority_order`
  UNION ALL SELECT SAFE_CAST('zoho_desk' AS STRING) AS `source_system`, SAFE_CAST('Low' AS STRING) AS `priority_raw`, SAFE_CAST('low' AS STRING) AS `priority`, SAFE_CAST('4' AS INT64) AS `priority_order`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('High' AS STRING) AS `priority_raw`, SAFE_CAST('high' AS STRING) AS `priority`, SAFE_CAST('2' AS INT64) AS `priority_order`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Medium' AS STRING) AS `priority_raw`, SAFE_CAST('medium' AS STRING) AS `priority`, SAFE_CAST('3' AS INT64) AS `priority_order`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Low' AS STRING) AS `priority_raw`, SAFE_CAST('low' AS STRING) AS `priority`, SAFE_CAST('4' AS INT64) AS `priority_order`) AS seed
