// Registers a capability's routes twice: at /v1 (the key's own account) and /v1/accounts/:account_id.
import { Type, type TObject, type TProperties } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { CollectionRuntime } from '../collection/runtime.ts';
import { Uuid } from './schemas.ts';

export type Clock = () => Date;

export interface AppDeps {
  db: Database;
  config: Config;
  clock: Clock;
  /** The collection engine and how runs start; buildApp makes one (runs in-process) when not given. */
  collection?: CollectionRuntime;
}

export interface RouteDeps extends AppDeps {
  /** Path-parameter schema for this registration (adds account_id under the account scope). */
  params: <T extends TProperties = {}>(schema?: TObject<T>) => TObject<T>;
  scoped: boolean;
}

export async function registerScoped(app: FastifyInstance, plugin: FastifyPluginAsyncTypebox<RouteDeps>, deps: AppDeps) {
  for (const scoped of [false, true]) {
    const params = <T extends TProperties = {}>(schema?: TObject<T>): TObject<T> =>
      Type.Object({ ...(scoped ? { account_id: Uuid } : {}), ...(schema?.properties ?? {}) }) as unknown as TObject<T>;
    await app.register(plugin, { ...deps, params, scoped, prefix: scoped ? '/accounts/:account_id' : '' });
  }
}
