/** HTTPS certificates and bindings (CONTRACT §5; not in the Swagger file). */
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp, Uuid, withAliases } from './common.js';

export const CertificateUpload = Type.Object(
  {
    Name: withAliases(Type.String({ minLength: 1, maxLength: 200 }), ['CertificateName']),
    PublicCertificate: Type.String({
      description: 'The certificate as PEM (whole, BEGIN/END lines included; the chain may follow the leaf) or base64 (DER, or the body of a PEM).',
    }),
    PrivateKey: Type.String({ description: 'The key as PEM or base64 DER (PKCS#8, PKCS#1 or SEC1), unencrypted.' }),
    Format: Type.Optional(Type.String({ pattern: '^[Pp][Ee][Mm]$', description: 'Pem, or leave it out: both forms are recognised either way.' })),
  },
  { description: 'CertificateUpload' },
);
export type CertificateUpload = Static<typeof CertificateUpload>;

export const Certificate = Type.Object(
  {
    CertificateId: Uuid,
    SubscriptionId: Uuid,
    CertificateName: Type.String({ description: 'The name it was uploaded under (also in Name).' }),
    Name: Type.String(),
    Subject: Type.String(),
    Issuer: Type.String(),
    Thumbprint: Type.String({ description: 'SHA-1 fingerprint, upper-case hex.' }),
    DnsNames: Type.Array(Type.String(), { description: 'The names the certificate covers.' }),
    NotBefore: Timestamp,
    NotAfter: Timestamp,
  },
  { $id: 'Certificate', description: 'A stored certificate; the private key is never returned.' },
);
export type Certificate = Static<typeof Certificate>;

export const HttpsBindingInput = Type.Object(
  { CertificateId: Uuid, EndpointId: Uuid },
  { description: 'HttpsBinding' },
);
export type HttpsBindingInput = Static<typeof HttpsBindingInput>;
