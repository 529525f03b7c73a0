// Which language the site speaks, and the switch: the signed-in account's language
// (GET /users/me `language`, saved with PATCH /users/me), else the one chosen on this
// device (localStorage), else the browser's. Tokens are never kept here: only "en" or "fr".

import { request } from './api';
import { browserLanguages, currentLanguage, isLanguage, pickLanguage, setLanguage, type Language } from './i18n';
import { reloadProfile, type Profile } from './session';

const STORAGE_KEY = 'language';

function storedLanguage(): Language | undefined {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLanguage(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function keepLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

/** The language at start, before anyone signs in. */
export function startLanguage(): void {
  setLanguage(pickLanguage(undefined, storedLanguage(), browserLanguages()));
}

/** A profile just read: its language, when it has one, wins. */
export function followAccount(profile?: Profile): void {
  if (profile && isLanguage(profile.language) && profile.language !== currentLanguage()) setLanguage(profile.language);
}

/**
 * The reader picked a language: shown at once, then saved to the account when signed
 * in (kept on this device instead if the account could not take it), else on this device.
 */
export async function chooseLanguage(language: Language, profile?: Profile): Promise<void> {
  setLanguage(language);
  if (!profile) {
    keepLanguage(language);
    return;
  }
  try {
    await request('/users/me', { method: 'PATCH', body: { language } });
    await reloadProfile();
  } catch (err) {
    keepLanguage(language);
    throw err;
  }
}
