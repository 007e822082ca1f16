/** The handler of every operation Type, listed explicitly. */
import type { AccessControlPolicy } from '../../domain/access-control.js';
import type { CachePolicyRules } from '../../domain/cache-policy.js';
import type { EndpointSettings } from '../../domain/endpoint.js';
import type { OperationType } from '../../domain/operation.js';
import type { OperationHandler } from '../handler.js';
import { configurationChange } from './configuration-change.js';
import { deleteEndpoint } from './delete-endpoint.js';
import { preload } from './preload.js';
import { purge } from './purge.js';

export const HANDLERS: Readonly<Record<OperationType, OperationHandler>> = {
  CreateEndpoint: configurationChange(() => ({})),
  UpdateEndpoint: configurationChange((_, payload) => ({ settings: payload.settings as EndpointSettings })),
  EnableEndpoint: configurationChange(() => ({ enabled: true })),
  DisableEndpoint: configurationChange(() => ({ enabled: false })),
  UpdateCacheRules: configurationChange((_, payload) => ({ cachePolicy: payload.cachePolicy as CachePolicyRules })),
  UpdateAccessControl: configurationChange((_, payload) => ({ accessControl: payload.accessControl as AccessControlPolicy })),
  CreateHttpsBinding: configurationChange((_, payload) => ({ certificateId: payload.certificateId as string })),
  DeleteEndpoint: deleteEndpoint,
  Purge: purge,
  Preload: preload,
};
