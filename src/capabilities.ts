// Every /v1 capability's routes; each is mounted at /v1 and again at /v1/accounts/:account_id.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from './http/scope.ts';
import { accountRoutes } from './accounts/routes.ts';
import { userRoutes } from './users/routes.ts';
import { paperTypeRoutes, projectRoutes } from './catalog/routes.ts';
import { quoteRoutes } from './quotes/routes.ts';
import { certificateRoutes } from './ledger/certificates-routes.ts';
import { depositRoutes } from './ledger/deposits-routes.ts';
import { transactionRoutes } from './ledger/transactions-routes.ts';
import { volumeRoutes } from './ledger/volume-routes.ts';
import { keyRoutes } from './keys/routes.ts';
import { passwordLinkRoutes } from './sessions/routes.ts';
import { serverRoutes } from './integrations/servers-routes.ts';
import { feedRoutes } from './integrations/feeds-routes.ts';
import { runRoutes } from './integrations/runs-routes.ts';
import { importRoutes } from './imports/routes.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { notificationRoutes } from './notifications/routes.ts';

export const capabilities: FastifyPluginAsyncTypebox<RouteDeps>[] = [
  accountRoutes,
  userRoutes,
  paperTypeRoutes,
  projectRoutes,
  quoteRoutes,
  depositRoutes,
  transactionRoutes,
  certificateRoutes,
  volumeRoutes,
  keyRoutes,
  passwordLinkRoutes,
  serverRoutes,
  feedRoutes,
  runRoutes,
  importRoutes,
  webhookRoutes,
  notificationRoutes,
];
