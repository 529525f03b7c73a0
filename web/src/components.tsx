// Small pieces every page uses: labelled fields with their error, notices, a
// confirmation dialog and the busy state of a button.

import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from './i18n';

let ids = 0;
function useId(prefix: string): string {
  const id = useRef<string>();
  id.current ??= `${prefix}-${++ids}`;
  return id.current;
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'onInput' | 'value'> & {
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
  hint?: string;
};

/** A labelled input; its error (ours or the API's) is announced and tied to it. */
export function Field({ label, value, onValue, error, hint, ...rest }: InputProps) {
  const id = useId('field');
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        value={value}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described}
        {...rest}
      />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function SelectField(props: {
  label: string;
  value: string;
  onValue: (value: string) => void;
  options: [string, string][];
  error?: string;
  name?: string;
}) {
  const id = useId('select');
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(e) => props.onValue((e.target as HTMLSelectElement).value)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      >
        {props.options.map(([value, text]) => (
          <option value={value} key={value}>
            {text}
          </option>
        ))}
      </select>
      {props.error && (
        <p class="error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export function TextArea(props: { label: string; value: string; onValue: (v: string) => void; error?: string; name?: string }) {
  const id = useId('text');
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={4}
        value={props.value}
        onInput={(e) => props.onValue((e.target as HTMLTextAreaElement).value)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      />
      {props.error && (
        <p class="error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** A message: errors are alerts (read out at once), the rest polite status. */
export function Notice({ kind, children }: { kind: 'error' | 'info' | 'success'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A loading message, whole ("Loading your tickets…"): each language words it its own way. */
export function Loading({ text }: { text: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {text}
    </p>
  );
}

/** A modal question (the native <dialog>: focus is trapped and Escape cancels). */
export function Confirm(props: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId('confirm');
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={dialog} aria-labelledby={id} onCancel={props.onCancel}>
      <h2 id={id}>{props.title}</h2>
      <div>{props.children}</div>
      <div class="actions">
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('common.goBack')}
        </button>
        <button type="button" class="danger" onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** Stands for an element in a translated sentence: t(key, { time: SLOT }). */
export const SLOT = '\u0000';

/**
 * A translated sentence with elements in it (a link, a <strong>), each where its
 * language puts it: the text's SLOTs, in order, become `elements`. Never HTML.
 */
export function withSlots(text: string, ...elements: ComponentChildren[]): ComponentChildren[] {
  const parts = text.split(SLOT);
  return parts.flatMap((part, i) => (i < parts.length - 1 ? [part, elements[i]] : [part]));
}

/** The page's heading; it takes focus on navigation and names the browser tab. */
export function Title({ children, text }: { children?: ComponentChildren; text: string }) {
  useEffect(() => {
    document.title = `${text} · ${t('app.name')}`;
  });
  return <h1 tabIndex={-1}>{children ?? text}</h1>;
}
