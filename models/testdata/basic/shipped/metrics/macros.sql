-- Every dialect macro once, so the golden files show each dialect's SQL.
-- config: materialized=view
SELECT
  {{ datediff "day" "DATE '2024-01-01'" "DATE '2024-03-01'" }} AS days,
  {{ datediff "hour" "TIMESTAMP '2024-01-01 00:00:00'" "TIMESTAMP '2024-01-02 06:00:00'" }} AS hours,
  {{ datediff "week" "DATE '2024-01-01'" "DATE '2024-03-01'" }} AS weeks,
  {{ datediff "month" "DATE '2024-01-01'" "DATE '2024-03-01'" }} AS months,
  {{ date_trunc "month" "DATE '2024-02-17'" }} AS month_start,
  {{ similarity "'Jonathan'" "'Jonathon'" }} AS name_similarity,
  {{ regexp_matches "'ACME Corp.'" "'corp'" }} AS matches_lower,
  {{ regexp_replace "'(555) 123-4567'" "'[^0-9]'" "''" }} AS digits,
  {{ safe_cast "'12.5'" "double" }} AS dbl,
  {{ safe_cast "'oops'" "bigint" }} AS bad_int,
  {{ safe_cast "'2024-02-17'" "date" }} AS d,
  {{ hash "'a'" "NULL" "'b'" }} AS h,
  {{ now }} AS built_at,
  '{{ var "region" }}' AS region
