/** HTTPS certificates and bindings (CONTRACT §5; not in the Swagger file). */
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp, Uuid } from './common.js';

export const CertificateUpload = Type.Object(
  {
    Name: Type.String({ minLength: 1, maxLength: 200 }),
    PublicCertificate: Type.String({ description: 'Base64 DER or PEM; a PEM may carry the chain after the leaf.' }),
    PrivateKey: Type.String({ description: 'Base64 DER (PKCS#8 or PKCS#1) or PEM.' }),
  },
  { description: 'CertificateUpload' },
);
export type CertificateUpload = Static<typeof CertificateUpload>;

export const Certificate = Type.Object(
  {
    CertificateId: Uuid,
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
