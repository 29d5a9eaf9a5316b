import { Link, useRouteError } from 'react-router';
import { ErrorView } from './ErrorView';

export function NotFound() {
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the overview</Link>
      </p>
    </div>
  );
}

/** A page that threw while rendering (or its chunk failed to load, e.g. after a deploy). */
export function RouteError() {
  const error = useRouteError();
  return (
    <main className="sign-in">
      <ErrorView error={error} title="This page failed" />
      <p>
        <a href={window.location.href}>Reload the page</a>
      </p>
    </main>
  );
}
