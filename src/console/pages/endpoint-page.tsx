/**
 * One endpoint: its settings and status, and tabs for what can be done to it. Every change
 * shows its operation until it ends, then the endpoint is read again.
 */
import { useState } from 'preact/hooks';
import type { Endpoint } from '../../contract/schemas/endpoint.js';
import type { Accepted, Api, ApiProblem } from '../api.js';
import { OperationTracker } from '../components/operation-tracker.js';
import { FieldProblem, Problem } from '../components/problem.js';
import { asProblem, useLoad } from '../components/use-async.js';
import { belongsTo, fieldOf } from '../field-errors.js';
import { ENDPOINT_TABS, type EndpointTab } from '../route.js';
import { items } from '../text-input.js';
import { AccessControlEditor } from './access-control.js';
import { CacheRulesEditor } from './cache-rules.js';
import { ContentPanel } from './content.js';


export function EndpointPage({ api, id, tab }: { api: Api; id: string; tab: EndpointTab }) {
  const endpoint = useLoad(() => api.get<Endpoint>(`/endpoints/${id}`), [api, id]);
  const domain = endpoint.value?.Settings.CustomDomain;
  return (
    <main id="main" tabIndex={-1}>
      <p>
        <a href="#/endpoints">← All endpoints</a>
      </p>
      <h1>{domain ?? 'Endpoint'}</h1>
      <Problem problem={endpoint.problem} />
      {endpoint.value ? (
        <p class="endpoint-status">
          Status <strong class={`lifetime lifetime-${endpoint.value.Status.LifetimeStatus}`}>{endpoint.value.Status.LifetimeStatus}</strong>,{' '}
          {endpoint.value.Status.Enabled ? 'enabled' : 'disabled'}; CNAME target <code>{endpoint.value.Settings.CName}</code>; scheme{' '}
          {endpoint.value.Settings.AllowedScheme}
        </p>
      ) : null}
      <nav aria-label="Endpoint sections" class="tabs">
        {ENDPOINT_TABS.map(([name, label]) => (
          <a key={name} href={`#/endpoints/${id}/${name}`} aria-current={name === tab ? 'page' : undefined}>
            {label}
          </a>
        ))}
        <a href={`#/operations?endpoint=${id}`}>Operations</a>
        <a href={`#/traffic?endpoint=${id}`}>Traffic</a>
      </nav>
      {endpoint.value && tab === 'settings' ? <SettingsPanel api={api} endpoint={endpoint.value} onChange={endpoint.reload} /> : null}
      {endpoint.value && tab === 'cache-rules' ? <CacheRulesEditor api={api} id={id} /> : null}
      {endpoint.value && tab === 'access-control' ? <AccessControlEditor api={api} id={id} /> : null}
      {endpoint.value && tab === 'content' ? <ContentPanel api={api} endpoint={endpoint.value} /> : null}
    </main>
  );
}

function SettingsPanel({ api, endpoint, onChange }: { api: Api; endpoint: Endpoint; onChange: () => void }) {
  const id = endpoint.EndpointID;
  const [problem, setProblem] = useState<ApiProblem>();
  const [accepted, setAccepted] = useState<{ accepted: Accepted; label: string; then?: () => void }>();
  const field = fieldOf(problem?.message ?? '');

  const run = async (label: string, method: string, path: string, body?: unknown, then?: () => void) => {
    setProblem(undefined);
    try {
      setAccepted({ accepted: await api.change(method, path, body), label, ...(then ? { then } : {}) });
      onChange();
    } catch (error) {
      setProblem(asProblem(error));
    }
  };
  const update = (flag: 'Origin' | 'HostHeader') => (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const settings = flag === 'Origin' ? { Origin: { Addresses: items(String(data.get('Origin'))) } } : { Host: String(data.get('Host')).trim() };
    void run(flag === 'Origin' ? 'Changing the origin' : 'Changing the host header', 'PUT', `/endpoints/${id}`, { EndpointSettings: settings, UpdateFlag: flag });
  };
  const originProblem = belongsTo(field, 'Origin') || belongsTo(field, 'EndpointSettings.Origin') ? problem : undefined;
  const hostProblem = belongsTo(field, 'Host') || belongsTo(field, 'EndpointSettings.Host') ? problem : undefined;

  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form onSubmit={update('Origin')} class="inline">
        <label>
          Origin addresses (one per line)
          <textarea name="Origin" rows={2} defaultValue={endpoint.Settings.Origin.Addresses.join('\n')} aria-describedby="origin-problem" spellcheck={false} />
        </label>
        <button type="submit">Change origin</button>
        <FieldProblem problem={originProblem} id="origin-problem" />
      </form>
      <form onSubmit={update('HostHeader')} class="inline">
        <label>
          Host header
          <input name="Host" defaultValue={endpoint.Settings.Host} aria-describedby="host-problem" spellcheck={false} />
        </label>
        <button type="submit">Change host</button>
        <FieldProblem problem={hostProblem} id="host-problem" />
      </form>
      <div class="actions" role="group" aria-label="Endpoint state">
        {endpoint.Status.Enabled ? (
          <button type="button" onClick={() => void run('Disabling', 'POST', `/endpoints/${id}/disable`)}>
            Disable
          </button>
        ) : (
          <button type="button" onClick={() => void run('Enabling', 'POST', `/endpoints/${id}/enable`)}>
            Enable
          </button>
        )}
        <button
          type="button"
          class="danger"
          onClick={() => {
            if (confirm(`Delete ${endpoint.Settings.CustomDomain}? The CDN stops serving it.`)) void run('Deleting', 'DELETE', `/endpoints/${id}`, undefined, () => (location.hash = '#/endpoints'));
          }}
        >
          Delete
        </button>
      </div>
      {originProblem || hostProblem ? null : <Problem problem={problem} />}
      {accepted ? <OperationTracker key={accepted.accepted.operationId} api={api} accepted={accepted.accepted} label={accepted.label} onEnd={accepted.then ?? onChange} /> : null}
    </section>
  );
}
