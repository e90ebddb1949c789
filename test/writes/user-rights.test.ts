/**
 * Write-back respects amoCRM's user rights (reference §5, "User rights"): the integration's token
 * could write anything, so the caller's own role decides — A all, G same group as the responsible
 * user, M only as the responsible user, D never, a lead's stage right over the general one, admins
 * always. The fake amoCRM knows users, groups and roles in amoCRM's documented shapes
 * (test/fakes/fake-amocrm-users.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, eventually, fieldValue, writeEnv, type WriteEnv } from './write-helpers.js';
import { widgetToken } from '../helpers.js';
import { rights, type EntityRights, type Right } from '../fakes/fake-amocrm-users.js';
import { PIPELINE } from '../fakes/fake-amocrm-entities.js';

let env: WriteEnv;
afterEach(async () => {
  await env?.close();
  env = undefined as unknown as WriteEnv;
});

const VALUE = { fieldId: 762381, value: 'г Самара, ул Авроры, д 110', data: { city: 'Самара', house: '110' } };
const MANAGER = 501;
const COLLEAGUE = 502; // in the manager's group
const OTHER = 503; // in another group

async function writeBack(userId: number, leadId: number, options: { isAdmin?: boolean; entity?: string } = {}) {
  const token = await widgetToken({ accountId: ACCOUNT, userId, isAdmin: options.isAdmin ?? false });
  const res = await fetch(`${env.app.url}/api/amocrm/${options.entity ?? 'leads'}/${leadId}/address`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Auth-Token': token }, body: JSON.stringify(VALUE) });
  return { status: res.status, body: await res.json() };
}

/** An account whose manager has the given lead edit right; colleagues in groups 10 and 20. */
async function accountWithRole(edit: Right, extra: { contacts?: EntityRights; statusRights?: Array<{ status_id: number; edit: 'A' | 'D' }> } = {}): Promise<void> {
  env = await writeEnv();
  env.fake.addGroup(ACCOUNT, { id: 10, name: 'Продажи' });
  env.fake.addGroup(ACCOUNT, { id: 20, name: 'Доставка' });
  env.fake.addRole(ACCOUNT, {
    id: 1,
    name: 'Менеджер',
    rights: {
      leads: rights(edit),
      contacts: extra.contacts ?? rights('A'),
      companies: rights('A'),
      status_rights: (extra.statusRights ?? []).map((s) => ({ entity_type: 'leads', pipeline_id: PIPELINE.id, status_id: s.status_id, rights: { view: 'A', edit: s.edit, delete: s.edit } })),
    },
  });
  env.fake.addUser(ACCOUNT, { id: MANAGER, name: 'Менеджер', groupId: 10, roleId: 1 });
  env.fake.addUser(ACCOUNT, { id: COLLEAGUE, name: 'Коллега', groupId: 10, roleId: 1 });
  env.fake.addUser(ACCOUNT, { id: OTHER, name: 'Другой отдел', groupId: 20, roleId: 1 });
}

const lead = (responsible: number, status = 6001) => env.fake.addEntity(ACCOUNT, 'leads', { name: 'Сделка', responsible_user_id: responsible, pipeline_id: PIPELINE.id, status_id: status, custom_fields_values: null });

describe('write-back respects amoCRM user rights', () => {
  it('"M": only leads the manager is responsible for; the refusal says why, and nothing reaches amoCRM', async () => {
    await accountWithRole('M');
    const own = lead(MANAGER);
    const colleagues = lead(COLLEAGUE);
    expect((await writeBack(MANAGER, own)).status).toBe(202);
    const refused = await writeBack(MANAGER, colleagues);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('no_rights');
    expect(refused.body.error.message).toMatch(/responsible/);
    await eventually(async () => (await env.app.system.outbox.counts()).pending === 0 && env.fake.patches.length === 1, 'own lead written');
    expect(env.fake.patches.map((p) => p.id)).toEqual([own]);
    expect(fieldValue(env.fake.entities.get(ACCOUNT)!.leads.get(colleagues), 762381)).toBeUndefined();
  });

  it('"G": leads of anyone in the same group, not of another group', async () => {
    await accountWithRole('G');
    expect((await writeBack(MANAGER, lead(COLLEAGUE))).status).toBe(202);
    expect((await writeBack(MANAGER, lead(MANAGER))).status).toBe(202);
    const refused = await writeBack(MANAGER, lead(OTHER));
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/group/);
  });

  it('"D" refuses every lead, "A" allows every lead, and an admin may whatever the role says', async () => {
    await accountWithRole('D');
    expect((await writeBack(MANAGER, lead(MANAGER))).status).toBe(403);
    expect((await writeBack(MANAGER, lead(OTHER), { isAdmin: true })).status).toBe(202);
    await env.close();
    await accountWithRole('A');
    expect((await writeBack(MANAGER, lead(OTHER))).status).toBe(202);
  });

  it("a lead's stage right replaces the general one, both ways", async () => {
    await accountWithRole('A', { statusRights: [{ status_id: 142, edit: 'D' }] });
    expect((await writeBack(MANAGER, lead(MANAGER, 142))).status).toBe(403); // A in general, D at this stage
    expect((await writeBack(MANAGER, lead(MANAGER, 6001))).status).toBe(202);
    await env.close();
    await accountWithRole('D', { statusRights: [{ status_id: 6001, edit: 'A' }] });
    expect((await writeBack(MANAGER, lead(OTHER, 6001))).status).toBe(202); // D in general, A at this stage
  });

  it("each entity type has its own right: a contact's address is refused under contacts' D", async () => {
    await accountWithRole('A', { contacts: rights('D') });
    const contact = env.fake.addEntity(ACCOUNT, 'contacts', { name: 'Клиент', responsible_user_id: MANAGER, custom_fields_values: null });
    const res = await fetch(`${env.app.url}/api/amocrm/contacts/${contact}/address`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Auth-Token': await widgetToken({ accountId: ACCOUNT, userId: MANAGER, isAdmin: false }) },
      body: JSON.stringify({ ...VALUE, fieldId: 762391 }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('no_rights');
  });

  it('rights are read once and kept briefly: ten write-backs cost one user read and one lead read', async () => {
    await accountWithRole('M');
    const own = lead(MANAGER);
    for (let i = 0; i < 10; i++) expect([200, 202]).toContain((await writeBack(MANAGER, own)).status);
    expect(env.fake.requests.filter((r) => r.path === `/api/v4/users/${MANAGER}`)).toHaveLength(1);
    expect(env.fake.requests.filter((r) => r.method === 'GET' && r.path === `/api/v4/leads/${own}`)).toHaveLength(1);
  });

  it('a user unknown to the account, or an integration that may not read rights, is refused in words and writes nothing', async () => {
    await accountWithRole('A');
    const unknown = await writeBack(999, lead(MANAGER));
    expect(unknown.status).toBe(403);
    expect(unknown.body.error.code).toBe('no_rights');
    env.fake.usersForbidden = true;
    const unverifiable = await writeBack(COLLEAGUE, lead(MANAGER));
    expect(unverifiable.status).toBe(403);
    expect(unverifiable.body.error.code).toBe('rights_unverifiable');
    expect(unverifiable.body.error.message).toMatch(/admin should connect it again/);
    await env.app.system.worker.whenIdle();
    expect(env.fake.patches).toHaveLength(0);
  });
});
