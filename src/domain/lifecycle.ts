/**
 * Which operations an endpoint admits in which state, and the LifetimeStatus each moves it
 * through (CONTRACT §6). The transitional status is written when the operation is accepted, so
 * a second setting change is refused while one is queued; the resting status is written when
 * the operation ends.
 */
import { Errors } from '../contract/errors.js';
import type { OperationType } from '../contract/schemas/operation.js';
import type { Endpoint, LifetimeStatus } from './endpoint.js';

export type Admission =
  /** Queue the operation; set the endpoint's LifetimeStatus to `transitional` if given. */
  | { readonly kind: 'queue'; readonly transitional: LifetimeStatus | undefined }
  /** Nothing to do (enable of an enabled endpoint): the operation succeeds at once. */
  | { readonly kind: 'succeedAtOnce' };

const SETTING_CHANGES: ReadonlySet<OperationType> = new Set([
  'UpdateEndpoint',
  'UpdateCacheRules',
  'UpdateAccessControl',
  'CreateHttpsBinding',
]);

export function admit(type: OperationType, endpoint: Endpoint): Admission {
  const state = `endpoint "${endpoint.id}" is ${endpoint.lifetimeStatus}`;
  switch (type) {
    case 'Purge':
    case 'Preload':
      if (endpoint.lifetimeStatus !== 'Normal') {
        throw Errors.endpointNotInActiveState(`Cannot ${type.toLowerCase()}: ${state}; wait until it is Normal.`);
      }
      if (!endpoint.enabled) throw Errors.endpointNotInActiveState(`Cannot ${type.toLowerCase()}: endpoint "${endpoint.id}" is disabled; enable it first.`);
      return { kind: 'queue', transitional: undefined };
    case 'EnableEndpoint':
    case 'DisableEndpoint': {
      const enable = type === 'EnableEndpoint';
      if (endpoint.lifetimeStatus !== 'Normal') {
        throw Errors.endpointNotInActiveState(`Cannot ${enable ? 'enable' : 'disable'}: ${state}; wait until it is Normal.`);
      }
      if (endpoint.enabled === enable) return { kind: 'succeedAtOnce' };
      return { kind: 'queue', transitional: enable ? 'Enabling' : 'Disabling' };
    }
    case 'DeleteEndpoint':
      if (endpoint.lifetimeStatus === 'Deleting') throw Errors.endpointNotInActiveState(`Cannot delete: ${state} already.`);
      return { kind: 'queue', transitional: 'Deleting' };
    default:
      if (!SETTING_CHANGES.has(type)) throw new Error(`admit() does not handle ${type}`);
      if (endpoint.lifetimeStatus !== 'Normal') {
        throw Errors.endpointNotInActiveState(`Cannot change settings: ${state}; wait until its current operation ends.`);
      }
      return { kind: 'queue', transitional: 'Updating' };
  }
}

/**
 * The LifetimeStatus after an operation ends. A delete accepted behind this operation keeps
 * the endpoint Deleting; otherwise success rests at Normal (Deleted for a delete) and failure
 * returns to the status before the operation (CreationFailed for a create).
 */
export function restingStatus(
  type: OperationType,
  succeeded: boolean,
  current: LifetimeStatus,
  before: LifetimeStatus | undefined,
): LifetimeStatus {
  if (type === 'Purge' || type === 'Preload') return current;
  if (type === 'DeleteEndpoint') return succeeded ? 'Deleted' : restingBefore(before);
  if (current === 'Deleting') return 'Deleting';
  if (type === 'CreateEndpoint') return succeeded ? 'Normal' : 'CreationFailed';
  return succeeded ? 'Normal' : restingBefore(before);
}

/**
 * The status to return to when an operation fails. A delete may be accepted while another
 * operation is queued, so the status before it can be transitional; that operation has ended
 * by the time the delete ends, so never go back to a transitional status (nothing would ever
 * move the endpoint out of it). A create that a delete overtook rests at CreationFailed: the
 * create's own outcome is not known here, and that status admits only another delete, which
 * is what the client asked for.
 */
function restingBefore(before: LifetimeStatus | undefined): LifetimeStatus {
  switch (before) {
    case undefined:
    case 'Updating':
    case 'Enabling':
    case 'Disabling':
    case 'Deleting':
      return 'Normal';
    case 'Creating':
      return 'CreationFailed';
    default:
      return before;
  }
}
