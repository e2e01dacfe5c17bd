-- identity.company_rules (sql/identity/company_rules.sql)
SELECT 1 AS one
