// The API key of this browser tab: entered once, kept in sessionStorage (gone when the tab
// closes), forgotten on sign-out or when the API refuses it. Components read it through
// useApiKey(), so signing in or out re-renders the app without a page reload.
import { useSyncExternalStore } from 'react';

const STORAGE_KEY = 'mmlite.apiKey';
const listeners = new Set<() => void>();
let refusal: string | null = null;

function notify(): void {
  for (const l of listeners) {
    l();
  }
}

export const session = {
  apiKey(): string | null {
    return sessionStorage.getItem(STORAGE_KEY);
  },
  signIn(apiKey: string): void {
    sessionStorage.setItem(STORAGE_KEY, apiKey);
    refusal = null;
    notify();
  },
  signOut(): void {
    sessionStorage.removeItem(STORAGE_KEY);
    notify();
  },
  /** The API answered 401: the key is forgotten and the sign-in page says why. */
  refused(message: string): void {
    refusal = message;
    session.signOut();
  },
  /** Why the last key stopped working, if it did. */
  refusal(): string | null {
    return refusal;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

const subscribe = (listener: () => void) => session.subscribe(listener);
const snapshot = () => session.apiKey();

export function useApiKey(): string | null {
  return useSyncExternalStore(subscribe, snapshot);
}
