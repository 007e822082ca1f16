/** Certificates: what was uploaded (never a private key), an upload form, and HTTPS bindings. */
import { useState } from 'preact/hooks';
import type { Certificate } from '../../contract/schemas/certificate.js';
import type { Endpoint } from '../../contract/schemas/endpoint.js';
import type { Accepted, Api, ApiProblem } from '../api.js';
import { OperationTracker } from '../components/operation-tracker.js';
import { FieldProblem, Problem } from '../components/problem.js';
import { asProblem, useLoad } from '../components/use-async.js';
import { belongsTo, fieldOf } from '../field-errors.js';

export function CertificatesPage({ api }: { api: Api }) {
  const certificates = useLoad(() => api.get<Certificate[]>('/https/certificates'), [api]);
  const endpoints = useLoad(() => api.get<Endpoint[]>('/endpoints'), [api]);
  return (
    <main id="main" tabIndex={-1}>
      <h1>Certificates and HTTPS</h1>
      <Problem problem={certificates.problem ?? endpoints.problem} />
      {certificates.value && certificates.value.length > 0 ? (
        <table class="certificates">
          <caption>Uploaded certificates</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Names covered</th>
              <th scope="col">Valid until</th>
              <th scope="col">Issuer</th>
              <th scope="col">Thumbprint</th>
            </tr>
          </thead>
          <tbody>
            {certificates.value.map((c) => (
              <tr key={c.CertificateId}>
                <th scope="row">{c.Name}</th>
                <td>{c.DnsNames.join(', ')}</td>
                <td>{c.NotAfter.slice(0, 10)}</td>
                <td>{c.Issuer}</td>
                <td>
                  <code>{c.Thumbprint}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{certificates.value ? 'No certificate uploaded yet.' : 'Loading…'}</p>
      )}
      <Upload api={api} onChange={certificates.reload} />
      {certificates.value && endpoints.value ? (
        <Bind api={api} certificates={certificates.value} endpoints={endpoints.value} onChange={endpoints.reload} />
      ) : null}
    </main>
  );
}

function Upload({ api, onChange }: { api: Api; onChange: () => void }) {
  const [problem, setProblem] = useState<ApiProblem>();
  const [done, setDone] = useState<string>();
  const field = fieldOf(problem?.message ?? '');
  const at = (name: string) => (belongsTo(field, name) ? problem : undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setProblem(undefined);
    setDone(undefined);
    try {
      const certificate = (await api.call<Certificate>('POST', '/https/certificates', {}, {
        Name: String(data.get('Name')),
        PublicCertificate: String(data.get('PublicCertificate')),
        PrivateKey: String(data.get('PrivateKey')),
      })).body;
      form.reset();
      setDone(`Uploaded ${certificate.Name}, for ${certificate.DnsNames.join(', ')}.`);
      onChange();
    } catch (error) {
      setProblem(asProblem(error));
    }
  };
  return (
    <section aria-labelledby="upload-title">
      <h2 id="upload-title">Upload a certificate</h2>
      <form onSubmit={submit} class="stacked">
        <label>
          Name
          <input name="Name" required aria-describedby="cert-name-problem" />
          <FieldProblem problem={at('Name')} id="cert-name-problem" />
        </label>
        <label>
          Certificate (PEM, the chain may follow)
          <textarea name="PublicCertificate" rows={4} required spellcheck={false} aria-describedby="cert-public-problem" />
          <FieldProblem problem={at('PublicCertificate')} id="cert-public-problem" />
        </label>
        <label>
          Private key (PEM, unencrypted; sent once, never shown again)
          <textarea name="PrivateKey" rows={4} required spellcheck={false} aria-describedby="cert-key-problem" />
          <FieldProblem problem={at('PrivateKey')} id="cert-key-problem" />
        </label>
        <button type="submit">Upload</button>
      </form>
      {['Name', 'PublicCertificate', 'PrivateKey'].some((name) => belongsTo(field, name)) ? null : <Problem problem={problem} />}
      {done ? <p role="status">{done}</p> : null}
    </section>
  );
}

function Bind({ api, certificates, endpoints, onChange }: { api: Api; certificates: Certificate[]; endpoints: Endpoint[]; onChange: () => void }) {
  const [problem, setProblem] = useState<ApiProblem>();
  const [accepted, setAccepted] = useState<Accepted>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    setProblem(undefined);
    try {
      setAccepted(await api.change('POST', '/https/bindings', { CertificateId: String(data.get('CertificateId')), EndpointId: String(data.get('EndpointId')) }));
    } catch (error) {
      setProblem(asProblem(error));
    }
  };
  return (
    <section aria-labelledby="bind-title">
      <h2 id="bind-title">Serve an endpoint over HTTPS</h2>
      <p>Bound: {endpoints.filter((e) => e.Settings.AllowedScheme === 'HttpAndHttps').map((e) => e.Settings.CustomDomain).join(', ') || 'none yet'}.</p>
      <form onSubmit={submit} class="inline">
        <label>
          Certificate
          <select name="CertificateId" required>
            {certificates.map((c) => (
              <option key={c.CertificateId} value={c.CertificateId}>
                {c.Name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Endpoint
          <select name="EndpointId" required>
            {endpoints.map((e) => (
              <option key={e.EndpointID} value={e.EndpointID}>
                {e.Settings.CustomDomain}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={certificates.length === 0 || endpoints.length === 0}>
          Bind
        </button>
      </form>
      <Problem problem={problem} />
      {accepted ? <OperationTracker key={accepted.operationId} api={api} accepted={accepted} label="Binding" onEnd={onChange} /> : null}
    </section>
  );
}
