/**
 * "Адресные данные" where people look: the console (every account reads it; only an operator
 * account, DATA_OPERATOR_ACCOUNTS, starts an update), GET /api/status for the operator
 * (ADMIN_TOKEN), and the public coverage the demo page shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleState } from '../../contract/api.js';
import { ADMIN_TOKEN, connectAccount, widgetToken } from '../helpers.js';
import { ACCOUNT, writeEnv, type WriteEnv } from '../writes/write-helpers.js';

const OTHER = 36000002;
let env: WriteEnv;

async function asAccount(method: string, path: string, accountId: number, isAdmin = true) {
  const token = await widgetToken({ accountId, subdomain: accountId === OTHER ? 'other' : 'acme', isAdmin });
  const res = await fetch(`${env.app.url}${path}`, { method, headers: { 'X-Auth-Token': token } });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  env = await writeEnv({ DATA_OPERATOR_ACCOUNTS: String(ACCOUNT) });
  env.fake.addAccount({ id: OTHER, subdomain: 'other', name: 'Other' });
  await connectAccount(env.app, env.fake, OTHER, 'other');
});
afterAll(() => env.close());

describe('address data in the console and the status', () => {
  it('every account reads what the index covers; only the operator account may update it', async () => {
    const mine = (await asAccount('GET', '/api/console/state', ACCOUNT)).body as ConsoleState;
    expect(mine.addressData).toMatchObject({ canUpdate: true, regions: [], nextUpdate: null, running: null, lastUpdate: null });
    expect(mine.addressData.sources.openStreetMap).toEqual([expect.objectContaining({ extract: 'samara', houses: 6 })]);
    expect(mine.addressData.counts.settlements).toBeGreaterThan(7000);
    expect(mine.addressData.counts.houses).toBe(6);
    expect(((await asAccount('GET', '/api/console/state', OTHER)).body as ConsoleState).addressData.canUpdate).toBe(false);
    expect(((await asAccount('GET', '/api/console/state', ACCOUNT, false)).body as ConsoleState).addressData.canUpdate).toBe(false);

    const refused = await asAccount('POST', '/api/console/address-data/update', OTHER);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'operator_required' } } });
    const nothing = await asAccount('POST', '/api/console/address-data/update', ACCOUNT);
    expect(nothing.status).toBe(409);
    expect(nothing.body.error).toMatchObject({ code: 'data_update_not_started' });
    expect(nothing.body.error.message).toContain('npm run data -- add');
  });

  it('GET /api/status carries the same facts for the operator; the coverage is public and holds no account data', async () => {
    const status = await (await fetch(`${env.app.url}/api/status`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    expect(status.addressData).toMatchObject({ regions: [], counts: { houses: 6 } });
    const coverage = await (await fetch(`${env.app.url}/api/address/coverage`)).json();
    expect(Object.keys(coverage).sort()).toEqual(['counts', 'regions', 'sources']);
    expect(coverage.counts.houses).toBe(6);
    const update = await fetch(`${env.app.url}/api/admin/address-data/update`, { method: 'POST' });
    expect(update.status).toBe(401);
  });
});
