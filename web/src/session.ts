// The signed-in session. Tokens live only in this module's memory, never in
// localStorage or sessionStorage, where any injected script could read them: a
// reload asks to sign in again (see the README). The access token is refreshed a
// minute before its `exp`, and on demand when a request finds it about to expire.

import { request, useTokens } from './api';

export type Role = 'attendee' | 'organizer' | 'admin';

export interface Profile {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  /** The account's language; absent from an API that does not have it yet. */
  language?: 'en' | 'fr' | null;
}

interface TokenPair {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
}

interface State {
  profile?: Profile;
  access?: string;
  refresh?: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt?: number;
}

let state: State = {};
let timer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<void> | undefined;
const listeners = new Set<(profile?: Profile) => void>();

/** How long before `exp` to refresh: a minute, or a fifth of a short lifetime. */
export function refreshDelay(expiresInSeconds: number): number {
  const margin = Math.min(60, expiresInSeconds / 5);
  return Math.max(0, (expiresInSeconds - margin) * 1000);
}

export function currentProfile(): Profile | undefined {
  return state.profile;
}

export function onSessionChange(listener: (profile?: Profile) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function publish(): void {
  for (const listener of listeners) listener(state.profile);
}

function keep(pair: TokenPair): void {
  state = { ...state, access: pair.accessToken, refresh: pair.refreshToken, expiresAt: Date.now() + pair.expiresIn * 1000 };
  clearTimeout(timer);
  timer = setTimeout(() => void refreshNow().catch(() => signOutLocally()), refreshDelay(pair.expiresIn));
}

async function refreshNow(): Promise<void> {
  if (!state.refresh) return;
  refreshing ??= request<TokenPair>('/auth/refresh', { method: 'POST', body: { refreshToken: state.refresh }, auth: false })
    .then(keep)
    .finally(() => (refreshing = undefined));
  return refreshing;
}

async function accessToken(): Promise<string | undefined> {
  if (state.access && state.expiresAt && state.expiresAt - Date.now() < 5_000) {
    await refreshNow().catch(() => signOutLocally());
  }
  return state.access;
}
useTokens(accessToken);

async function loadProfile(): Promise<void> {
  state.profile = await request<Profile>('/users/me');
  publish();
}

export async function signIn(email: string, password: string): Promise<Profile> {
  keep(await request<TokenPair>('/auth/login', { method: 'POST', body: { email, password }, auth: false }));
  await loadProfile();
  return state.profile!;
}

export async function signUp(email: string, password: string, displayName: string): Promise<Profile> {
  await request('/auth/register', { method: 'POST', body: { email, password, displayName }, auth: false });
  return signIn(email, password);
}

/** Reads the profile again (after a change of name, or of role by an admin). */
export async function reloadProfile(): Promise<void> {
  if (state.access) await loadProfile();
}

export async function signOut(): Promise<void> {
  const refresh = state.refresh;
  try {
    if (refresh) await request('/auth/logout', { method: 'POST', body: { refreshToken: refresh }, auth: false });
  } finally {
    signOutLocally();
  }
}

export function signOutLocally(): void {
  clearTimeout(timer);
  state = {};
  publish();
}
