import { describe, expect, it } from 'vitest';
import { LIFETIME_STATUSES } from '../../../src/contract/schemas/endpoint.js';
import type { OperationType } from '../../../src/contract/schemas/operation.js';
import { newEndpoint, type Endpoint, type LifetimeStatus } from '../../../src/domain/endpoint.js';
import { admit, restingStatus } from '../../../src/domain/lifecycle.js';
import { expectApiError } from '../expect-api-error.js';

const ID = '46fecf3c-e874-49aa-891d-0d4dc93213e0';

function endpoint(lifetimeStatus: LifetimeStatus, enabled = true): Endpoint {
  const base = newEndpoint(
    ID,
    '5dd0413d-a2f9-442a-b836-128d87753fa9',
    { customDomain: 'cdn.example.com', host: 'o.example.com', icp: '', originAddresses: ['o.example.com'], serviceType: 'Web' },
    0,
  );
  return { ...base, lifetimeStatus, enabled };
}

const NOT_NORMAL = LIFETIME_STATUSES.filter((s) => s !== 'Normal' && s !== 'Deleted');
const SETTING_CHANGES: OperationType[] = ['UpdateEndpoint', 'UpdateCacheRules', 'UpdateAccessControl', 'CreateHttpsBinding'];

describe('admit: purge and preload', () => {
  it.each(['Purge', 'Preload'] as const)('queues a %s on a Normal, enabled endpoint without changing its status', (type) => {
    expect(admit(type, endpoint('Normal'))).toEqual({ kind: 'queue', transitional: undefined });
  });

  it.each(['Purge', 'Preload'] as const)('refuses a %s on a disabled endpoint and says to enable it', (type) => {
    expectApiError(() => admit(type, endpoint('Normal', false)), 'EndpointNotInActiveState', 409, `endpoint "${ID}" is disabled`, 'enable it first');
  });

  it.each(NOT_NORMAL.flatMap((status) => [['Purge', status] as const, ['Preload', status] as const]))(
    'refuses a %s while the endpoint is %s, naming the status',
    (type, status) => {
      expectApiError(
        () => admit(type, endpoint(status)),
        'EndpointNotInActiveState',
        409,
        `Cannot ${type.toLowerCase()}`,
        `endpoint "${ID}" is ${status}`,
        'wait until it is Normal',
      );
    },
  );
});

describe('admit: enable and disable', () => {
  it('queues enable of a disabled endpoint, moving it to Enabling', () => {
    expect(admit('EnableEndpoint', endpoint('Normal', false))).toEqual({ kind: 'queue', transitional: 'Enabling' });
  });

  it('queues disable of an enabled endpoint, moving it to Disabling', () => {
    expect(admit('DisableEndpoint', endpoint('Normal', true))).toEqual({ kind: 'queue', transitional: 'Disabling' });
  });

  it('enable of an enabled endpoint, and disable of a disabled one, succeed at once', () => {
    expect(admit('EnableEndpoint', endpoint('Normal', true))).toEqual({ kind: 'succeedAtOnce' });
    expect(admit('DisableEndpoint', endpoint('Normal', false))).toEqual({ kind: 'succeedAtOnce' });
  });

  it.each(NOT_NORMAL.flatMap((status) => [['EnableEndpoint', 'enable', status] as const, ['DisableEndpoint', 'disable', status] as const]))(
    'refuses %s while the endpoint is %s',
    (type, verb, status) => {
      expectApiError(() => admit(type, endpoint(status, false)), 'EndpointNotInActiveState', 409, `Cannot ${verb}`, `is ${status}`);
    },
  );
});

describe('admit: setting changes', () => {
  it.each(SETTING_CHANGES)('queues %s on a Normal endpoint, enabled or not, moving it to Updating', (type) => {
    expect(admit(type, endpoint('Normal', true))).toEqual({ kind: 'queue', transitional: 'Updating' });
    expect(admit(type, endpoint('Normal', false))).toEqual({ kind: 'queue', transitional: 'Updating' });
  });

  it.each(SETTING_CHANGES.flatMap((type) => NOT_NORMAL.map((status) => [type, status] as const)))(
    'refuses %s while the endpoint is %s',
    (type, status) => {
      expectApiError(
        () => admit(type, endpoint(status)),
        'EndpointNotInActiveState',
        409,
        'Cannot change settings',
        `endpoint "${ID}" is ${status}`,
        'wait until its current operation ends',
      );
    },
  );

  it('does not admit a create, which has no endpoint yet', () => {
    expect(() => admit('CreateEndpoint', endpoint('Normal'))).toThrow(/does not handle CreateEndpoint/);
  });
});

describe('admit: delete', () => {
  it.each(['Normal', 'Creating', 'CreationFailed', 'Updating', 'Enabling', 'Disabling'] as const)(
    'queues a delete while the endpoint is %s, moving it to Deleting',
    (status) => {
      expect(admit('DeleteEndpoint', endpoint(status))).toEqual({ kind: 'queue', transitional: 'Deleting' });
      expect(admit('DeleteEndpoint', endpoint(status, false))).toEqual({ kind: 'queue', transitional: 'Deleting' });
    },
  );

  it('refuses a second delete while Deleting', () => {
    expectApiError(() => admit('DeleteEndpoint', endpoint('Deleting')), 'EndpointNotInActiveState', 409, 'Cannot delete', 'is Deleting already');
  });
});

describe('restingStatus', () => {
  it.each(['Purge', 'Preload'] as const)('leaves the status as it is after a %s', (type) => {
    for (const status of LIFETIME_STATUSES) {
      expect(restingStatus(type, true, status, 'Normal')).toBe(status);
      expect(restingStatus(type, false, status, 'Normal')).toBe(status);
    }
  });

  it('a create rests at Normal on success and CreationFailed on failure', () => {
    expect(restingStatus('CreateEndpoint', true, 'Creating', undefined)).toBe('Normal');
    expect(restingStatus('CreateEndpoint', false, 'Creating', undefined)).toBe('CreationFailed');
  });

  it.each([...SETTING_CHANGES, 'EnableEndpoint', 'DisableEndpoint'] as const)(
    '%s rests at Normal on success and at the status before on failure',
    (type) => {
      const transitional = type === 'EnableEndpoint' ? 'Enabling' : type === 'DisableEndpoint' ? 'Disabling' : 'Updating';
      expect(restingStatus(type, true, transitional, 'Normal')).toBe('Normal');
      expect(restingStatus(type, false, transitional, 'Normal')).toBe('Normal');
      expect(restingStatus(type, false, transitional, undefined)).toBe('Normal');
    },
  );

  it.each(['CreateEndpoint', 'UpdateEndpoint', 'EnableEndpoint', 'DisableEndpoint', 'UpdateCacheRules', 'CreateHttpsBinding'] as const)(
    'keeps an endpoint Deleting when a delete was accepted behind a %s',
    (type) => {
      expect(restingStatus(type, true, 'Deleting', 'Normal')).toBe('Deleting');
      expect(restingStatus(type, false, 'Deleting', 'Normal')).toBe('Deleting');
    },
  );

  it('a delete rests at Deleted on success', () => {
    expect(restingStatus('DeleteEndpoint', true, 'Deleting', 'Normal')).toBe('Deleted');
    expect(restingStatus('DeleteEndpoint', true, 'Deleting', 'Creating')).toBe('Deleted');
  });

  it.each([
    ['Normal', 'Normal'],
    ['CreationFailed', 'CreationFailed'],
    [undefined, 'Normal'],
  ] as const)('a failed delete accepted while %s returns to %s', (before, expected) => {
    expect(restingStatus('DeleteEndpoint', false, 'Deleting', before)).toBe(expected);
  });

  // A delete can be accepted while another operation is queued; that operation has ended by
  // the time the delete fails, so a transitional status would never be left again.
  it.each([
    ['Updating', 'Normal'],
    ['Enabling', 'Normal'],
    ['Disabling', 'Normal'],
    ['Creating', 'CreationFailed'],
  ] as const)('a failed delete accepted while %s rests at %s, not at a transitional status', (before, expected) => {
    const status = restingStatus('DeleteEndpoint', false, 'Deleting', before);
    expect(status).toBe(expected);
    expect(() => admit('DeleteEndpoint', endpoint(status))).not.toThrow();
  });

  it('after a failed delete of a Normal endpoint, purges and setting changes are admitted again', () => {
    const status = restingStatus('DeleteEndpoint', false, 'Deleting', 'Updating');
    expect(admit('Purge', endpoint(status)).kind).toBe('queue');
    expect(admit('UpdateCacheRules', endpoint(status)).kind).toBe('queue');
  });
});
