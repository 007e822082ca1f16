/**
 * The contract's lists of values (enums), apart from the TypeBox schemas that use them: the
 * command line loads these without loading TypeBox.
 */

export const CACHE_RULE_TYPES = ['Suffix', 'Dir', 'FullUri'] as const;

export const SERVICE_TYPES = ['Web', 'Download', 'VOD', 'LiveStreaming', 'ImageProcessing'] as const;

export const LIFETIME_STATUSES = [
  'Normal',
  'Creating',
  'CreationFailed',
  'Deleting',
  'Deleted',
  'Updating',
  'Enabling',
  'Disabling',
] as const;

export const ICP_VERIFY_STATUSES = ['IcpVerifying', 'IcpVerifyFailed', 'IcpVerified'] as const;

/** The live service's AllowedScheme (CONTRACT §7): which schemes the edge serves the domain on. */
export const ALLOWED_SCHEMES = ['Http', 'Https', 'HttpAndHttps'] as const;

export const OPERATION_TYPES = [
  'CreateEndpoint',
  'UpdateEndpoint',
  'DeleteEndpoint',
  'EnableEndpoint',
  'DisableEndpoint',
  'UpdateCacheRules',
  'UpdateAccessControl',
  'Purge',
  'Preload',
  'CreateHttpsBinding',
] as const;

/** The seed page's spelling `Succeeded` wins over the Swagger enum's `Succeed` (CONTRACT §4). */
export const OPERATION_STATUSES = ['NotSet', 'Processing', 'Succeeded', 'Failed'] as const;

export const PURGE_ITEM_STATUSES = ['Running', 'Succeed', 'Failed'] as const;

export const PRELOAD_ITEM_STATUSES = ['Waiting', 'Running', 'Succeed', 'Failed'] as const;

export const GRANULARITIES = ['PerFiveMinutes', 'PerHour', 'PerDay'] as const;
