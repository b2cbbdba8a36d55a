// Every /v1 capability's routes; each is mounted at /v1 and again at /v1/accounts/:account_id.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from './http/scope.ts';
import { accountRoutes } from './accounts/routes.ts';
import { userRoutes } from './users/routes.ts';

export const capabilities: FastifyPluginAsyncTypebox<RouteDeps>[] = [
  accountRoutes,
  userRoutes,
];
