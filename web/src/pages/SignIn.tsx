// Sign in and sign up; both go back to the page that asked.

import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Field, Notice, Title } from '../components';
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
      <Title text="Sign in" />
      <form onSubmit={submit}>
        <Field label="Email" type="email" name="email" autoComplete="email" required value={email} onValue={setEmail} />
        <Field label="Password" type="password" name="password" autoComplete="current-password" required value={password} onValue={setPassword} />
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        New here? <a href={`/signup${next ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</a>.
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
      <Title text="Create an account" />
      <form onSubmit={submit}>
        <Field label="Your name" name="displayName" autoComplete="name" required value={name} onValue={setName} error={error?.fieldMessage?.('displayName')} />
        <Field label="Email" type="email" name="email" autoComplete="email" required value={email} onValue={setEmail} error={error?.fieldMessage?.('email')} />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={12}
          hint="At least 12 characters."
          value={password}
          onValue={setPassword}
          error={error?.fieldMessage?.('password')}
        />
        {error && <Notice kind="error">{error.message}</Notice>}
        <button type="submit" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <a href={`/signin${next ? `?next=${encodeURIComponent(next)}` : ''}`}>Sign in</a>.
      </p>
    </section>
  );
}
