-- seeds.identity_source_priority (configs/seeds/identity_source_priority.csv)
SELECT * FROM (SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('*' AS STRING) AS `field`, SAFE_CAST('salesforce' AS STRING) AS `source`, SAFE_CAST('1' AS INT64) AS `priority`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('*' AS STRING) AS `field`, SAFE_CAST('zoho_crm' AS STRING) AS `source`, SAFE_CAST('2' AS INT64) AS `priority`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('*' AS STRING) AS `field`, SAFE_CAST('zoho_desk' AS STRING) AS `source`, SAFE_CAST('3' AS INT64) AS `priority`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('*' AS STRING) AS `field`, SAFE_CAST('salesforce' AS STRING) AS `source`, SAFE_CAST('1' AS INT64) AS `priority`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('*' AS STRING) AS `field`, SAFE_CAST('zoho_crm' AS STRING) AS `source`, SAFE_CAST('2' AS INT64) AS `priority`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('*' AS STRING) AS `field`, SAFE_CAST('zoho_desk' AS STRING) AS `source`, SAFE_CAST('3' AS INT64) AS `priority`) AS seed
