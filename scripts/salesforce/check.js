// check.js drives the revops Salesforce emulator with jsforce, unchanged:
// OAuth refresh-token login (and an expired token refreshed on 401), login
// with a given access token + instance URL, SOQL with autoFetch paging,
// queryAll, describe/limits, sObject Collections create/update/upsert/
// retrieve/delete, and Bulk API 2.0 ingest + query.
//
// Configuration: the JSON line printed by `sfemu` (instance_url,
// login_url, client_id, client_secret, refresh_token, access_token,
// api_version) from the SF_EMU_JSON environment variable, or from the
// first argument (the JSON itself or a file holding it). SF_INSTANCE_URL,
// SF_ACCESS_TOKEN, SF_CLIENT_ID, SF_CLIENT_SECRET, SF_REFRESH_TOKEN and
// SF_LOGIN_URL override single values. Exits non-zero on any failure.
'use strict';

const fs = require('fs');
const jsforce = require('jsforce');

function loadConfig() {
  let raw = process.env.SF_EMU_JSON || process.argv[2] || '';
  if (raw && !raw.trim().startsWith('{') && fs.existsSync(raw)) {
    raw = fs.readFileSync(raw, 'utf8');
  }
  const cfg = raw ? JSON.parse(raw.trim().split('\n')[0]) : {};
  const env = (k, d) => process.env[k] || d;
  return {
    instanceUrl: env('SF_INSTANCE_URL', cfg.instance_url),
    loginUrl: env('SF_LOGIN_URL', cfg.login_url || cfg.instance_url),
    accessToken: env('SF_ACCESS_TOKEN', cfg.access_token),
    clientId: env('SF_CLIENT_ID', cfg.client_id),
    clientSecret: env('SF_CLIENT_SECRET', cfg.client_secret),
    refreshToken: env('SF_REFRESH_TOKEN', cfg.refresh_token),
    version: env('SF_API_VERSION', cfg.api_version || '62.0'),
  };
}

let failures = 0;
function check(cond, what, detail) {
  if (cond) {
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}${detail === undefined ? '' : ': ' + JSON.stringify(detail)}`);
  }
}

async function main() {
  const cfg = loadConfig();
  if (!cfg.instanceUrl) {
    throw new Error('no emulator configuration: set SF_EMU_JSON or pass the sfemu JSON line');
  }
  const oauth2 = new jsforce.OAuth2({
    loginUrl: cfg.loginUrl, clientId: cfg.clientId, clientSecret: cfg.clientSecret,
    redirectUri: cfg.loginUrl + '/callback',
  });

  // 1. OAuth: refresh-token grant, directly.
  const tok = await oauth2.refreshToken(cfg.refreshToken);
  check(tok.access_token && tok.instance_url === cfg.instanceUrl, 'oauth refresh_token grant', tok);

  // 2. A stale access token is refreshed on 401 INVALID_SESSION_ID.
  let refreshed = 0;
  const conn = new jsforce.Connection({
    oauth2, instanceUrl: cfg.instanceUrl, accessToken: 'stale!token',
    refreshToken: cfg.refreshToken, version: cfg.version,
  });
  conn.on('refresh', () => { refreshed++; });
  const n = await conn.query('SELECT COUNT() FROM Account');
  check(refreshed === 1 && n.totalSize >= 0, 'expired session refreshed once', { refreshed, n });

  // 3. Given access token + instance URL.
  const conn2 = new jsforce.Connection({ instanceUrl: cfg.instanceUrl, accessToken: cfg.accessToken, version: cfg.version });
  const ident = await conn2.identity();
  check(ident.user_id && ident.organization_id, 'identity with a given access token', ident);

  // 4. Describe and limits.
  const global = await conn.describeGlobal();
  check(global.sobjects.some((o) => o.name === 'Opportunity' && o.keyPrefix === '006'), 'describeGlobal');
  const desc = await conn.sobject('Account').describe();
  const ext = desc.fields.find((f) => f.name === 'Zoho_Account_Id__c');
  check(ext && ext.externalId && ext.unique, 'describe Account has the Zoho external id', ext);
  const limits = await conn.limits();
  check(limits.DailyApiRequests && limits.DailyApiRequests.Max > 0, 'limits', limits.DailyApiRequests);

  // 5. SOQL with autoFetch paging (and parent fields).
  const total = (await conn.query('SELECT COUNT() FROM Contact')).totalSize;
  const recs = [];
  await new Promise((resolve, reject) => {
    conn.query('SELECT Id, LastName, Email, Account.Name, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id')
      .on('record', (r) => recs.push(r))
      .on('end', resolve)
      .on('error', reject)
      .run({ autoFetch: true, maxFetch: 1000000 });
  });
  const ids = new Set(recs.map((r) => r.Id));
  check(total > 2000 && recs.length === total && ids.size === total,
    `query autoFetch over ${Math.ceil(total / 2000)} pages`, { total, fetched: recs.length, distinct: ids.size });
  check(recs.every((r) => r.Account === null || (r.Account.attributes && r.Account.attributes.type === 'Account')),
    'parent fields nested or null');
  const page = await conn.query('SELECT Id FROM Contact');
  check(!page.done && page.nextRecordsUrl && page.records.length === 2000, 'first page of 2000 with nextRecordsUrl');
  const more = await conn.queryMore(page.nextRecordsUrl);
  check(more.records.length > 0 && more.totalSize === page.totalSize, 'queryMore');

  // 6. sObject Collections: create, update, upsert, retrieve, delete.
  const stamp = Date.now();
  const created = await conn.sobject('Account').create([
    { Name: `jsforce A ${stamp}`, Zoho_Account_Id__c: `JS-A-${stamp}` },
    { Name: `jsforce B ${stamp}`, Zoho_Account_Id__c: `JS-B-${stamp}` },
  ], { allOrNone: true });
  check(created.length === 2 && created.every((r) => r.success && r.id.startsWith('001')), 'collections create', created);
  const updated = await conn.sobject('Account').update(created.map((r) => ({ Id: r.id, Phone: '+14155550100' })));
  check(updated.every((r) => r.success), 'collections update', updated);
  const upserted = await conn.sobject('Account').upsert([
    { Zoho_Account_Id__c: `JS-A-${stamp}`, Name: `jsforce A2 ${stamp}` },
    { Zoho_Account_Id__c: `JS-C-${stamp}`, Name: `jsforce C ${stamp}` },
  ], 'Zoho_Account_Id__c');
  check(upserted.length === 2 && upserted[0].created === false && upserted[1].created === true, 'collections upsert', upserted);
  const single = await conn.sobject('Account').upsert({ Zoho_Account_Id__c: `JS-A-${stamp}`, Name: `jsforce A3 ${stamp}` }, 'Zoho_Account_Id__c');
  check(single.success, 'single upsert by external id', single);
  const got = await conn.sobject('Account').retrieve(created.map((r) => r.id));
  check(got.length === 2 && got[0].Name === `jsforce A3 ${stamp}` && got[1].Phone === '+14155550100', 'retrieve', got);
  const bad = await conn.sobject('Contact').create([{ LastName: 'ok' }, { FirstName: 'no last name' }]);
  check(bad[0].success && !bad[1].success && bad[1].errors[0].statusCode === 'REQUIRED_FIELD_MISSING', 'per-record errors', bad);
  const one = await conn.sobject('Contact').create({ LastName: 'Single', Email: 'single@example.com' });
  check(one.success, 'single create', one);
  const oneUpd = await conn.sobject('Contact').update({ Id: one.id, Title: 'CTO' });
  check(oneUpd.success, 'single update', oneUpd);
  const rec = await conn.sobject('Contact').retrieve(one.id);
  check(rec.Title === 'CTO', 'single retrieve', rec);
  const del = await conn.sobject('Account').destroy(created.map((r) => r.id).concat([upserted[1].id]));
  check(del.length === 3 && del.every((r) => r.success), 'collections delete', del);
  const all = await conn.query(`SELECT Id FROM Account WHERE IsDeleted = true AND Name LIKE 'jsforce%${stamp}'`, { scanAll: true });
  check(all.totalSize === 3, 'queryAll sees deleted rows', all.totalSize);
  let sessionErr = null;
  try {
    await conn.sobject('Account').update({ Id: created[0].id, Name: 'x' });
  } catch (e) { sessionErr = e; }
  check(sessionErr && sessionErr.errorCode === 'ENTITY_IS_DELETED', 'update of a deleted row fails with ENTITY_IS_DELETED', sessionErr && sessionErr.errorCode);

  // 7. Bulk API 2.0 ingest.
  const csvIn = 'LastName,Email,Account.Zoho_Account_Id__c\n' +
    `Bulk1,b1@example.com,JS-A-${stamp}\n` +
    'Bulk2,not-an-email,\n' +
    ',b3@example.com,\n';
  await conn.sobject('Account').create({ Name: 'bulk parent', Zoho_Account_Id__c: `JS-A-${stamp}` });
  const res = await conn.bulk2.loadAndWaitForResults({
    object: 'Contact', operation: 'insert', input: csvIn, pollInterval: 50, pollTimeout: 30000,
  });
  check(res.successfulResults.length === 1 && res.failedResults.length === 2 && res.unprocessedRecords.length === 0,
    'bulk ingest results', res);
  check(res.successfulResults[0].sf__Id && res.successfulResults[0].sf__Created === 'true', 'bulk successfulResults columns', res.successfulResults[0]);
  check(res.failedResults.every((r) => /^[A-Z_]+:.* --$/.test(r.sf__Error)), 'bulk failedResults sf__Error', res.failedResults);
  const upd = await conn.bulk2.loadAndWaitForResults({
    object: 'Contact', operation: 'update', pollInterval: 50, pollTimeout: 30000,
    input: [{ Id: res.successfulResults[0].sf__Id, Title: 'Bulk title' }],
  });
  check(upd.successfulResults.length === 1, 'bulk ingest from records (update)', upd);

  // 8. Bulk API 2.0 query.
  const stream = await conn.bulk2.query('SELECT Id, LastName, Account.Name FROM Contact', { pollInterval: 50, pollTimeout: 30000 });
  const rows = await stream.toArray();
  const live = (await conn.query('SELECT COUNT() FROM Contact')).totalSize;
  check(rows.length === live && rows[0].Id && 'Account.Name' in rows[0], 'bulk query', { rows: rows.length, live, first: rows[0] });

  console.log(failures === 0 ? 'jsforce: all checks passed' : `jsforce: ${failures} check(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error('jsforce check crashed:', err && (err.stack || err));
  process.exit(1);
});
