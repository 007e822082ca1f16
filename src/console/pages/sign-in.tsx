/**
 * Sign-in: subscription id, key id and key value. The key is tried with a signed request (the
 * endpoint list) before it is kept; a wrong one shows the API's own message.
 */
import { useState } from 'preact/hooks';
import { Api, type ApiProblem } from '../api.js';
import { Problem } from '../components/problem.js';
import { asProblem } from '../components/use-async.js';
import type { Session } from '../session.js';

export function SignIn({ onSignIn }: { onSignIn: (session: Session) => void }) {
  const [problem, setProblem] = useState<ApiProblem>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const session: Session = {
      subscriptionId: String(data.get('subscriptionId') ?? '').trim(),
      keyId: String(data.get('keyId') ?? '').trim(),
      keyValue: String(data.get('keyValue') ?? ''),
    };
    setBusy(true);
    setProblem(undefined);
    try {
      await new Api(session).get('/endpoints');
      onSignIn(session);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" tabIndex={-1} class="sign-in">
      <h1>Sign in to mooncdn</h1>
      <p>The key stays in this tab (sessionStorage) and signs each request here; it is never sent.</p>
      <form onSubmit={submit} aria-describedby={problem ? 'sign-in-problem' : undefined}>
        <label>
          Subscription id
          <input name="subscriptionId" required autocomplete="username" spellcheck={false} />
        </label>
        <label>
          Key id
          <input name="keyId" required autocomplete="off" spellcheck={false} />
        </label>
        <label>
          Key value
          <input name="keyValue" type="password" required autocomplete="current-password" />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <Problem problem={problem} id="sign-in-problem" />
      <p>
        Operators: <a href="#/fleet">the fleet</a>, with the operator token.
      </p>
    </main>
  );
}
