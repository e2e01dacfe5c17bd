// sdk_check.mjs drives Zoho's official Node SDK for CRM v8
// (@zohocrm/nodejs-sdk-8.0), unchanged, against the zohotest emulator.
// Usage: node sdk_check.mjs '<json line printed by zohoemu>'
// It exits non-zero on the first failed check.
import * as ZOHOCRMSDK from "@zohocrm/nodejs-sdk-8.0";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const info = JSON.parse(process.argv[2] || fs.readFileSync(0, "utf8"));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "zoho-sdk-"));
let failures = 0;
let checks = 0;

function check(cond, what, extra) {
  checks++;
  if (cond) {
    console.log("ok   " + what);
  } else {
    failures++;
    console.log("FAIL " + what + (extra !== undefined ? ": " + JSON.stringify(extra) : ""));
  }
}

function describe(obj) {
  if (obj == null) return null;
  if (obj instanceof ZOHOCRMSDK.Record.APIException) {
    return { code: obj.getCode()?.getValue(), message: obj.getMessage()?.getValue(), details: Object.fromEntries(obj.getDetails() ?? []) };
  }
  return obj.constructor?.name;
}

async function init() {
  // The SDK picks its hosts from an Environment; DataCenter.setEnvironment
  // (or new Environment(url, accountsUrl, fileUploadUrl)) takes custom URLs.
  // The accounts URL is the full token endpoint, as the SDK's own DCs give it.
  const environment = ZOHOCRMSDK.DataCenter.setEnvironment(info.api_domain, info.accounts_url + "/oauth/v2/token", info.api_domain);
  const token = new ZOHOCRMSDK.OAuthBuilder()
    .clientId(info.client_id)
    .clientSecret(info.client_secret)
    .refreshToken(info.refresh_token)
    .build();
  const logger = new ZOHOCRMSDK.LogBuilder().level(ZOHOCRMSDK.Levels.INFO).filePath(path.join(work, "sdk.log")).build();
  const store = new ZOHOCRMSDK.FileStore(path.join(work, "tokens.txt"));
  const sdkConfig = new ZOHOCRMSDK.SDKConfigBuilder().pickListValidation(false).autoRefreshFields(false).build();
  await (await new ZOHOCRMSDK.InitializeBuilder())
    .environment(environment)
    .token(token)
    .store(store)
    .SDKConfig(sdkConfig)
    .resourcePath(work)
    .logger(logger)
    .initialize();
}

async function getRecords(module, params) {
  const ops = new ZOHOCRMSDK.Record.RecordOperations(module);
  const p = new ZOHOCRMSDK.ParameterMap();
  for (const [k, v] of Object.entries(params)) {
    await p.add(ZOHOCRMSDK.Record.GetRecordsParam[k], v);
  }
  return ops.getRecords(p, new ZOHOCRMSDK.HeaderMap());
}

async function main() {
  await init();

  // 1. List with fields, per_page and page_token paging.
  let resp = await getRecords("Contacts", { FIELDS: "Last_Name,First_Name,Email,Account_Name,Owner,Modified_Time", PER_PAGE: 10 });
  check(resp != null && resp.getStatusCode() === 200, "Contacts list answers 200", resp?.getStatusCode());
  let body = resp.getObject();
  check(body instanceof ZOHOCRMSDK.Record.ResponseWrapper, "list parses as ResponseWrapper", describe(body));
  const page1 = body.getData();
  check(page1.length === 10, "first page holds per_page=10 records", page1.length);
  const first = page1[0];
  check(typeof first.getId() === "bigint" || /^\d{19}$/.test(String(first.getId())), "record id is a 19-digit id", String(first.getId()));
  check(typeof first.getKeyValue("Last_Name") === "string", "Last_Name is a string", first.getKeyValue("Last_Name"));
  const owner = first.getKeyValue("Owner");
  check(owner != null && owner.getId && /^\d+$/.test(String(owner.getId())), "Owner parses as a user with an id", String(owner?.getId?.()));
  const mt = first.getKeyValue("Modified_Time");
  check(mt instanceof Date && !isNaN(mt.getTime()), "Modified_Time parses as a Date", String(mt));
  const acct = page1.map((r) => r.getKeyValue("Account_Name")).find((a) => a != null);
  check(acct != null && acct.getKeyValue("name") != null && acct.getId() != null, "Account_Name lookup parses with name and id", describe(acct));
  const pinfo = body.getInfo();
  check(pinfo.getMoreRecords() === true, "info.more_records is true", pinfo.getMoreRecords());
  const tok = pinfo.getNextPageToken();
  check(typeof tok === "string" && tok.length > 0, "info.next_page_token is given", tok);
  check(pinfo.getPageTokenExpiry() instanceof Date, "info.page_token_expiry parses as a Date", String(pinfo.getPageTokenExpiry()));

  resp = await getRecords("Contacts", { FIELDS: "Last_Name,First_Name,Email,Account_Name,Owner,Modified_Time", PER_PAGE: 10, PAGE_TOKEN: tok });
  body = resp.getObject();
  check(resp.getStatusCode() === 200 && body instanceof ZOHOCRMSDK.Record.ResponseWrapper, "page_token page answers 200", describe(body));
  const page2 = body.getData();
  const ids1 = new Set(page1.map((r) => String(r.getId())));
  check(page2.length === 10 && page2.every((r) => !ids1.has(String(r.getId()))), "page_token page continues without overlap");

  // 2. A request-level error: fields missing → REQUIRED_PARAM_MISSING.
  resp = await getRecords("Contacts", { PER_PAGE: 5 });
  body = resp.getObject();
  check(resp.getStatusCode() === 400 && body instanceof ZOHOCRMSDK.Record.APIException &&
    body.getCode().getValue() === "REQUIRED_PARAM_MISSING", "list without fields → 400 REQUIRED_PARAM_MISSING", describe(body));

  // 3. Upsert: one existing contact (matched on Email) and one new one.
  const existing = page1.find((r) => r.getKeyValue("Email"));
  const ops = new ZOHOCRMSDK.Record.RecordOperations("Contacts");
  const req = new ZOHOCRMSDK.Record.BodyWrapper();
  const upd = new ZOHOCRMSDK.Record.Record();
  upd.addKeyValue("Email", existing.getKeyValue("Email"));
  upd.addKeyValue("Last_Name", existing.getKeyValue("Last_Name"));
  upd.addKeyValue("Title", "Chief SDK Officer");
  const ins = new ZOHOCRMSDK.Record.Record();
  ins.addFieldValue(ZOHOCRMSDK.Record.Field.Contacts.LAST_NAME, "Node SDK");
  ins.addFieldValue(ZOHOCRMSDK.Record.Field.Contacts.FIRST_NAME, "Zoho");
  ins.addKeyValue("Email", "node.sdk." + Date.now() + "@example.com");
  ins.addKeyValue("Salesforce_Id", "003SDK" + Date.now().toString().slice(-9));
  req.setData([upd, ins]);
  req.setDuplicateCheckFields(["Email"]);
  resp = await ops.upsertRecords(req, new ZOHOCRMSDK.HeaderMap());
  body = resp.getObject();
  check(body instanceof ZOHOCRMSDK.Record.ActionWrapper, "upsert parses as ActionWrapper", describe(body));
  const results = body.getData();
  check(results.length === 2 && results.every((r) => r instanceof ZOHOCRMSDK.Record.SuccessResponse), "both upserted records succeed",
    results.map(describe));
  check(results[0].getAction?.()?.getValue?.() === "update" || results[0].getAction?.() === "update", "first is an update", String(results[0].getAction?.()?.getValue?.() ?? results[0].getAction?.()));
  check(results[0].getDuplicateField?.() === "Email" || results[0].getDuplicateField?.()?.getValue?.() === "Email", "duplicate_field is Email");
  check((results[1].getAction?.()?.getValue?.() ?? results[1].getAction?.()) === "insert", "second is an insert");
  const updID = results[0].getDetails().get("id");
  const newID = results[1].getDetails().get("id");
  // The seeded world holds duplicates, so the match is the oldest record
  // with that Email, not necessarily the one listed first.

  // 4. Read both back with getRecord.
  for (const [id, want] of [[updID, "Chief SDK Officer"], [newID, null]]) {
    const r = await ops.getRecord(BigInt(id), new ZOHOCRMSDK.ParameterMap(), new ZOHOCRMSDK.HeaderMap());
    const o = r.getObject();
    check(r.getStatusCode() === 200 && o instanceof ZOHOCRMSDK.Record.ResponseWrapper, "getRecord " + id + " answers 200", describe(o));
    const rec = o.getData()[0];
    if (want) {
      check(rec.getKeyValue("Title") === want, "upserted Title reads back", rec.getKeyValue("Title"));
      check(String(rec.getKeyValue("Email")).toLowerCase() === String(existing.getKeyValue("Email")).toLowerCase(),
        "the update hit a record with the upserted Email", rec.getKeyValue("Email"));
    }
    else check(rec.getKeyValue("Last_Name") === "Node SDK", "inserted Last_Name reads back", rec.getKeyValue("Last_Name"));
  }

  // 5. An upsert rejected per record: duplicate unique Salesforce_Id.
  const dup = new ZOHOCRMSDK.Record.Record();
  dup.addKeyValue("Last_Name", "Dup");
  dup.addKeyValue("Email", "dup." + Date.now() + "@example.com");
  dup.addKeyValue("Salesforce_Id", ins.getKeyValue("Salesforce_Id"));
  const req2 = new ZOHOCRMSDK.Record.BodyWrapper();
  req2.setData([dup]);
  req2.setDuplicateCheckFields(["Email"]);
  resp = await ops.createRecords(req2, new ZOHOCRMSDK.HeaderMap());
  body = resp.getObject();
  const r0 = body?.getData?.()?.[0];
  check(r0 instanceof ZOHOCRMSDK.Record.APIException && r0.getCode().getValue() === "DUPLICATE_DATA",
    "insert with a taken Salesforce_Id → DUPLICATE_DATA", describe(r0 ?? body));

  // 6. Search by email, count, COQL.
  const sp = new ZOHOCRMSDK.ParameterMap();
  await sp.add(ZOHOCRMSDK.Record.SearchRecordsParam.EMAIL, ins.getKeyValue("Email"));
  resp = await ops.searchRecords(sp, new ZOHOCRMSDK.HeaderMap());
  body = resp.getObject();
  check(body instanceof ZOHOCRMSDK.Record.ResponseWrapper && body.getData().length === 1, "search by email finds the new contact", describe(body));

  const coql = new ZOHOCRMSDK.Coql.CoqlOperations();
  const cb = new ZOHOCRMSDK.Coql.BodyWrapper();
  cb.setSelectQuery("select Last_Name, Email, Account_Name.Account_Name from Contacts where Last_Name = 'Node SDK' limit 10");
  resp = await coql.getRecords(cb);
  body = resp.getObject();
  check(body instanceof ZOHOCRMSDK.Coql.ResponseWrapper && body.getData().length >= 1, "COQL query returns the new contact", describe(body));

  // 7. Metadata: modules and fields.
  const mods = await new ZOHOCRMSDK.Modules.ModulesOperations().getModules(new ZOHOCRMSDK.ParameterMap(), new ZOHOCRMSDK.HeaderMap());
  body = mods.getObject();
  check(body instanceof ZOHOCRMSDK.Modules.ResponseWrapper && body.getModules().some((m) => m.getAPIName() === "Deals"),
    "modules API lists Deals", describe(body));
  const fp = new ZOHOCRMSDK.ParameterMap();
  await fp.add(ZOHOCRMSDK.Fields.GetFieldsParam.MODULE, "Accounts");
  const flds = await new ZOHOCRMSDK.Fields.FieldsOperations().getFields(fp);
  body = flds.getObject();
  const names = body?.getFields?.()?.map((f) => f.getAPIName()) ?? [];
  check(["Salesforce_Id", "Open_Tickets", "Lifetime_Won", "Account_Name"].every((n) => names.includes(n)),
    "fields API lists the integration fields on Accounts", names.slice(0, 8));

  console.log(`${checks - failures}/${checks} checks passed`);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(failures ? 1 : 0);
}

main().catch((err) => {
  console.log("FAIL unexpected error:", err?.message ?? err, err?.code ?? "", JSON.stringify(err?.details ?? ""));
  if (err?.cause) console.log("cause:", err.cause);
  console.log(err?.stack ?? "");
  process.exit(1);
});
