-- config: tags=daily
SELECT {{ date_trunc "week" "created_at" }} AS week, system, count(*) AS leads
FROM {{ ref "leads" }}
WHERE created_at >= CAST('{{ var "start_date" "2020-01-01" }}' AS DATE)
GROUP BY ALL
