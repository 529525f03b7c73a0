// The signed-in session. The access token lives only in this module's memory; the
// refresh token lives in an HttpOnly cookie the API sets (`X-Session: cookie`), which
// no script can read, so a reload or a new tab signs its owner in again without the
// password. The access token is refreshed a minute before its `exp`, and on demand
// when a request finds it about to expire. That a session exists is no secret:
// `localStorage` only remembers that there is one to resume.

import { request, useTokens } from './api';

export type Role = 'attendee' | 'organizer' | 'admin';

export interface Profile {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  /** The account's language; absent from an API that does not have it yet. */
  language?: 'en' | 'fr' | null;
  /** The organizer's team the account is in, and its part there. */
  team?: { organizationId: string; role: 'manager' | 'viewer' | 'door' } | null;
}

interface TokenPair {
  accessToken: string;
  expiresIn: number;
}

interface State {
  profile?: Profile;
  access?: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt?: number;
}

/** Asks the API to keep the refresh token in its HttpOnly cookie. */
const COOKIE_SESSION = { 'x-session': 'cookie' };
/** Set while a session may be resumed from the cookie; nothing secret. */
const HINT = 'session';

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

function remember(on: boolean): void {
  try {
    if (on) localStorage.setItem(HINT, '1');
    else localStorage.removeItem(HINT);
  } catch {
    // Storage refused (a private window's quota): a reload then asks to sign in.
  }
}

function remembered(): boolean {
  try {
    return localStorage.getItem(HINT) === '1';
  } catch {
    return false;
  }
}

function keep(pair: TokenPair): void {
  remember(true);
  state = { ...state, access: pair.accessToken, expiresAt: Date.now() + pair.expiresIn * 1000 };
  clearTimeout(timer);
  timer = setTimeout(() => void refreshNow().catch(lost), refreshDelay(pair.expiresIn));
}

async function refreshNow(): Promise<void> {
  refreshing ??= request<TokenPair>('/auth/refresh', { method: 'POST', headers: COOKIE_SESSION, auth: false })
    .then(keep)
    .finally(() => (refreshing = undefined));
  return refreshing;
}

/**
 * A refresh failed: refused, the session is over; without network or with the
 * server failing, the page drops its token but the session is resumed later.
 */
function lost(err: { status?: number }): void {
  const refused = err.status !== undefined && err.status !== 0 && err.status < 500;
  signOutLocally(refused);
}

async function accessToken(): Promise<string | undefined> {
  if (state.access && state.expiresAt && state.expiresAt - Date.now() < 5_000) {
    await refreshNow().catch(lost);
  }
  return state.access;
}
useTokens(accessToken);

async function loadProfile(): Promise<void> {
  state.profile = await request<Profile>('/users/me');
  publish();
}

let resuming: Promise<void> | undefined;

/**
 * Signs the page in again from the session cookie, if it had a session (after a
 * reload, in a new tab, or once the network is back). Without network the session
 * stays remembered for later; a refused cookie forgets it.
 */
export function resume(): Promise<void> {
  if (state.access || !remembered()) return Promise.resolve();
  resuming ??= refreshNow()
    .then(loadProfile)
    .catch(lost)
    .finally(() => {
      resuming = undefined;
      publish();
    });
  publish();
  return resuming;
}

/** Whether a session is being resumed from the cookie right now. */
export function resumingSession(): boolean {
  return resuming !== undefined;
}

export async function signIn(email: string, password: string): Promise<Profile> {
  keep(await request<TokenPair>('/auth/login', { method: 'POST', body: { email, password }, headers: COOKIE_SESSION, auth: false }));
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
  try {
    await request('/auth/logout', { method: 'POST', headers: COOKIE_SESSION, auth: false });
  } finally {
    signOutLocally();
  }
}

/** Forgets the page's session; `forget` also the cookie's being there to resume. */
export function signOutLocally(forget = true): void {
  clearTimeout(timer);
  if (forget) remember(false);
  state = {};
  publish();
}
