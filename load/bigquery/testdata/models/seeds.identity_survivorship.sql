-- seeds.identity_survivorship (configs/seeds/identity_survivorship.csv)
SELECT * FROM (SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('first_name' AS STRING) AS `field`, SAFE_CAST('most_frequent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('last_name' AS STRING) AS `field`, SAFE_CAST('most_frequent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('email' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('phone' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('mobile' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('title' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('company' AS STRING) AS `field`, SAFE_CAST('most_frequent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('address' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('city' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('state' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('postcode' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('country' AS STRING) AS `field`, SAFE_CAST('most_frequent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('date_of_birth' AS STRING) AS `field`, SAFE_CAST('most_frequent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('person' AS STRING) AS `entity`, SAFE_CAST('lead_source' AS STRING) AS `field`, SAFE_CAST('source_priority' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('name' AS STRING) AS `field`, SAFE_CAST('most_frequent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('website' AS STRING) AS `field`, SAFE_CAST('most_frequent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('email' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('phone' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('industry' AS STRING) AS `field`, SAFE_CAST('most_frequent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('employees' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('annual_revenue' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('address' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('city' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('state' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('postcode' AS STRING) AS `field`, SAFE_CAST('most_recent' AS STRING) AS `rule`
  UNION ALL SELECT SAFE_CAST('company' AS STRING) AS `entity`, SAFE_CAST('country' AS STRING) AS `field`, SAFE_CAST('most_frequent' AS STRING) AS `rule`) AS seed
