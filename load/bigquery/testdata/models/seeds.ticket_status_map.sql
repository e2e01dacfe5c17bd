-- seeds.ticket_status_map (configs/seeds/ticket_status_map.csv)
SELECT * FROM (SELECT SAFE_CAST('zoho_desk' AS STRING) AS `source_system`, SAFE_CAST('Open' AS STRING) AS `status_raw`, SAFE_CAST('open' AS STRING) AS `status`, SAFE_CAST('false' AS BOOL) AS `is_closed`
  UNION ALL SELECT SAFE_CAST('zoho_desk' AS STRING) AS `source_system`, SAFE_CAST('On Hold' AS STRING) AS `status_raw`, SAFE_CAST('on_hold' AS STRING) AS `status`, SAFE_CAST('false' AS BOOL) AS `is_closed`
  UNION ALL SELECT SAFE_CAST('zoho_desk' AS STRING) AS `source_system`, SAFE_CAST('Escalated' AS STRING) AS `status_raw`, SAFE_CAST('escalated' AS STRING) AS `status`, SAFE_CAST('false' AS BOOL) AS `is_closed`
  UNION ALL SELECT SAFE_CAST('zoho_desk' AS STRING) AS `source_system`, SAFE_CAST('Closed' AS STRING) AS `status_raw`, SAFE_CAST('closed' AS STRING) AS `status`, SAFE_CAST('true' AS BOOL) AS `is_closed`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('New' AS STRING) AS `status_raw`, SAFE_CAST('open' AS STRING) AS `status`, SAFE_CAST('false' AS BOOL) AS `is_closed`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Working' AS STRING) AS `status_raw`, SAFE_CAST('open' AS STRING) AS `status`, SAFE_CAST('false' AS BOOL) AS `is_closed`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Escalated' AS STRING) AS `status_raw`, SAFE_CAST('escalated' AS STRING) AS `status`, SAFE_CAST('false' AS BOOL) AS `is_closed`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Closed' AS STRING) AS `status_raw`, SAFE_CAST('closed' AS STRING) AS `status`, SAFE_CAST('true' AS BOOL) AS `is_closed`) AS seed
