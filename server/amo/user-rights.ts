/**
 * Whether an amoCRM user may edit an entity, as amoCRM's own rights say (reference §5, "User
 * rights"; Kommo "Users and roles"). Our writes use the integration's token, so amoCRM checks
 * nothing for us: a manager must not be able to change, through the widget, a lead amoCRM does
 * not let them edit.
 *
 * The rule: an admin always may. Otherwise the role's `edit` right for the entity type decides:
 * A all, G when the user shares a group with the entity's responsible user, M when the user is
 * the responsible user, D never. For a lead, a stage right (`status_rights` of its pipeline and
 * status, A or D) replaces the general one. The user is read with `GET /api/v4/users/{id}` and
 * the entity with `GET /api/v4/{entity}/{id}`; each answer is kept for a short while (CACHE_MS).
 */
import type { AmoApi, EntityType } from './api-client.js';
import { AmoApiError } from './api-errors.js';
import { AppError } from '../errors.js';

type Right = 'A' | 'G' | 'M' | 'D';

interface AmoUser {
  id: number;
  rights?: {
    is_admin?: boolean;
    is_active?: boolean;
    group_id?: number | null;
    status_rights?: Array<{ entity_type?: string; pipeline_id?: number; status_id?: number; rights?: { edit?: Right } }> | null;
  } & Partial<Record<EntityType, { edit?: Right } | null>>;
}

interface AmoEntity {
  id: number;
  responsible_user_id?: number | null;
  pipeline_id?: number;
  status_id?: number;
}

/** How long a user's rights and an entity's responsible user are trusted without asking again. */
export const RIGHTS_CACHE_MS = 60_000;
const MAX_CACHED = 10_000;

export interface RightsCaller {
  accountId: number;
  userId: number | null;
  isAdmin: boolean;
}

export class UserRights {
  private readonly cache = new Map<string, { until: number; value: Promise<unknown> }>();

  constructor(
    private readonly api: AmoApi,
    private readonly now: () => number,
  ) {}

  /** Resolves when the caller may edit the entity; throws 403 `no_rights` (or `rights_unverifiable`) when not. */
  async assertMayEdit(caller: RightsCaller, entity: EntityType, entityId: number): Promise<void> {
    if (caller.isAdmin) return;
    if (caller.userId === null) throw noRights('the amoCRM token names no user');
    const user = await this.user(caller.accountId, caller.userId);
    if (!user) throw noRights('this user is not in the amoCRM account');
    const rights = user.rights ?? {};
    if (rights.is_admin === true) return;
    if (rights.is_active === false) throw noRights('this amoCRM user is deactivated');
    const record = await this.entity(caller.accountId, entity, entityId);
    if (!record) throw new AppError('no_rights', `There is no ${singular(entity)} ${entityId} in this amoCRM account.`);
    let right: Right = rights[entity]?.edit ?? 'D';
    if (entity === 'leads') {
      const stage = rights.status_rights?.find((s) => (s.entity_type ?? 'leads') === 'leads' && s.pipeline_id === record.pipeline_id && s.status_id === record.status_id);
      if (stage?.rights?.edit) right = stage.rights.edit;
    }
    if (right === 'A') return;
    const responsible = record.responsible_user_id ?? null;
    if (right === 'M' && responsible === caller.userId) return;
    if (right === 'G' && responsible !== null) {
      if (responsible === caller.userId) return;
      const owner = await this.user(caller.accountId, responsible);
      // Users outside every group are in amoCRM's main group (group_id 0 or absent).
      if (owner && (owner.rights?.group_id ?? 0) === (rights.group_id ?? 0)) return;
    }
    throw noRights(right === 'D' ? `your role may not edit ${entity}` : right === 'M' ? `your role may edit only ${entity} you are responsible for` : `your role may edit only ${entity} of your group`);
  }

  private user(accountId: number, userId: number): Promise<AmoUser | null> {
    return this.cached(`u:${accountId}:${userId}`, async () => {
      try {
        return await this.api.request<AmoUser>(accountId, 'GET', `/api/v4/users/${userId}`, undefined, { query: { with: 'role,group' } });
      } catch (error) {
        if (error instanceof AmoApiError && error.amoStatus === 404) return null;
        // amoCRM answers the users API to an administrator's token only (reference §5).
        if (error instanceof AmoApiError && error.kind === 'rights') {
          throw new AppError('rights_unverifiable', 'amoCRM does not let this integration read user rights (it was connected by a user who is not an admin): an admin should connect it again in the widget settings. Nothing was written.');
        }
        throw error;
      }
    });
  }

  private entity(accountId: number, entity: EntityType, id: number): Promise<AmoEntity | null> {
    return this.cached(`e:${accountId}:${entity}:${id}`, async () => {
      try {
        return await this.api.request<AmoEntity>(accountId, 'GET', `/api/v4/${entity}/${id}`);
      } catch (error) {
        if (error instanceof AmoApiError && error.amoStatus === 404) return null;
        throw error;
      }
    });
  }

  /** One answer per key for RIGHTS_CACHE_MS; a failed read is not kept. */
  private cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    if (this.cache.size >= MAX_CACHED) {
      for (const [k, v] of this.cache) if (v.until <= now) this.cache.delete(k);
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
    }
    const value = read();
    this.cache.set(key, { until: now + RIGHTS_CACHE_MS, value });
    value.catch(() => this.cache.delete(key));
    return value;
  }
}

function noRights(why: string): AppError {
  return new AppError('no_rights', `amoCRM does not let you change this: ${why}. Ask an admin of the account for the right, or ask the responsible manager to enter the address.`);
}

const singular = (entity: EntityType) => ({ leads: 'lead', contacts: 'contact', companies: 'company' })[entity];
