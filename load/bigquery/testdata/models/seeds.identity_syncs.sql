-- seeds.identity_syncs (configs/seeds/identity_syncs.csv)
SELECT SAFE_CAST(NULL AS STRING) AS `sync`, SAFE_CAST(NULL AS STRING) AS `destination_source`, SAFE_CAST(NULL AS STRING) AS `destination_object` WHERE 1 = 0
