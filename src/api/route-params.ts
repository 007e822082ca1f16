/** Path parameter schemas shared by the routes. */
import { Type } from '@sinclair/typebox';
import { Uuid } from '../contract/schemas/common.js';

/** A UUID in any case (lower-cased by the handlers). */
export const UuidParam = Uuid;

export const SubscriptionParams = Type.Object({ subscriptionId: Type.String() });
export const EndpointParams = Type.Object({ subscriptionId: Type.String(), endpointId: UuidParam });

export const ApiVersionQuery = Type.Object({ apiVersion: Type.String({ description: 'Always 1.0.' }) });

/** Security requirement for the OpenAPI document. */
export const SIGNED = [{ AzureCDN: [] }];
