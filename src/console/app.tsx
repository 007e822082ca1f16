/**
 * The mooncdn web console: sign in with a key, then endpoints, their cache rules, access
 * control, purges and preloads, the operations history, traffic and certificates; and, for
 * operators, the fleet (with the operator token, signed in with a key or not). Every string
 * from the API is rendered as text by Preact (no innerHTML anywhere), under a CSP that allows
 * no inline script.
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './console.css';
import { Api } from './api.js';
import { CertificatesPage } from './pages/certificates.js';
import { EndpointPage } from './pages/endpoint-page.js';
import { EndpointsPage } from './pages/endpoints.js';
import { FleetPage } from './pages/fleet.js';
import { OperationsPage } from './pages/operations.js';
import { SignIn } from './pages/sign-in.js';
import { TrafficPage } from './pages/traffic.js';
import { parseRoute, type Route } from './route.js';
import { clearSession, loadSession, saveSession, type Session } from './session.js';

const NAV = [
  ['#/endpoints', 'Endpoints', 'endpoints'],
  ['#/operations', 'Operations', 'operations'],
  ['#/traffic', 'Traffic', 'traffic'],
  ['#/certificates', 'Certificates', 'certificates'],
  ['#/fleet', 'Fleet', 'fleet'],
] as const;

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const route = useRoute();
  const api = useMemo(() => (session ? new Api(session) : undefined), [session]);
  useEffect(() => {
    // The page's heading names where one is, for the tab's title too.
    document.title = `${route.page[0]!.toUpperCase()}${route.page.slice(1)} · mooncdn console`;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route]);

  if (!session || !api) {
    // The fleet takes the operator token, not a tenant's key.
    if (route.page === 'fleet') {
      return (
        <>
          <header>
            <span class="brand">mooncdn</span>
            <nav aria-label="Console">
              <a href="#/endpoints">Sign in</a>
            </nav>
          </header>
          <FleetPage />
        </>
      );
    }
    return (
      <SignIn
        onSignIn={(next) => {
          saveSession(next);
          setSession(next);
        }}
      />
    );
  }
  const current = route.page === 'endpoint' ? 'endpoints' : route.page;
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to the content
      </a>
      <header>
        <span class="brand">mooncdn</span>
        <nav aria-label="Console">
          {NAV.map(([href, label, page]) => (
            <a key={page} href={href} aria-current={current === page ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          Subscription <code>{session.subscriptionId}</code>, key <code>{session.keyId}</code>
        </span>
        <button
          type="button"
          onClick={() => {
            clearSession();
            setSession(undefined);
          }}
        >
          Sign out
        </button>
      </header>
      {route.page === 'endpoints' ? <EndpointsPage api={api} /> : null}
      {route.page === 'endpoint' ? <EndpointPage key={route.id} api={api} id={route.id} tab={route.tab} /> : null}
      {route.page === 'operations' ? <OperationsPage api={api} endpoint={route.endpoint} /> : null}
      {route.page === 'traffic' ? <TrafficPage api={api} endpoint={route.endpoint} /> : null}
      {route.page === 'certificates' ? <CertificatesPage api={api} /> : null}
      {route.page === 'fleet' ? <FleetPage /> : null}
    </>
  );
}

const root = document.getElementById('app')!;
// The "Loading…" placeholder goes: render() would keep it beside the app.
root.textContent = '';
render(<App />, root);
