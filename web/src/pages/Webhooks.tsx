// The organizer's webhook endpoints (Standard Webhooks): add one (its signing secret
// shown once), see whether each is on, failing or switched off, switch it, rotate
// its secret, delete it, and read its delivery log, sending a delivery again.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Confirm, Field, Loading, Notice, Title } from '../components';
import { formatDateTime } from '../format';
import { t, type Key } from '../i18n';
import type { Profile } from '../session';
import {
  EVENT_LABEL,
  EVENT_TYPES,
  emptyWebhookForm,
  endpointState,
  lastAttempt,
  webhookFieldErrors,
  webhookRequest,
  type Delivery,
  type Webhook,
  type WebhookErrorKey,
  type WebhookErrors,
  type WebhookForm,
} from '../webhooks';
import { NotOrganizer } from './Organize';

const BASE = '/organizers/me/webhooks';
const when = (iso?: string) => (iso ? formatDateTime(iso, { dateStyle: 'medium', timeStyle: 'short' }) : '');
const failed = (e: unknown) => t('webhooks.actionFailed', { message: e instanceof ApiError ? e.message : String(e) });

const STATUS_LABEL = {
  pending: 'webhooks.status.pending',
  delivered: 'webhooks.status.delivered',
  failed: 'webhooks.status.failed',
} as const satisfies Record<Delivery['status'], Key>;

export function Webhooks({ profile }: { profile?: Profile }) {
  const allowed = profile?.role === 'organizer' || profile?.role === 'admin';
  const [webhooks, setWebhooks] = useState<Webhook[]>();
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [open, setOpen] = useState<string>();
  const [deleting, setDeleting] = useState<Webhook>();

  const load = () =>
    request<{ webhooks: Webhook[] }>(BASE)
      .then((answer) => setWebhooks(answer.webhooks))
      .catch((e) => setMessage({ kind: 'error', text: failed(e) }));
  useEffect(() => {
    if (allowed) void load();
  }, [profile?.id, allowed]);
  if (!allowed) return <NotOrganizer profile={profile} />;

  const act = async (work: () => Promise<string | undefined>) => {
    setMessage(undefined);
    try {
      const text = await work();
      if (text) setMessage({ kind: 'success', text });
      await load();
    } catch (e) {
      setMessage({ kind: 'error', text: failed(e) });
    }
  };
  const path = (w: Webhook) => `${BASE}/${encodeURIComponent(w.id)}`;
  const toggle = (w: Webhook) => act(async () => void (await request(path(w), { method: 'PATCH', body: { enabled: !w.enabled } })));
  const rotate = (w: Webhook) =>
    act(async () => {
      const answer = await request<{ secret: string; previousSecretExpiresAt: string }>(`${path(w)}/secret`, { method: 'POST' });
      setMessage({ kind: 'success', text: t('webhooks.rotated', { url: w.url, until: when(answer.previousSecretExpiresAt) }) });
      setSecret(answer.secret);
      return undefined;
    });
  const remove = (w: Webhook) =>
    act(async () => {
      setDeleting(undefined);
      await request(path(w), { method: 'DELETE' });
      return undefined;
    });
  const [secret, setSecret] = useState<string>();

  return (
    <section class="webhooks">
      <Title text={t('webhooks.title')} />
      <p class="hint">{t('webhooks.intro')}</p>
      <NewEndpoint
        onCreated={(created, createdSecret) => {
          setWebhooks((known) => [...(known ?? []), created]);
          setSecret(createdSecret);
        }}
      />
      {secret && (
        <div class="secret" role="status">
          <p>{t('webhooks.created')}</p>
          <p>
            {t('webhooks.secret')}: <code data-testid="webhook-secret">{secret}</code>
          </p>
        </div>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <h2 id="webhooks-list-title">{t('webhooks.list')}</h2>
      {!webhooks && <Loading text={t('webhooks.loading')} />}
      {webhooks && webhooks.length === 0 && <p>{t('webhooks.none')}</p>}
      {webhooks && webhooks.length > 0 && (
        <table class="list webhooks-list" aria-labelledby="webhooks-list-title">
          <thead>
            <tr>
              <th scope="col">{t('webhooks.url')}</th>
              <th scope="col">{t('webhooks.col.events')}</th>
              <th scope="col">{t('webhooks.col.state')}</th>
              <th scope="col">{t('webhooks.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {webhooks.map((w) => {
              const state = endpointState(w);
              return (
                <tr key={w.id}>
                  <th scope="row">
                    <code>{w.url}</code>
                  </th>
                  <td>{w.events.map((e) => t(EVENT_LABEL[e])).join(', ')}</td>
                  <td>
                    {t(state.key as 'webhooks.state.failing', { since: when(state.since) })}
                    {state.reason && <p class="hint">{state.reason}</p>}
                  </td>
                  <td class="actions">
                    <button type="button" class="secondary" aria-expanded={open === w.id} onClick={() => setOpen(open === w.id ? undefined : w.id)}>
                      {t('webhooks.showDeliveries')}
                    </button>
                    <button type="button" class="secondary" onClick={() => toggle(w)}>
                      {w.enabled ? t('webhooks.switchOff') : t('webhooks.switchOn')}
                    </button>
                    <button type="button" class="secondary" onClick={() => rotate(w)}>
                      {t('webhooks.rotate')}
                    </button>
                    <button type="button" class="danger" onClick={() => setDeleting(w)}>
                      {t('webhooks.delete')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {webhooks?.filter((w) => w.id === open).map((w) => <Deliveries key={w.id} webhook={w} />)}
      <Confirm
        open={!!deleting}
        title={t('webhooks.delete')}
        confirmLabel={t('webhooks.delete')}
        onConfirm={() => deleting && remove(deleting)}
        onCancel={() => setDeleting(undefined)}
      >
        <p>{deleting && t('webhooks.deleteConfirm', { url: deleting.url })}</p>
      </Confirm>
    </section>
  );
}

function NewEndpoint({ onCreated }: { onCreated: (webhook: Webhook, secret: string) => void }) {
  const [form, setForm] = useState<WebhookForm>(emptyWebhookForm);
  const [errors, setErrors] = useState<WebhookErrors>({});
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const localised = (e: { url?: WebhookErrorKey; events?: WebhookErrorKey }): WebhookErrors => ({
    url: e.url && t(e.url),
    events: e.events && t(e.events),
  });

  const create = async (event: Event) => {
    event.preventDefault();
    setMessage(undefined);
    const { body, errors: local } = webhookRequest(form);
    setErrors(localised(local));
    if (!body) return;
    setBusy(true);
    try {
      const created = await request<Webhook & { secret: string }>(BASE, { method: 'POST', body });
      const { secret, ...webhook } = created;
      onCreated(webhook, secret);
      setForm(emptyWebhookForm());
      setErrors({});
    } catch (err) {
      if (err instanceof ApiError) {
        const fields = webhookFieldErrors(err.fields);
        setErrors(fields);
        setMessage(fields.other ? `${err.message} ${fields.other}` : err.message);
      } else {
        setMessage(t('webhooks.notCreated'));
      }
    } finally {
      setBusy(false);
    }
  };
  const toggle = (type: (typeof EVENT_TYPES)[number], on: boolean) =>
    setForm({ ...form, events: on ? [...form.events, type] : form.events.filter((known) => known !== type) });

  return (
    <form class="webhook-form" onSubmit={create} aria-labelledby="webhook-form-title" noValidate>
      <h2 id="webhook-form-title">{t('webhooks.new')}</h2>
      <fieldset disabled={busy}>
        <legend class="visually-hidden">{t('webhooks.new')}</legend>
        <Field
          label={t('webhooks.url')}
          name="webhook-url"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellcheck={false}
          hint={t('webhooks.url.hint')}
          value={form.url}
          onValue={(url) => setForm({ ...form, url })}
          error={errors.url}
        />
        <fieldset class={`field${errors.events ? ' has-error' : ''}`} aria-describedby={errors.events ? 'webhook-events-error' : undefined}>
          <legend>{t('webhooks.events')}</legend>
          {EVENT_TYPES.map((type) => (
            <label key={type} class="check">
              <input type="checkbox" checked={form.events.includes(type)} onChange={(e) => toggle(type, (e.target as HTMLInputElement).checked)} />{' '}
              {t(EVENT_LABEL[type])} <code>{type}</code>
            </label>
          ))}
          {errors.events && (
            <p class="error" id="webhook-events-error">
              {errors.events}
            </p>
          )}
        </fieldset>
        {message && <Notice kind="error">{message}</Notice>}
        <button type="submit">{t('webhooks.create')}</button>
      </fieldset>
    </form>
  );
}

function Deliveries({ webhook }: { webhook: Webhook }) {
  const [deliveries, setDeliveries] = useState<Delivery[]>();
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const base = `${BASE}/${encodeURIComponent(webhook.id)}/deliveries`;
  const load = () =>
    request<{ deliveries: Delivery[] }>(`${base}?limit=50`)
      .then((answer) => setDeliveries(answer.deliveries))
      .catch((e) => setMessage({ kind: 'error', text: failed(e) }));
  useEffect(() => void load(), [webhook.id]);
  const again = async (d: Delivery) => {
    setMessage(undefined);
    try {
      await request(`${base}/${encodeURIComponent(d.id)}/redeliver`, { method: 'POST' });
      setMessage({ kind: 'success', text: t('webhooks.redelivered') });
      await load();
    } catch (e) {
      setMessage({ kind: 'error', text: failed(e) });
    }
  };
  const titleId = `deliveries-${webhook.id}`;
  return (
    <section aria-labelledby={titleId}>
      <h2 id={titleId}>{t('webhooks.deliveries', { url: webhook.url })}</h2>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {!deliveries && !message && <Loading text={t('webhooks.loading')} />}
      {deliveries && deliveries.length === 0 && <p>{t('webhooks.deliveries.none')}</p>}
      {deliveries && deliveries.length > 0 && (
        <table class="list" aria-labelledby={titleId}>
          <thead>
            <tr>
              <th scope="col">{t('webhooks.col.when')}</th>
              <th scope="col">{t('webhooks.col.event')}</th>
              <th scope="col">{t('webhooks.col.status')}</th>
              <th scope="col">{t('webhooks.col.attempts')}</th>
              <th scope="col">{t('webhooks.col.last')}</th>
              <th scope="col">{t('webhooks.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id}>
                <th scope="row">{when(d.createdAt)}</th>
                <td>
                  {t(EVENT_LABEL[d.eventType])} <code>{d.id}</code>
                </td>
                <td>{t(STATUS_LABEL[d.status])}</td>
                <td>{d.attempts}</td>
                <td>{lastAttempt(d) ?? ''}</td>
                <td>
                  <button type="button" class="secondary" onClick={() => again(d)}>
                    {t('webhooks.redeliver')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
