-- seeds.lead_score_bands (configs/seeds/lead_score_bands.csv)
SELECT * FROM (SELECT SAFE_CAST('Hot' AS STRING) AS `band`, SAFE_CAST('30' AS FLOAT64) AS `min_score`
  UNION ALL SELECT SAFE_CAST('Warm' AS STRING) AS `band`, SAFE_CAST('10' AS FLOAT64) AS `min_score`
  UNION ALL SELECT SAFE_CAST('Cold' AS STRING) AS `band`, SAFE_CAST('-1000000' AS FLOAT64) AS `min_score`) AS seed
