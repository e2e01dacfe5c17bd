-- seeds.lead_status_map (configs/seeds/lead_status_map.csv, seed)
SELECT * FROM (VALUES
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Open - Not Contacted') AS VARCHAR), TRY_CAST(TO_VARCHAR('new') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Working - Contacted') AS VARCHAR), TRY_CAST(TO_VARCHAR('contacted') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Closed - Converted') AS VARCHAR), TRY_CAST(TO_VARCHAR('converted') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('salesforce') AS VARCHAR), TRY_CAST(TO_VARCHAR('Closed - Not Converted') AS VARCHAR), TRY_CAST(TO_VARCHAR('unqualified') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('-None-') AS VARCHAR), TRY_CAST(TO_VARCHAR('new') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Not Contacted') AS VARCHAR), TRY_CAST(TO_VARCHAR('new') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Attempted to Contact') AS VARCHAR), TRY_CAST(TO_VARCHAR('contacted') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Contact in Future') AS VARCHAR), TRY_CAST(TO_VARCHAR('contacted') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Contacted') AS VARCHAR), TRY_CAST(TO_VARCHAR('contacted') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Pre-Qualified') AS VARCHAR), TRY_CAST(TO_VARCHAR('qualified') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Not Qualified') AS VARCHAR), TRY_CAST(TO_VARCHAR('unqualified') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Junk Lead') AS VARCHAR), TRY_CAST(TO_VARCHAR('unqualified') AS VARCHAR)),
  (TRY_CAST(TO_VARCHAR('zoho_crm') AS VARCHAR), TRY_CAST(TO_VARCHAR('Lost Lead') AS VARCHAR), TRY_CAST(TO_VARCHAR('unqualified') AS VARCHAR))
) AS seed("source_system", "status_raw", "status")
