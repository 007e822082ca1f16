/**
 * Accepting changes (DESIGN.md, "The operation engine"): each command validates, then writes
 * the operation (NotSet), its items and the endpoint's transitional status in one transaction.
 * Nothing is applied here; the caller answers 202 only after this returns, so an accepted
 * operation is already durable. Any error rolls everything back.
 */
import { randomUUID } from 'node:crypto';
import { Errors } from '../contract/errors.js';
import type { AccessControlInput } from '../contract/schemas/access-control.js';
import type { CachePolicyInput } from '../contract/schemas/cache-policy.js';
import type { EndpointSettingInput, EndpointUpdateInput } from '../contract/schemas/endpoint.js';
import type { PreloadParameters, PurgeParameters } from '../contract/schemas/purge-preload.js';
import { parseAccessControl } from '../domain/access-control.js';
import { parseBooleanInput } from '../domain/boolean-input.js';
import { parseCachePolicy } from '../domain/cache-policy.js';
import { certificateCovers } from '../domain/certificate.js';
import type { Clock } from '../domain/clock.js';
import { parsePreloadRequest, parsePurgeRequest, type ContentItem } from '../domain/content-request.js';
import { applyEndpointUpdate, newEndpoint, parseEndpointSetting, type Endpoint } from '../domain/endpoint.js';
import { admit } from '../domain/lifecycle.js';
import type { OperationItem, OperationPayload, OperationRecord, OperationType } from '../domain/operation.js';
import { checkQuota, quotaDay, type QuotaKind, type QuotaLimits } from '../domain/quota.js';
import { isUniqueViolation } from '../store/dialect.js';
import type { Repositories, Store } from '../store/store.js';
import { findOwnedEndpoint } from './endpoint-lookup.js';

export interface CommandLimits {
  /** URLs in one purge or preload request. */
  readonly maxUrlsPerRequest: number;
  readonly quotas: QuotaLimits;
  /**
   * Why an origin address is refused at acceptance (an IP literal the origin policy denies),
   * or undefined; absent where the API process does not know the edge's policy.
   */
  readonly deniedOrigin?: (address: string, field: string) => string | undefined;
}

interface Plan {
  readonly payload?: Omit<OperationPayload, 'before'>;
  readonly items?: readonly ContentItem[];
  readonly quotaUse?: Partial<Record<QuotaKind, number>>;
}

export class OperationCommands {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly limits: CommandLimits,
    /** Tells the engine an operation of the endpoint was accepted. */
    private readonly notify: (endpointId: string, type: OperationType) => void,
  ) {}

  async createEndpoint(subscriptionId: string, input: EndpointSettingInput): Promise<{ endpoint: Endpoint; operation: OperationRecord }> {
    const settings = parseEndpointSetting(input);
    this.checkOrigins(settings.originAddresses, 'Origin.Addresses');
    const now = this.clock.now();
    const endpoint = newEndpoint(randomUUID(), subscriptionId, settings, now);
    const operation = this.newOperation(endpoint, 'CreateEndpoint', now, 'NotSet', {});
    try {
      await this.store.transaction(async (tx) => {
        if (await tx.endpoints.findLiveByDomain(settings.customDomain)) throw domainTaken(settings.customDomain);
        await tx.endpoints.insert(endpoint);
        await tx.operations.insert(operation);
      });
    } catch (error) {
      // Two creates of one domain at once: the unique index stops the second.
      throw isUniqueViolation(error) ? domainTaken(settings.customDomain) : error;
    }
    this.notify(endpoint.id, 'CreateEndpoint');
    return { endpoint, operation };
  }

  updateEndpoint(subscriptionId: string, endpointId: string, input: EndpointUpdateInput): Promise<OperationRecord> {
    return this.accept(subscriptionId, endpointId, 'UpdateEndpoint', (endpoint) => {
      const settings = applyEndpointUpdate(endpoint, input);
      if (input.UpdateFlag === 'Origin') this.checkOrigins(settings.originAddresses, 'EndpointSettings.Origin.Addresses');
      return { payload: { settings } };
    });
  }

  private checkOrigins(addresses: readonly string[], field: string): void {
    for (const address of addresses) {
      const problem = this.limits.deniedOrigin?.(address, field);
      if (problem) throw Errors.parameterInvalid(problem);
    }
  }

  deleteEndpoint(subscriptionId: string, endpointId: string): Promise<OperationRecord> {
    return this.accept(subscriptionId, endpointId, 'DeleteEndpoint', () => ({}));
  }

  setEnabled(subscriptionId: string, endpointId: string, enabled: boolean): Promise<OperationRecord> {
    return this.accept(subscriptionId, endpointId, enabled ? 'EnableEndpoint' : 'DisableEndpoint', () => ({}));
  }

  updateCachePolicy(subscriptionId: string, endpointId: string, input: CachePolicyInput): Promise<OperationRecord> {
    const cachePolicy = parseCachePolicy(input);
    return this.accept(subscriptionId, endpointId, 'UpdateCacheRules', () => ({ payload: { cachePolicy } }));
  }

  updateAccessControl(subscriptionId: string, endpointId: string, input: AccessControlInput): Promise<OperationRecord> {
    const accessControl = parseAccessControl(input);
    return this.accept(subscriptionId, endpointId, 'UpdateAccessControl', () => ({ payload: { accessControl } }));
  }

  purge(subscriptionId: string, endpointId: string, input: PurgeParameters): Promise<OperationRecord> {
    return this.accept(subscriptionId, endpointId, 'Purge', (endpoint) => {
      const items = parsePurgeRequest(input, endpoint.customDomain, this.limits.maxUrlsPerRequest);
      const files = items.filter((item) => item.kind === 'file').length;
      // A tag may cover any number of objects, as a directory does: it counts as a directory purge.
      const soft = parseBooleanInput(input.Soft, false);
      return { items, quotaUse: { filePurges: files, directoryPurges: items.length - files }, ...(soft && { payload: { soft: true } }) };
    });
  }

  preload(subscriptionId: string, endpointId: string, input: PreloadParameters): Promise<OperationRecord> {
    return this.accept(subscriptionId, endpointId, 'Preload', (endpoint) => {
      const items = parsePreloadRequest(input, endpoint.customDomain, this.limits.maxUrlsPerRequest);
      return { items, quotaUse: { preloads: items.length } };
    });
  }

  createHttpsBinding(subscriptionId: string, endpointId: string, certificateId: string): Promise<OperationRecord> {
    return this.accept(subscriptionId, endpointId, 'CreateHttpsBinding', async (endpoint, tx) => {
      const certificate = await tx.certificates.get(certificateId);
      if (!certificate || certificate.subscriptionId !== subscriptionId) {
        throw Errors.resourceNotFound(`Certificate "${certificateId}" does not exist in subscription "${subscriptionId}".`);
      }
      if (certificate.notAfter <= this.clock.now()) {
        throw Errors.parameterInvalid(`Certificate "${certificateId}" expired on ${new Date(certificate.notAfter).toISOString()}.`);
      }
      if (!certificateCovers(certificate.certificatePem, endpoint.customDomain)) {
        throw Errors.parameterInvalid(
          `Certificate "${certificateId}" covers ${certificate.dnsNames.join(', ') || 'no DNS names'}, not the endpoint's domain "${endpoint.customDomain}".`,
        );
      }
      return { payload: { certificateId } };
    });
  }

  private async accept(
    subscriptionId: string,
    endpointId: string,
    type: OperationType,
    plan: (endpoint: Endpoint, tx: Repositories) => Plan | Promise<Plan>,
  ): Promise<OperationRecord> {
    const operation = await this.store.transaction(async (tx) => {
      const endpoint = await findOwnedEndpoint(tx, subscriptionId, endpointId, true);
      const admission = admit(type, endpoint);
      const { payload = {}, items = [], quotaUse = {} } = await plan(endpoint, tx);
      const now = this.clock.now();
      await this.useQuota(tx, subscriptionId, quotaUse, now);

      const atOnce = admission.kind === 'succeedAtOnce';
      const record = this.newOperation(endpoint, type, now, atOnce ? 'Succeeded' : 'NotSet', { ...payload, before: endpoint.lifetimeStatus });
      const initialItemStatus = type === 'Preload' ? 'Waiting' : 'Running';
      await tx.operations.insert(
        record,
        items.map(
          (item, position): OperationItem => ({
            operationId: record.id,
            position,
            kind: item.kind,
            url: item.url,
            path: item.path,
            query: item.query,
            status: initialItemStatus,
            message: null,
          }),
        ),
      );
      if (admission.kind === 'queue' && admission.transitional) {
        await tx.endpoints.update(endpoint.id, { lifetimeStatus: admission.transitional });
      }
      return record;
    });
    if (operation.status === 'NotSet') this.notify(endpointId, type);
    return operation;
  }

  private async useQuota(tx: Repositories, subscriptionId: string, use: Partial<Record<QuotaKind, number>>, now: number): Promise<void> {
    const day = quotaDay(now);
    for (const [kind, amount] of Object.entries(use) as [QuotaKind, number][]) {
      if (amount === 0) continue;
      const total = await tx.quotas.add(subscriptionId, day, kind, amount);
      checkQuota(kind, total, amount, this.limits.quotas[kind], now);
    }
  }

  private newOperation(
    endpoint: Endpoint,
    type: OperationType,
    now: number,
    status: 'NotSet' | 'Succeeded',
    payload: OperationPayload,
  ): OperationRecord {
    return {
      id: randomUUID(),
      subscriptionId: endpoint.subscriptionId,
      endpointId: endpoint.id,
      type,
      status,
      message: null,
      startedAt: now,
      endedAt: status === 'Succeeded' ? now : null,
      payload,
      attempts: 0,
    };
  }
}

function domainTaken(customDomain: string) {
  return Errors.parameterInvalid(`CustomDomain "${customDomain}" is already used by another endpoint; delete that endpoint first or choose another domain.`);
}
