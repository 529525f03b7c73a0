// The organizer's promo, presale and access codes for one event: a form to create
// one (a percentage or an amount off each ticket, or access only to hidden tiers;
// a limit in tickets, tiers, a window in the event's time zone) and the codes with
// their uses. The API's field errors stand next to their inputs.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Field, Loading, Notice } from '../components';
import type { OrganizerEvent } from '../eventForm';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import {
  discountText,
  emptyPromoForm,
  listNames,
  promoFieldErrors,
  promoRequest,
  usesText,
  type PromoCode,
  type PromoErrors,
  type PromoForm,
  type PromoKind,
} from '../promo';

export function PromoCodes({ event }: { event: OrganizerEvent }) {
  const [codes, setCodes] = useState<PromoCode[]>();
  const [loadError, setLoadError] = useState<string>();
  const path = `/events/${encodeURIComponent(event.id)}/promo-codes`;

  const load = () =>
    request<{ promoCodes: PromoCode[] }>(path)
      .then((answer) => {
        setCodes(answer.promoCodes);
        setLoadError(undefined);
      })
      .catch((e: ApiError) => setLoadError(e.message));
  useEffect(() => void load(), [event.id]);

  const when = (iso: string) => formatDateTime(iso, { dateStyle: 'medium', timeStyle: 'short', timeZone: event.timezone });
  const tierName = (id: string) => {
    const tier = event.tiers.find((tier) => tier.id === id);
    if (!tier) return id;
    return tier.hidden ? t('promo.tier.hidden', { name: tier.name }) : tier.name;
  };
  const validity = (code: PromoCode) => {
    if (code.validFrom && code.validUntil) return t('promo.valid.between', { from: when(code.validFrom), until: when(code.validUntil) });
    if (code.validFrom) return t('promo.valid.from', { from: when(code.validFrom) });
    if (code.validUntil) return t('promo.valid.until', { until: when(code.validUntil) });
    return t('promo.valid.always');
  };

  return (
    <section class="promo-codes" aria-labelledby="promo-title">
      <h2 id="promo-title">{t('promo.title')}</h2>
      <p class="hint">{t('promo.intro')}</p>
      <NewCode event={event} path={path} onCreated={(code) => setCodes((known) => [...(known ?? []), code].sort((a, b) => a.code.localeCompare(b.code)))} />
      <h3 id="promo-list-title">{t('promo.list')}</h3>
      {loadError && <Notice kind="error">{loadError}</Notice>}
      {!codes && !loadError && <Loading text={t('promo.loading')} />}
      {codes && codes.length === 0 && <p>{t('promo.none')}</p>}
      {codes && codes.length > 0 && (
        <table class="list promo-list" aria-labelledby="promo-list-title">
          <thead>
            <tr>
              <th scope="col">{t('promo.col.code')}</th>
              <th scope="col">{t('promo.col.discount')}</th>
              <th scope="col">{t('promo.col.tiers')}</th>
              <th scope="col">{t('promo.col.uses')}</th>
              <th scope="col">{t('promo.col.valid')}</th>
            </tr>
          </thead>
          <tbody>
            {codes.map((code) => (
              <tr key={code.code}>
                <th scope="row">
                  <code>{code.code}</code>
                </th>
                <td>{discountText(code, event.currency)}</td>
                <td>{code.tierIds.length > 0 ? listNames(code.tierIds.map(tierName)) : t('promo.tiers.listed')}</td>
                <td>{usesText(code)}</td>
                <td>{validity(code)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewCode({ event, path, onCreated }: { event: OrganizerEvent; path: string; onCreated: (code: PromoCode) => void }) {
  const [form, setForm] = useState<PromoForm>(emptyPromoForm);
  const [errors, setErrors] = useState<PromoErrors>({});
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof PromoForm>(key: K) => (value: PromoForm[K]) => setForm({ ...form, [key]: value });

  const create = async (e: Event) => {
    e.preventDefault();
    setMessage(undefined);
    const { body, errors: local } = promoRequest(form, event.currency, event.timezone);
    setErrors(local);
    if (!body) {
      setMessage({ kind: 'error', text: local.other ?? t('error.validationFailed') });
      return;
    }
    setBusy(true);
    try {
      const created = await request<PromoCode>(path, { method: 'POST', body });
      onCreated(created);
      setForm(emptyPromoForm());
      setErrors({});
      setMessage({ kind: 'success', text: t('promo.created', { code: created.code }) });
    } catch (err) {
      if (!(err instanceof ApiError)) {
        setMessage({ kind: 'error', text: t('promo.notCreated') });
      } else if (err.code === 'promo_code_exists') {
        setErrors({ code: err.message });
        setMessage({ kind: 'error', text: err.message });
      } else {
        const fields = promoFieldErrors(err.fields, form.kind);
        setErrors(fields);
        setMessage({ kind: 'error', text: fields.other ? `${err.message} ${fields.other}` : err.message });
      }
    } finally {
      setBusy(false);
    }
  };

  const kinds: [PromoKind, string][] = [
    ['percent', t('promo.kind.percent')],
    ['amount', t('promo.kind.amount')],
    ['access', t('promo.kind.access')],
  ];
  const toggleTier = (id: string, on: boolean) =>
    set('tierIds')(on ? [...form.tierIds, id] : form.tierIds.filter((known) => known !== id));

  return (
    <form class="promo-form" onSubmit={create} aria-labelledby="promo-form-title" noValidate>
      <h3 id="promo-form-title">{t('promo.new')}</h3>
      <fieldset disabled={busy}>
        <legend class="visually-hidden">{t('promo.new')}</legend>
        <Field
          label={t('promo.code')}
          name="promo-code"
          autoComplete="off"
          spellcheck={false}
          hint={t('promo.code.hint')}
          value={form.code}
          onValue={set('code')}
          error={errors.code}
        />
        <fieldset class="choose-kind">
          <legend>{t('promo.kind')}</legend>
          {kinds.map(([kind, label]) => (
            <label class="check" key={kind}>
              <input
                type="radio"
                name="promo-kind"
                value={kind}
                checked={form.kind === kind}
                onChange={() => {
                  setForm({ ...form, kind, value: form.kind === kind ? form.value : '' });
                  setErrors({ ...errors, value: undefined, tiers: undefined });
                }}
              />
              {label}
            </label>
          ))}
        </fieldset>
        {form.kind !== 'access' && (
          <Field
            label={form.kind === 'percent' ? t('promo.percent') : t('promo.amount', { currency: event.currency })}
            name="promo-value"
            inputMode={form.kind === 'percent' ? 'numeric' : 'decimal'}
            hint={form.kind === 'percent' ? t('promo.percent.hint') : t('promo.amount.hint')}
            value={form.value}
            onValue={set('value')}
            error={errors.value}
          />
        )}
        <Field
          label={t('promo.maxUses')}
          name="promo-max-uses"
          inputMode="numeric"
          hint={t('promo.maxUses.hint')}
          value={form.maxUses}
          onValue={set('maxUses')}
          error={errors.maxUses}
        />
        <fieldset class={`promo-tiers${errors.tiers ? ' has-error' : ''}`} aria-describedby={errors.tiers ? 'promo-tiers-hint promo-tiers-error' : 'promo-tiers-hint'}>
          <legend>{t('promo.tiers')}</legend>
          <p class="hint" id="promo-tiers-hint">
            {form.kind === 'access' ? t('promo.tiers.hint.access') : t('promo.tiers.hint')}
          </p>
          <div class="checks">
            {event.tiers.map((tier) => (
              <label class="check" key={tier.id}>
                <input
                  type="checkbox"
                  name="promo-tiers"
                  value={tier.id}
                  checked={form.tierIds.includes(tier.id)}
                  onChange={(e) => toggleTier(tier.id, (e.target as HTMLInputElement).checked)}
                />
                {tier.hidden ? t('promo.tier.hidden', { name: tier.name }) : tier.name}
              </label>
            ))}
          </div>
          {errors.tiers && (
            <p class="error" id="promo-tiers-error">
              {errors.tiers}
            </p>
          )}
        </fieldset>
        <Field
          label={t('promo.validFrom')}
          type="datetime-local"
          name="promo-valid-from"
          hint={t('promo.valid.hint', { timezone: event.timezone })}
          value={form.validFrom}
          onValue={set('validFrom')}
          error={errors.validFrom}
        />
        <Field
          label={t('promo.validUntil')}
          type="datetime-local"
          name="promo-valid-until"
          hint={t('promo.valid.hint', { timezone: event.timezone })}
          value={form.validUntil}
          onValue={set('validUntil')}
          error={errors.validUntil}
        />
      </fieldset>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <button type="submit" disabled={busy}>
        {busy ? t('common.saving') : t('promo.create')}
      </button>
    </form>
  );
}
