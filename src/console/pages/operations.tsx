/** Operations history: filters (endpoint, status, type, accepted between), pages, each one's detail. */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Endpoint } from '../../contract/schemas/endpoint.js';
import type { Operation } from '../../contract/schemas/operation.js';
import type { OperationHistory } from '../../contract/schemas/operation-history.js';
import { OPERATION_STATUSES, OPERATION_TYPES } from '../../contract/enums.js';
import { apiTime, type Api, type ApiProblem } from '../api.js';
import { Problem } from '../components/problem.js';
import { asProblem, useLoad } from '../components/use-async.js';

interface Filters {
  readonly endpoint: string;
  readonly status: string;
  readonly type: string;
  readonly from: string;
  readonly to: string;
}

/** A datetime-local value (the browser's time zone) as the API's UTC time; '' stays ''. */
function localToApi(value: string): string {
  return value ? apiTime(new Date(value).getTime()) : '';
}

export function OperationsPage({ api, endpoint }: { api: Api; endpoint: string | undefined }) {
  const endpoints = useLoad(() => api.get<Endpoint[]>('/endpoints'), [api]);
  const [filters, setFilters] = useState<Filters>({ endpoint: endpoint ?? '', status: '', type: '', from: '', to: '' });
  const [pages, setPages] = useState<{ operations: Operation[]; token: string | null }>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [open, setOpen] = useState<string>();

  const load = async (current: Filters, token?: string) => {
    setProblem(undefined);
    try {
      const path = current.endpoint ? `/endpoints/${current.endpoint}/operations` : '/operations';
      const page = await api.get<OperationHistory>(path, {
        status: current.status,
        type: current.type,
        startTime: localToApi(current.from),
        endTime: localToApi(current.to),
        top: '50',
        continuationToken: token,
      });
      setPages((previous) => ({ operations: [...(token && previous ? previous.operations : []), ...page.Operations], token: page.ContinuationToken }));
    } catch (error) {
      setProblem(asProblem(error));
    }
  };
  useEffect(() => {
    void load(filters);
  }, [api]);
  const domainOf = new Map((endpoints.value ?? []).map((e) => [e.EndpointID, e.Settings.CustomDomain]));
  const set = (name: keyof Filters) => (event: Event) => setFilters({ ...filters, [name]: (event.currentTarget as HTMLInputElement).value });

  return (
    <main id="main" tabIndex={-1}>
      <h1>Operations</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void load(filters);
        }}
      >
        <label>
          Endpoint
          <select value={filters.endpoint} onChange={set('endpoint')}>
            <option value="">All endpoints</option>
            {(endpoints.value ?? []).map((e) => (
              <option key={e.EndpointID} value={e.EndpointID}>
                {e.Settings.CustomDomain}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={filters.status} onChange={set('status')}>
            <option value="">Any</option>
            {OPERATION_STATUSES.map((status) => (
              <option key={status}>{status}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select value={filters.type} onChange={set('type')}>
            <option value="">Any</option>
            {OPERATION_TYPES.map((type) => (
              <option key={type}>{type}</option>
            ))}
          </select>
        </label>
        <label>
          Accepted from (local time)
          <input type="datetime-local" value={filters.from} onChange={set('from')} />
        </label>
        <label>
          to
          <input type="datetime-local" value={filters.to} onChange={set('to')} />
        </label>
        <button type="submit">Show</button>
      </form>
      <Problem problem={problem} />
      {pages ? (
        <table class="operations">
          <caption>Newest first</caption>
          <thead>
            <tr>
              <th scope="col">Accepted (UTC)</th>
              <th scope="col">Type</th>
              <th scope="col">Endpoint</th>
              <th scope="col">Status</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {pages.operations.map((operation) => (
              <Fragment key={operation.Id}>
                <tr class={`status-${operation.Status}`}>
                  <td>
                    <button type="button" class="link" aria-expanded={open === operation.Id} onClick={() => setOpen(open === operation.Id ? undefined : operation.Id)}>
                      {operation.Start.replace('T', ' ').slice(0, 19)}
                    </button>
                  </td>
                  <td>{operation.Type}</td>
                  <td>{domainOf.get(operation.EndpointId) ?? operation.EndpointId}</td>
                  <td>{operation.Status}</td>
                  <td>{operation.Message ?? ''}</td>
                </tr>
                {open === operation.Id ? (
                  <tr class="detail">
                    <td colSpan={5}>
                      <dl>
                        {Object.entries(operation).map(([name, value]) => (
                          <div key={name}>
                            <dt>{name}</dt>
                            <dd>{value === null ? '—' : String(value)}</dd>
                          </div>
                        ))}
                      </dl>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      ) : null}
      {pages && pages.operations.length === 0 ? <p>No operation matches.</p> : null}
      {pages?.token ? (
        <button type="button" onClick={() => void load(filters, pages.token ?? undefined)}>
          Older operations
        </button>
      ) : null}
    </main>
  );
}
