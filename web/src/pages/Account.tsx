// The account: name, language, password, and deleting it.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Confirm, Field, Notice, Title } from '../components';
import { currentLanguage, LANGUAGES, t, type Key, type Language } from '../i18n';
import { chooseLanguage } from '../language';
import { navigate } from '../router';
import { reloadProfile, signOutLocally, type Profile } from '../session';

const ROLE_KEY = {
  attendee: 'role.attendee',
  organizer: 'role.organizer',
  admin: 'role.admin',
} as const satisfies Record<Profile['role'], Key>;

export function Account({ profile }: { profile?: Profile }) {
  const [name, setName] = useState(profile?.displayName ?? '');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string; form: string }>();
  const [errors, setErrors] = useState<ApiError>();
  const [asking, setAsking] = useState(false);
  useEffect(() => setName(profile?.displayName ?? ''), [profile?.displayName]);

  if (!profile) {
    return (
      <section>
        <Title text={t('account.title')} />
        <p>
          <a href="/signin?next=/account">{t('account.signIn.link')}</a> {t('account.signIn.rest')}
        </p>
      </section>
    );
  }
  const update = async (form: string, body: object, done: () => string) => {
    setMessage(undefined);
    setErrors(undefined);
    try {
      await request('/users/me', { method: 'PATCH', body });
      await reloadProfile();
      setMessage({ kind: 'success', text: done(), form });
      setCurrent('');
      setNext('');
    } catch (e) {
      setErrors(e as ApiError);
      setMessage({ kind: 'error', text: (e as ApiError).message, form });
    }
  };
  const changeLanguage = async (language: Language) => {
    setMessage(undefined);
    try {
      await chooseLanguage(language, profile);
      setMessage({ kind: 'success', text: t('account.language.saved'), form: 'language' });
    } catch (e) {
      setMessage({ kind: 'error', text: `${t('language.notSaved')} ${(e as ApiError).message}`, form: 'language' });
    }
  };
  const erase = async () => {
    setAsking(false);
    try {
      await request('/users/me', { method: 'DELETE' });
      signOutLocally();
      navigate('/', { replace: true });
    } catch (e) {
      setMessage({ kind: 'error', text: (e as ApiError).message, form: 'delete' });
    }
  };
  const notice = (form: string) => message?.form === form && <Notice kind={message.kind}>{message.text}</Notice>;
  const language = currentLanguage();
  return (
    <section class="narrow">
      <Title text={t('account.title')} />
      <p>
        {t('account.signedInAs')} <strong>{profile.email}</strong> ({t(ROLE_KEY[profile.role])}).
      </p>
      <p>
        {t('account.door.before')} <a href="/door">{t('account.door.link')}</a> {t('account.door.after')}
      </p>
      <form onSubmit={(e) => (e.preventDefault(), void update('name', { displayName: name }, () => t('account.name.saved')))}>
        <h2>{t('account.name.title')}</h2>
        <Field label={t('account.name.label')} name="displayName" required value={name} onValue={setName} error={errors?.fieldMessage('displayName')} />
        {notice('name')}
        <button type="submit">{t('account.name.save')}</button>
      </form>
      <form onSubmit={(e) => e.preventDefault()}>
        <fieldset class="language-choice">
          <legend>
            <h2>{t('account.language.title')}</h2>
          </legend>
          <p class="hint" id="language-hint">
            {t('account.language.hint')}
          </p>
          {LANGUAGES.map((l) => (
            <label class="check" key={l.code} lang={l.code}>
              <input
                type="radio"
                name="language"
                value={l.code}
                checked={language === l.code}
                aria-describedby="language-hint"
                onChange={() => void changeLanguage(l.code)}
              />{' '}
              {l.name}
            </label>
          ))}
        </fieldset>
        {notice('language')}
      </form>
      <form
        onSubmit={(e) => (
          e.preventDefault(),
          void update('password', { currentPassword: current, newPassword: next }, () => t('account.password.saved'))
        )}
      >
        <h2>{t('account.password.title')}</h2>
        <Field label={t('account.password.current')} type="password" name="currentPassword" autoComplete="current-password" required value={current} onValue={setCurrent} error={errors?.fieldMessage('currentPassword')} />
        <Field label={t('account.password.new')} type="password" name="newPassword" autoComplete="new-password" required minLength={12} hint={t('password.hint')} value={next} onValue={setNext} error={errors?.fieldMessage('newPassword')} />
        {notice('password')}
        <button type="submit">{t('account.password.save')}</button>
      </form>
      <div>
        <h2>{t('account.delete.title')}</h2>
        <p>{t('account.delete.text')}</p>
        {notice('delete')}
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          {t('account.delete.title')}
        </button>
      </div>
      <Confirm open={asking} title={t('account.delete.confirm.title')} confirmLabel={t('account.delete.confirm.button')} onConfirm={erase} onCancel={() => setAsking(false)}>
        <p>{t('common.cannotUndo')}</p>
      </Confirm>
    </section>
  );
}
