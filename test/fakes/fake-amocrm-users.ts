/**
 * The fake amoCRM's users, groups and roles, in the shapes amoCRM documents:
 * - `GET /api/v4/users/{id}` (Kommo "Users and roles" → "Get user by ID"; amoCRM
 *   platform/users-api): the user with `rights` — per entity `view`/`edit`/`add`/`delete`/
 *   `export` as A/G/M/D, `status_rights` per pipeline and status, `is_admin`, `is_free`,
 *   `is_active`, `group_id`, `role_id` (the same keys amocrm-api-php's RightModel reads) — and,
 *   with `with=role,group`, `_embedded.roles` and `_embedded.groups`.
 * - `GET /api/v4/roles/{id}` ("Get role by ID").
 * Both answer only to an administrator's token: a JSON 403 otherwise ("Method is available for
 * administrator users only"; reference §5). `usersForbidden` plays an integration connected by
 * a manager who is not an admin. An unknown id is a 404.
 */
import type express from 'express';
import type { FakeAmoCrm } from './fake-amocrm.js';
import { problem } from './fake-amocrm.js';

export type Right = 'A' | 'G' | 'M' | 'D';
export interface EntityRights {
  view: Right;
  edit: Right;
  add: 'A' | 'D';
  delete: Right;
  export: Right;
}
export interface FakeRole {
  id: number;
  name: string;
  rights: { leads: EntityRights; contacts: EntityRights; companies: EntityRights; status_rights: Array<{ entity_type: 'leads'; pipeline_id: number; status_id: number; rights: { view: 'A' | 'D'; edit: 'A' | 'D'; delete: 'A' | 'D' } }> };
}
export interface FakeUser {
  id: number;
  name: string;
  isAdmin?: boolean;
  isActive?: boolean;
  groupId?: number | null;
  /** The role whose rights the user has; without one, full rights (amoCRM's default for a new user). */
  roleId?: number | null;
}

/** Rights with one value for view, edit and delete (add stays A, as the docs allow only A or D there). */
export const rights = (edit: Right, view: Right = edit === 'D' ? 'A' : edit): EntityRights => ({ view, edit, add: 'A', delete: edit, export: view });

export function userRoutes(app: express.Express, fake: FakeAmoCrm): void {
  const adminOnly = (res: express.Response) => problem(res, 403, 'Forbidden', 'Insufficient rights to call this method');

  app.get('/api/v4/users/:id', (req, res) => {
    const accountId = fake.bearerAccount(req)!;
    if (fake.usersForbidden) return adminOnly(res);
    const user = fake.users.get(accountId)?.get(Number(req.params.id));
    if (!user) return problem(res, 404, 'Not found');
    const role = user.roleId ? fake.roles.get(accountId)?.get(user.roleId) : undefined;
    const full = rights('A');
    const withParts = String(req.query.with ?? '').split(',');
    const group = fake.groups.get(accountId)?.get(user.groupId ?? 0);
    fake.reply(res, 200, {
      id: user.id,
      name: user.name,
      email: `user${user.id}@example.test`,
      lang: 'ru',
      rights: {
        leads: role?.rights.leads ?? full,
        contacts: role?.rights.contacts ?? full,
        companies: role?.rights.companies ?? full,
        tasks: { edit: 'A', delete: 'A' },
        mail_access: true,
        catalog_access: true,
        files_access: true,
        status_rights: role?.rights.status_rights ?? [],
        is_admin: user.isAdmin ?? false,
        is_free: false,
        is_active: user.isActive ?? true,
        group_id: user.groupId ?? null,
        role_id: user.roleId ?? null,
      },
      _links: { self: { href: `/api/v4/users/${user.id}` } },
      _embedded: {
        ...(withParts.includes('role') ? { roles: role ? [{ id: role.id, name: role.name, _links: { self: { href: `/api/v4/roles/${role.id}` } } }] : [] } : {}),
        ...(withParts.includes('group') ? { groups: group ? [{ id: group.id, name: group.name }] : [] } : {}),
      },
    });
  });

  app.get('/api/v4/roles/:id', (req, res) => {
    if (fake.usersForbidden) return adminOnly(res);
    const role = fake.roles.get(fake.bearerAccount(req)!)?.get(Number(req.params.id));
    return role ? fake.reply(res, 200, { ...role, _links: { self: { href: `/api/v4/roles/${role.id}` } } }) : problem(res, 404, 'Not found');
  });
}
