-- seeds.lead_source_map (configs/seeds/lead_source_map.csv)
SELECT * FROM (SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Web' AS STRING) AS `source_raw`, SAFE_CAST('web' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Phone Inquiry' AS STRING) AS `source_raw`, SAFE_CAST('phone_inquiry' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Partner Referral' AS STRING) AS `source_raw`, SAFE_CAST('partner_referral' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Partner' AS STRING) AS `source_raw`, SAFE_CAST('partner_referral' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Employee Referral' AS STRING) AS `source_raw`, SAFE_CAST('employee_referral' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('External Referral' AS STRING) AS `source_raw`, SAFE_CAST('external_referral' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Advertisement' AS STRING) AS `source_raw`, SAFE_CAST('advertisement' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Trade Show' AS STRING) AS `source_raw`, SAFE_CAST('trade_show' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Webinar' AS STRING) AS `source_raw`, SAFE_CAST('webinar' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Cold Call' AS STRING) AS `source_raw`, SAFE_CAST('cold_call' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Purchased List' AS STRING) AS `source_raw`, SAFE_CAST('purchased_list' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Chat' AS STRING) AS `source_raw`, SAFE_CAST('chat' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('salesforce' AS STRING) AS `source_system`, SAFE_CAST('Other' AS STRING) AS `source_raw`, SAFE_CAST('other' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Web' AS STRING) AS `source_raw`, SAFE_CAST('web' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Phone Inquiry' AS STRING) AS `source_raw`, SAFE_CAST('phone_inquiry' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Partner Referral' AS STRING) AS `source_raw`, SAFE_CAST('partner_referral' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Partner' AS STRING) AS `source_raw`, SAFE_CAST('partner_referral' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Employee Referral' AS STRING) AS `source_raw`, SAFE_CAST('employee_referral' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('External Referral' AS STRING) AS `source_raw`, SAFE_CAST('external_referral' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Advertisement' AS STRING) AS `source_raw`, SAFE_CAST('advertisement' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Trade Show' AS STRING) AS `source_raw`, SAFE_CAST('trade_show' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Webinar' AS STRING) AS `source_raw`, SAFE_CAST('webinar' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Cold Call' AS STRING) AS `source_raw`, SAFE_CAST('cold_call' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Purchased List' AS STRING) AS `source_raw`, SAFE_CAST('purchased_list' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Chat' AS STRING) AS `source_raw`, SAFE_CAST('chat' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Other' AS STRING) AS `source_raw`, SAFE_CAST('other' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('-None-' AS STRING) AS `source_raw`, SAFE_CAST('unknown' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Online Store' AS STRING) AS `source_raw`, SAFE_CAST('web' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Web Download' AS STRING) AS `source_raw`, SAFE_CAST('web' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Web Research' AS STRING) AS `source_raw`, SAFE_CAST('web' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Public Relations' AS STRING) AS `source_raw`, SAFE_CAST('advertisement' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Sales Email Alias' AS STRING) AS `source_raw`, SAFE_CAST('email' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Seminar Partner' AS STRING) AS `source_raw`, SAFE_CAST('partner_referral' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Internal Seminar' AS STRING) AS `source_raw`, SAFE_CAST('webinar' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Twitter' AS STRING) AS `source_raw`, SAFE_CAST('social_media' AS STRING) AS `lead_source`
  UNION ALL SELECT SAFE_CAST('zoho_crm' AS STRING) AS `source_system`, SAFE_CAST('Facebook' AS STRING) AS `source_raw`, SAFE_CAST('social_media' AS STRING) AS `lead_source`) AS seed
