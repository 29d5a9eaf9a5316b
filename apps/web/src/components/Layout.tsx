import { useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { session, useApiKey } from '../auth/session';
import { SignInPage } from '../auth/SignInPage';
import { ROUTES } from '../routes';

/**
 * The frame of every page: a skip link, the navigation (a menu button on narrow screens), sign
 * out, and the page. Without an API key it shows the sign-in form instead, at the same URL, so a
 * deep link opens where it points once signed in.
 */
export function Layout() {
  const apiKey = useApiKey();
  const client = useQueryClient();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const [menuAt, setMenuAt] = useState(location.pathname);
  if (menuAt !== location.pathname) {
    // Navigating closes the menu on phones.
    setMenuAt(location.pathname);
    setMenuOpen(false);
  }
  if (!apiKey) {
    return <SignInPage />;
  }
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">MM Lite campaigns</span>
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <nav id="main-nav" className={menuOpen ? 'nav open' : 'nav'} aria-label="Main">
          {ROUTES.filter((r) => r.nav).map((r) => (
            <NavLink key={r.path} to={`/${r.path}`} end={r.path === ''}>
              {r.nav}
            </NavLink>
          ))}
          <button
            type="button"
            className="sign-out"
            onClick={() => {
              session.signOut();
              // Nothing of this workspace stays in memory for the next key.
              client.clear();
            }}
          >
            Sign out
          </button>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
