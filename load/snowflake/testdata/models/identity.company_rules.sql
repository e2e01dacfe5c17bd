-- identity.company_rules (sql/identity/company_rules.sql, transform)
SELECT 1 AS one
