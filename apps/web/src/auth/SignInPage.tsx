import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, toApiError } from '../api/client';
import { ErrorView } from '../components/ErrorView';
import { session } from './session';

/** Asks for the workspace's API key once per browser tab and checks it against the API. */
export function SignInPage() {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const refusal = session.refusal();
  const client = useQueryClient();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Any /v1 call checks the key; this one is cheap.
      const { response, error: body } = await api.GET('/v1/phone-numbers', {
        params: { query: { limit: 1 } },
        headers: { authorization: `Bearer ${key.trim()}` },
      });
      if (!response.ok) {
        throw toApiError(response.status, response.headers.get('x-request-id'), body);
      }
      // Nothing another key loaded (before it was refused) may show under this one.
      client.clear();
      session.signIn(key.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <form onSubmit={(e) => void submit(e)} className="card">
        <h1>Sign in</h1>
        <p>
          Enter your workspace&rsquo;s API key. It is kept in this browser tab only and forgotten
          when you sign out or close the tab.
        </p>
        {refusal && !error && <p className="notice">Your key was refused: {refusal}</p>}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          required
          minLength={8}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          autoFocus
        />
        <button type="submit" className="button primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        {error !== null && <ErrorView error={error} title="Sign-in failed" />}
      </form>
    </main>
  );
}
