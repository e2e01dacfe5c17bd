-- seeds.lead_statuses (configs/seeds/lead_statuses.csv)
SELECT * FROM (SELECT SAFE_CAST('new' AS STRING) AS `status`, SAFE_CAST('New' AS STRING) AS `status_label`, SAFE_CAST('1' AS INT64) AS `status_order`, SAFE_CAST('true' AS BOOL) AS `is_open`
  UNION ALL SELECT SAFE_CAST('contacted' AS STRING) AS `status`, SAFE_CAST('Contacted' AS STRING) AS `status_label`, SAFE_CAST('2' AS INT64) AS `status_order`, SAFE_CAST('true' AS BOOL) AS `is_open`
  UNION ALL SELECT SAFE_CAST('qualified' AS STRING) AS `status`, SAFE_CAST('Qualified' AS STRING) AS `status_label`, SAFE_CAST('3' AS INT64) AS `status_order`, SAFE_CAST('true' AS BOOL) AS `is_open`
  UNION ALL SELECT SAFE_CAST('converted' AS STRING) AS `status`, SAFE_CAST('Converted' AS STRING) AS `status_label`, SAFE_CAST('4' AS INT64) AS `status_order`, SAFE_CAST('false' AS BOOL) AS `is_open`
  UNION ALL SELECT SAFE_CAST('unqualified' AS STRING) AS `status`, SAFE_CAST('Unqualified' AS STRING) AS `status_label`, SAFE_CAST('5' AS INT64) AS `status_order`, SAFE_CAST('false' AS BOOL) AS `is_open`) AS seed
