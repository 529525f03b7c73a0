// Sign in and sign up; both go back to the page that asked.

import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Field, Notice, Title } from '../components';
import { t } from '../i18n';
import { safeNext } from '../paths';
import { navigate } from '../router';
import { signIn, signUp } from '../session';

export function SignIn({ next }: { next: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(email.trim(), password);
      navigate(safeNext(next), { replace: true });
    } catch (err) {
      setError((err as ApiError).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="narrow">
      <Title text={t('signin.title')} />
      <form onSubmit={submit}>
        <Field label={t('field.email')} type="email" name="email" autoComplete="email" required value={email} onValue={setEmail} />
        <Field label={t('field.password')} type="password" name="password" autoComplete="current-password" required value={password} onValue={setPassword} />
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {busy ? t('signin.busy') : t('signin.submit')}
        </button>
      </form>
      <p>
        {t('signin.new')} <a href={`/signup${next ? `?next=${encodeURIComponent(next)}` : ''}`}>{t('signin.createAccount')}</a>
      </p>
    </section>
  );
}

export function SignUp({ next }: { next: string | null }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signUp(email.trim(), password, name.trim());
      navigate(safeNext(next), { replace: true });
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="narrow">
      <Title text={t('signup.title')} />
      <form onSubmit={submit}>
        <Field label={t('field.yourName')} name="displayName" autoComplete="name" required value={name} onValue={setName} error={error?.fieldMessage?.('displayName')} />
        <Field label={t('field.email')} type="email" name="email" autoComplete="email" required value={email} onValue={setEmail} error={error?.fieldMessage?.('email')} />
        <Field
          label={t('field.password')}
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={12}
          hint={t('password.hint')}
          value={password}
          onValue={setPassword}
          error={error?.fieldMessage?.('password')}
        />
        {error && <Notice kind="error">{error.message}</Notice>}
        <button type="submit" disabled={busy}>
          {busy ? t('signup.busy') : t('signup.submit')}
        </button>
      </form>
      <p>
        {t('signup.haveAccount')} <a href={`/signin${next ? `?next=${encodeURIComponent(next)}` : ''}`}>{t('signin.submit')}</a>
      </p>
    </section>
  );
}
