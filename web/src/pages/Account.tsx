// The account: name, password, and deleting it.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Confirm, Field, Notice, Title } from '../components';
import { navigate } from '../router';
import { reloadProfile, signOutLocally, type Profile } from '../session';

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
        <Title text="Your account" />
        <p>
          <a href="/signin?next=/account">Sign in</a> to manage your account.
        </p>
      </section>
    );
  }
  const update = async (form: string, body: object, done: string) => {
    setMessage(undefined);
    setErrors(undefined);
    try {
      await request('/users/me', { method: 'PATCH', body });
      await reloadProfile();
      setMessage({ kind: 'success', text: done, form });
      setCurrent('');
      setNext('');
    } catch (e) {
      setErrors(e as ApiError);
      setMessage({ kind: 'error', text: (e as ApiError).message, form });
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
  return (
    <section class="narrow">
      <Title text="Your account" />
      <p>
        Signed in as <strong>{profile.email}</strong> ({profile.role}).
      </p>
      <p>
        Door staff: <a href="/door">scan tickets at the door</a> of the events you were added to.
      </p>
      <form onSubmit={(e) => (e.preventDefault(), void update('name', { displayName: name }, 'Your name was saved.'))}>
        <h2>Name</h2>
        <Field label="Your name" name="displayName" required value={name} onValue={setName} error={errors?.fieldMessage('displayName')} />
        {notice('name')}
        <button type="submit">Save name</button>
      </form>
      <form onSubmit={(e) => (e.preventDefault(), void update('password', { currentPassword: current, newPassword: next }, 'Your password was changed; other devices are signed out.'))}>
        <h2>Password</h2>
        <Field label="Current password" type="password" name="currentPassword" autoComplete="current-password" required value={current} onValue={setCurrent} error={errors?.fieldMessage('currentPassword')} />
        <Field label="New password" type="password" name="newPassword" autoComplete="new-password" required minLength={12} hint="At least 12 characters." value={next} onValue={setNext} error={errors?.fieldMessage('newPassword')} />
        {notice('password')}
        <button type="submit">Change password</button>
      </form>
      <div>
        <h2>Delete my account</h2>
        <p>Your name, email and password are erased and you are signed out everywhere. Your bookings stay, without your name.</p>
        {notice('delete')}
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          Delete my account
        </button>
      </div>
      <Confirm open={asking} title="Delete your account?" confirmLabel="Delete it" onConfirm={erase} onCancel={() => setAsking(false)}>
        <p>This cannot be undone.</p>
      </Confirm>
    </section>
  );
}
