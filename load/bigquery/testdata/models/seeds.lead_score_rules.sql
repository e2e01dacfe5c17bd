-- seeds.lead_score_rules (configs/seeds/lead_score_rules.csv)
SELECT * FROM (SELECT SAFE_CAST('sent' AS STRING) AS `action`, SAFE_CAST('0' AS FLOAT64) AS `points`, SAFE_CAST('0' AS FLOAT64) AS `half_life_days`
  UNION ALL SELECT SAFE_CAST('opened' AS STRING) AS `action`, SAFE_CAST('5' AS FLOAT64) AS `points`, SAFE_CAST('90' AS FLOAT64) AS `half_life_days`
  UNION ALL SELECT SAFE_CAST('clicked' AS STRING) AS `action`, SAFE_CAST('15' AS FLOAT64) AS `points`, SAFE_CAST('90' AS FLOAT64) AS `half_life_days`
  UNION ALL SELECT SAFE_CAST('unsubscribed' AS STRING) AS `action`, SAFE_CAST('-40' AS FLOAT64) AS `points`, SAFE_CAST('0' AS FLOAT64) AS `half_life_days`
  UNION ALL SELECT SAFE_CAST('hard_bounce' AS STRING) AS `action`, SAFE_CAST('-20' AS FLOAT64) AS `points`, SAFE_CAST('0' AS FLOAT64) AS `half_life_days`
  UNION ALL SELECT SAFE_CAST('soft_bounce' AS STRING) AS `action`, SAFE_CAST('-2' AS FLOAT64) AS `points`, SAFE_CAST('30' AS FLOAT64) AS `half_life_days`) AS seed
