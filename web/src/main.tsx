// The site's shell: header, navigation by role, and the page for the current path.

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { match, onLinkClick, useLocation } from './router';
import { currentProfile, onSessionChange, resume, resumingSession, signOut, type Profile } from './session';
import { currentLanguage, LANGUAGES, onLanguageChange, t, type Language } from './i18n';
import { chooseLanguage, followAccount, startLanguage } from './language';
import { Home } from './pages/Home';
import { EventPage } from './pages/EventPage';
import { SignIn, SignUp } from './pages/SignIn';
import { TicketPage, MyTickets } from './pages/Tickets';
import { Account } from './pages/Account';
import { Organize } from './pages/Organize';
import { Webhooks } from './pages/Webhooks';
import { Team } from './pages/Team';
import { worksOnEvents } from './team';
import { EventEditor } from './pages/EventEditor';
import { DoorEvents, DoorScanner } from './pages/Door';
import { Title } from './components';
import './styles.css';

startLanguage();
onSessionChange(followAccount);
// A reload or a new tab: the session cookie signs its owner in again (once the
// network is back, when it was cut).
void resume();
window.addEventListener('online', () => void resume());

/** The signed-in profile, re-rendering on every change of the session (resuming too). */
function useProfile(): Profile | undefined {
  const [, setChanges] = useState(0);
  useEffect(() => {
    const stop = onSessionChange(() => setChanges((n) => n + 1));
    setChanges((n) => n + 1); // what changed before this subscribed (a resume that failed at once)
    return stop;
  }, []);
  return currentProfile();
}

/** The language, re-rendering the whole site when it changes. */
function useLanguage(): Language {
  const [language, setLanguage] = useState(currentLanguage);
  useEffect(() => onLanguageChange(setLanguage), []);
  return language;
}

/** The header's language switch: applies at once, saved to the account or this device. */
function LanguageSwitch({ profile }: { profile?: Profile }) {
  const language = useLanguage();
  const [error, setError] = useState(false);
  return (
    <div class="language-switch">
      <label for="language-switch" class="visually-hidden">
        {t('language.label')}
      </label>
      <select
        id="language-switch"
        value={language}
        aria-describedby={error ? 'language-switch-error' : undefined}
        onChange={(e) => {
          setError(false);
          chooseLanguage((e.target as HTMLSelectElement).value as Language, profile).catch(() => setError(true));
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
      </select>
      {error && (
        <span id="language-switch-error" class="error" role="alert">
          {t('language.notSaved')}
        </span>
      )}
    </div>
  );
}

function Page({ path, query, profile }: { path: string; query: URLSearchParams; profile?: Profile }) {
  let params: Record<string, string> | undefined;
  if (path === '/') return <Home query={query} />;
  if ((params = match('/e/:id', path))) return <EventPage id={params.id} profile={profile} />;
  if (path === '/signin') return <SignIn next={query.get('next')} />;
  if (path === '/signup') return <SignUp next={query.get('next')} />;
  if (path === '/tickets') return <MyTickets profile={profile} />;
  if ((params = match('/tickets/:id', path))) return <TicketPage id={params.id} profile={profile} />;
  if (path === '/account') return <Account profile={profile} />;
  if (path === '/organize') return <Organize profile={profile} />;
  if (path === '/organize/new') return <EventEditor profile={profile} />;
  if (path === '/organize/webhooks') return <Webhooks profile={profile} />;
  if (path === '/organize/team') return <Team profile={profile} />;
  if ((params = match('/organize/:id', path))) return <EventEditor id={params.id} profile={profile} />;
  if (path === '/door') return <DoorEvents profile={profile} />;
  if ((params = match('/door/:eventId', path))) return <DoorScanner eventId={params.eventId} profile={profile} />;
  return (
    <section>
      <Title text={t('notFound.title')} />
      <p>
        {t('notFound.text')} <a href="/">{t('notFound.link')}</a>
      </p>
    </section>
  );
}

function App() {
  const { path, query } = useLocation();
  const profile = useProfile();
  useLanguage();
  // Organizers, admins and the members of an organizer's team.
  const organizes = worksOnEvents(profile);
  useEffect(() => {
    // Move focus to the new page's heading, so screen readers announce it.
    document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [path]);
  return (
    <div onClick={(e) => onLinkClick(e as unknown as MouseEvent)}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <a class="brand" href="/">
          {t('app.name')}
        </a>
        <nav aria-label={t('nav.label')}>
          <ul>
            <li>
              <a href="/" aria-current={path === '/' ? 'page' : undefined}>
                {t('nav.events')}
              </a>
            </li>
            {profile && (
              <li>
                <a href="/tickets" aria-current={path.startsWith('/tickets') ? 'page' : undefined}>
                  {t('nav.tickets')}
                </a>
              </li>
            )}
            {organizes && (
              <li>
                <a href="/organize" aria-current={path.startsWith('/organize') ? 'page' : undefined}>
                  {t('nav.events.mine')}
                </a>
              </li>
            )}
            {(organizes || path.startsWith('/door')) && (
              <li>
                <a href="/door" aria-current={path.startsWith('/door') ? 'page' : undefined}>
                  {t('nav.door')}
                </a>
              </li>
            )}
            {profile ? (
              <>
                <li>
                  <a href="/account" aria-current={path === '/account' ? 'page' : undefined}>
                    {profile.displayName}
                  </a>
                </li>
                <li>
                  <button type="button" class="link" onClick={() => void signOut()}>
                    {t('nav.signOut')}
                  </button>
                </li>
              </>
            ) : (
              <li>
                <a href={`/signin?next=${encodeURIComponent(path)}`}>{t('nav.signIn')}</a>
              </li>
            )}
          </ul>
        </nav>
        <LanguageSwitch profile={profile} />
      </header>
      <main id="main">
        {!profile && resumingSession() ? (
          <p role="status" class="hint">
            {t('app.resuming')}
          </p>
        ) : (
          <Page path={path} query={query} profile={profile} />
        )}
      </main>
      <footer class="bottom">
        <p>{t('app.footer')}</p>
      </footer>
    </div>
  );
}

render(<App />, document.getElementById('app')!);

// The service worker keeps the app shell, so a door scanner opens with no network
// after one visit (public/sw.js). Only the built site: the dev server has no shell.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => undefined);
  });
}
