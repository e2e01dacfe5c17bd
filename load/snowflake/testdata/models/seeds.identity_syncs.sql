-- seeds.identity_syncs (configs/seeds/identity_syncs.csv, seed)
SELECT TRY_CAST(TO_VARCHAR(NULL) AS VARCHAR) AS "sync", TRY_CAST(TO_VARCHAR(NULL) AS VARCHAR) AS "destination_source", TRY_CAST(TO_VARCHAR(NULL) AS VARCHAR) AS "destination_object" WHERE 1 = 0
