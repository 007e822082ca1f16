/** AccessControl and RefererControl. */
import { Type, type Static } from '@sinclair/typebox';
import { BooleanInput } from './common.js';

export const AccessControlInput = Type.Object(
  {
    ForbiddenIps: Type.Optional(Type.Array(Type.String(), { description: 'IPv4 or IPv6 addresses or CIDR ranges.' })),
    RefererControl: Type.Optional(
      Type.Object({
        Enabled: Type.Optional(BooleanInput),
        PathPatterns: Type.Optional(Type.Array(Type.String(), { description: 'Path globs; * matches any run of characters.' })),
        Referers: Type.Optional(Type.Array(Type.String())),
        RefererControlType: Type.Optional(
          Type.String({ enum: ['AllowList', 'AllowedList', 'BlockList'], description: 'AllowedList is the spec\'s spelling of AllowList.' }),
        ),
      }),
    ),
  },
  { description: 'AccessControl' },
);
export type AccessControlInput = Static<typeof AccessControlInput>;

export const AccessControl = Type.Object(
  {
    ForbiddenIps: Type.Array(Type.String()),
    RefererControl: Type.Object({
      Enabled: Type.Boolean(),
      PathPatterns: Type.Array(Type.String()),
      Referers: Type.Array(Type.String()),
      RefererControlType: Type.String({ enum: ['AllowList', 'BlockList'] }),
    }),
  },
  { $id: 'AccessControl' },
);
export type AccessControl = Static<typeof AccessControl>;
