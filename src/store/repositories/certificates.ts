import type { Kysely } from 'kysely';
import type { StoredCertificate } from '../../domain/certificate.js';
import type { SecretBox } from '../../domain/secret-box.js';
import type { CertificatesTable, Database } from '../schema.js';

export class CertificateRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretBox,
  ) {}

  async insert(cert: StoredCertificate): Promise<void> {
    await this.db
      .insertInto('certificates')
      .values({
        id: cert.id,
        subscription_id: cert.subscriptionId,
        name: cert.name,
        subject: cert.subject,
        issuer: cert.issuer,
        thumbprint: cert.thumbprint,
        dns_names: JSON.stringify(cert.dnsNames),
        not_before: cert.notBefore,
        not_after: cert.notAfter,
        certificate_pem: cert.certificatePem,
        private_key: this.secrets.seal(cert.privateKeyPem),
        created_at: cert.createdAt,
      })
      .execute();
  }

  async get(id: string): Promise<StoredCertificate | undefined> {
    const row = await this.db.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.toCertificate(row);
  }

  async listBySubscription(subscriptionId: string): Promise<StoredCertificate[]> {
    const rows = await this.db
      .selectFrom('certificates')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => this.toCertificate(row));
  }

  private toCertificate(row: CertificatesTable): StoredCertificate {
    return {
      id: row.id,
      subscriptionId: row.subscription_id,
      name: row.name,
      subject: row.subject,
      issuer: row.issuer,
      thumbprint: row.thumbprint,
      dnsNames: JSON.parse(row.dns_names) as string[],
      notBefore: row.not_before,
      notAfter: row.not_after,
      certificatePem: row.certificate_pem,
      privateKeyPem: this.secrets.open(row.private_key),
      createdAt: row.created_at,
    };
  }
}
