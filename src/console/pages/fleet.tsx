/**
 * The fleet, for operators: GET /edges with the operator token (MOONCDN_OPERATOR_TOKEN of the
 * API), not with a tenant's key. The token is tried before it is kept (in sessionStorage, like
 * the key), then the list is read again every few seconds.
 */
import { useState } from 'preact/hooks';
import type { EdgeList } from '../../contract/schemas/fleet.js';
import { ApiProblem, send } from '../api.js';
import { Problem } from '../components/problem.js';
import { asProblem, usePoll } from '../components/use-async.js';
import { EDGE_STATES, fleetSummary, formatAge } from '../fleet-summary.js';
import { clearOperatorToken, loadOperatorToken, saveOperatorToken } from '../session.js';

const REFRESH_MS = 3_000;

async function readFleet(token: string): Promise<EdgeList> {
  // A header value must be visible ASCII; the API takes one word after "Bearer".
  if (!/^[\x21-\x7e]+$/.test(token)) throw new ApiProblem('InvalidAuthorizationHeader', 'The operator token is one word of printable ASCII characters (the value of MOONCDN_OPERATOR_TOKEN).', 0);
  return (await send<EdgeList>('/edges', { method: 'GET', headers: { authorization: `Bearer ${token}` } })).body;
}

export function FleetPage() {
  const [token, setToken] = useState(loadOperatorToken);
  const [fleet, setFleet] = useState<{ edges: EdgeList['Edges']; at: Date }>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [busy, setBusy] = useState(false);

  const forget = (why?: ApiProblem) => {
    clearOperatorToken();
    setToken(undefined);
    setFleet(undefined);
    setProblem(why);
  };

  usePoll(
    async () => {
      if (!token) return;
      try {
        setFleet({ edges: (await readFleet(token)).Edges, at: new Date() });
        setProblem(undefined);
      } catch (error) {
        const problem = asProblem(error);
        // A token the API no longer takes (or an API without the route) is not kept.
        if (problem.status === 401 || problem.status === 404) forget(problem);
        else setProblem(problem);
      }
    },
    token !== undefined,
    REFRESH_MS,
  );

  const submit = async (event: Event) => {
    event.preventDefault();
    const given = String(new FormData(event.currentTarget as HTMLFormElement).get('token') ?? '').trim();
    setBusy(true);
    setProblem(undefined);
    try {
      setFleet({ edges: (await readFleet(given)).Edges, at: new Date() });
      saveOperatorToken(given);
      setToken(given);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" tabIndex={-1}>
      <h1>Fleet</h1>
      <p>
        The edges of the scaled shape as the control plane last heard them. For operators: it takes the API's operator token
        (MOONCDN_OPERATOR_TOKEN), kept in this tab only.
      </p>
      {problem?.status === 404 ? <p>This API has no operator routes: it was started without MOONCDN_OPERATOR_TOKEN.</p> : null}
      <Problem problem={problem} id="fleet-problem" />
      {token === undefined ? (
        <form onSubmit={submit} class="inline" aria-describedby={problem ? 'fleet-problem' : undefined}>
          <label>
            Operator token
            <input name="token" type="password" required autocomplete="off" spellcheck={false} />
          </label>
          <button type="submit" disabled={busy}>
            {busy ? 'Asking…' : 'Show the fleet'}
          </button>
        </form>
      ) : (
        <div class="actions">
          <button type="button" onClick={() => forget()}>
            Forget the operator token
          </button>
        </div>
      )}
      {token !== undefined && fleet ? <EdgeTable edges={fleet.edges} at={fleet.at} /> : null}
    </main>
  );
}

function EdgeTable({ edges, at }: { edges: EdgeList['Edges']; at: Date }) {
  return (
    <section aria-labelledby="fleet-edges-title">
      <h2 id="fleet-edges-title">Edges</h2>
      <p class="fleet-summary">{fleetSummary(edges)}</p>
      <p class="muted">
        Read at {at.toISOString().slice(11, 19)} UTC, again every {REFRESH_MS / 1000} s. Times in UTC.
      </p>
      {edges.length > 0 ? (
        <table class="fleet">
          <caption>Each edge</caption>
          <thead>
            <tr>
              <th scope="col">Edge</th>
              <th scope="col">Address</th>
              <th scope="col">State</th>
              <th scope="col" class="number">Applied sequence</th>
              <th scope="col" class="number">Lag</th>
              <th scope="col">Last heartbeat</th>
              <th scope="col">Lease expires</th>
              <th scope="col">Features</th>
            </tr>
          </thead>
          <tbody>
            {edges.map((edge) => (
              <tr key={edge.EdgeId} data-edge-id={edge.EdgeId}>
                <th scope="row">{edge.EdgeId}</th>
                <td>
                  <code>{edge.Address}</code>
                </td>
                <td class={`edge-state state-${edge.State}`}>{edge.State}</td>
                <td class="number">{edge.AppliedSequence}</td>
                <td class="number edge-lag">{edge.Lag}</td>
                <td>
                  {edge.LastHeartbeat.slice(0, 19).replace('T', ' ')} ({formatAge(edge.HeartbeatAgeSeconds)})
                </td>
                <td>{edge.LeaseExpires.slice(0, 19).replace('T', ' ')}</td>
                {/* None: a mooncdn older than features; purges that need one fail on it (README, "Fleets of mixed versions"). */}
                <td class="edge-features">{edge.Features.length > 0 ? edge.Features.join(', ') : 'none (older mooncdn: tag, soft and wildcard purges fail on it)'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <dl class="states">
        {Object.entries(EDGE_STATES).map(([state, meaning]) => (
          <div key={state}>
            <dt>{state}</dt>
            <dd>{meaning}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
