/** Endpoints: the list with each one's status, and the form that creates one. */
import { useState } from 'preact/hooks';
import type { Endpoint } from '../../contract/schemas/endpoint.js';
import { SERVICE_TYPES } from '../../contract/enums.js';
import type { Accepted, Api, ApiProblem } from '../api.js';
import { OperationTracker } from '../components/operation-tracker.js';
import { FieldProblem, Problem } from '../components/problem.js';
import { asProblem, useLoad } from '../components/use-async.js';
import { belongsTo, fieldOf } from '../field-errors.js';
import { items } from '../text-input.js';

export function EndpointsPage({ api }: { api: Api }) {
  const list = useLoad(() => api.get<Endpoint[]>('/endpoints'), [api]);
  return (
    <main id="main" tabIndex={-1}>
      <h1>Endpoints</h1>
      <Problem problem={list.problem} />
      {list.value ? <EndpointTable endpoints={list.value} /> : <p aria-busy="true">Loading…</p>}
      <CreateEndpoint api={api} onChange={list.reload} />
    </main>
  );
}

function EndpointTable({ endpoints }: { endpoints: Endpoint[] }) {
  if (endpoints.length === 0) return <p>No endpoints yet: create one below.</p>;
  return (
    <table class="endpoints">
      <caption>Endpoints of this subscription</caption>
      <thead>
        <tr>
          <th scope="col">Domain</th>
          <th scope="col">Status</th>
          <th scope="col">Enabled</th>
          <th scope="col">Origin</th>
          <th scope="col">CNAME target</th>
        </tr>
      </thead>
      <tbody>
        {endpoints.map((endpoint) => (
          <tr key={endpoint.EndpointID} data-endpoint-id={endpoint.EndpointID}>
            <th scope="row">
              <a href={`#/endpoints/${endpoint.EndpointID}`}>{endpoint.Settings.CustomDomain}</a>
            </th>
            <td class={`lifetime lifetime-${endpoint.Status.LifetimeStatus}`}>{endpoint.Status.LifetimeStatus}</td>
            <td>{endpoint.Status.Enabled ? 'yes' : 'no'}</td>
            <td>{endpoint.Settings.Origin.Addresses.join(', ')}</td>
            <td>{endpoint.Settings.CName}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CreateEndpoint({ api, onChange }: { api: Api; onChange: () => void }) {
  const [problem, setProblem] = useState<ApiProblem>();
  const [accepted, setAccepted] = useState<{ accepted: Accepted; domain: string }>();
  const field = fieldOf(problem?.message ?? '');
  const at = (name: string) => (belongsTo(field, name) ? problem : undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const domain = String(data.get('CustomDomain')).trim();
    const host = String(data.get('Host')).trim();
    setProblem(undefined);
    try {
      const result = await api.change('POST', '/endpoints', {
        CustomDomain: domain,
        Origin: { Addresses: items(String(data.get('Origin'))) },
        ...(host ? { Host: host } : {}),
        ServiceType: String(data.get('ServiceType')),
      });
      setAccepted({ accepted: result, domain });
      form.reset();
      onChange();
    } catch (error) {
      setProblem(asProblem(error));
    }
  };

  return (
    <section aria-labelledby="create-title">
      <h2 id="create-title">Create an endpoint</h2>
      <form onSubmit={submit} class="stacked">
        <label>
          Custom domain
          <input name="CustomDomain" required placeholder="cdn.example.com" aria-describedby="create-domain-problem" spellcheck={false} />
          <FieldProblem problem={at('CustomDomain')} id="create-domain-problem" />
        </label>
        <label>
          Origin addresses (one per line)
          <textarea name="Origin" required rows={2} placeholder="origin.example.com:8080" aria-describedby="create-origin-problem" spellcheck={false} />
          <FieldProblem problem={at('Origin')} id="create-origin-problem" />
        </label>
        <label>
          Host header sent to the origin (optional)
          <input name="Host" aria-describedby="create-host-problem" spellcheck={false} />
          <FieldProblem problem={at('Host')} id="create-host-problem" />
        </label>
        <label>
          Service type
          <select name="ServiceType">
            {SERVICE_TYPES.map((type) => (
              <option key={type}>{type}</option>
            ))}
          </select>
        </label>
        <button type="submit">Create</button>
      </form>
      {field === undefined || !['CustomDomain', 'Origin', 'Host'].some((name) => belongsTo(field, name)) ? <Problem problem={problem} /> : null}
      {accepted ? <OperationTracker key={accepted.accepted.operationId} api={api} accepted={accepted.accepted} label={`Creating ${accepted.domain}`} onEnd={onChange} /> : null}
    </section>
  );
}
