// The HTTP API, on the site's own origin (CloudFront in AWS, the local runner locally).
// Every failure becomes an ApiError whose message is in words a person can act on.

import { t, type Key } from './i18n';

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
    readonly retryAfter?: number,
    /** The error object as the API sent it, for codes that carry more (`admission`). */
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The message for one field (`venue.city`, `tiers[1].name`), if the API named it. */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.message;
  }
}

/** The site's own words for the API's stable error codes (in the catalogues). */
const CODE_WORDS = {
  invalid_credentials: 'error.invalidCredentials',
  sold_out: 'error.soldOut',
  email_taken: 'error.emailTaken',
  validation_failed: 'error.validationFailed',
  unauthorized: 'error.unauthorized',
  forbidden: 'error.forbidden',
  not_found: 'error.notFound',
  invalid_current_password: 'error.invalidCurrentPassword',
  sales_closed: 'error.salesClosed',
  concurrent_change: 'error.concurrentChange',
  service_unavailable: 'error.serviceUnavailable',
  no_account: 'error.noAccount',
  transfers_off: 'error.transfersOff',
  event_started: 'error.eventStarted',
  already_checked_in: 'error.alreadyCheckedIn',
  not_transferable: 'error.notTransferable',
  payment_disputed: 'error.paymentDisputed',
  same_holder: 'error.sameHolder',
  event_cancelled: 'error.eventCancelled',
  promo_code_exists: 'error.promoCodeExists',
  promo_code_unknown: 'error.promoCodeUnknown',
  promo_code_expired: 'error.promoCodeExpired',
  promo_code_not_yet_valid: 'error.promoCodeNotYetValid',
  promo_code_not_for_tier: 'error.promoCodeNotForTier',
  promo_code_used_up: 'error.promoCodeUsedUp',
  not_sold_out: 'error.notSoldOut',
  not_waiting: 'error.notWaiting',
  in_another_team: 'error.inAnotherTeam',
  waiting_list_first: 'error.waitingListFirst',
} as const satisfies Record<string, Key>;

/** Words for the API's stable error codes; the API's own message otherwise. */
export function describe(status: number, code: string, message: string, retryAfter?: number): string {
  if (code === 'too_many_requests') return t('error.tooManyRequests', { count: retryAfter ?? 30 });
  if (Object.hasOwn(CODE_WORDS, code)) return t(CODE_WORDS[code as keyof typeof CODE_WORDS]);
  if (status === 0) return t('error.network');
  if (status >= 500) return t('error.server');
  return message || t('error.refused');
}

export type TokenSource = () => Promise<string | undefined>;

let tokenSource: TokenSource = async () => undefined;

/** The session module hands its token getter here (it refreshes before `exp`). */
export function useTokens(source: TokenSource): void {
  tokenSource = source;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  auth?: boolean;
  headers?: Record<string, string>;
  accept?: string;
  /** A body sent as it is, with its own type (a seat map's CSV), instead of `body` as JSON. */
  raw?: { type: string; text: string };
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/**
 * Whether a failed request may have done its work anyway: no answer, a server error
 * or timeout, or the same idempotent request still running. Retry those with the
 * same Idempotency-Key; anything else was refused and changed nothing.
 */
export function outcomeUnknown(err: ApiError): boolean {
  return err.status === 0 || err.status >= 500 || err.code === 'request_in_progress';
}

/** The raw response, for bodies that are not JSON (the participants CSV). */
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.raw) headers['content-type'] = options.raw.type;
  if (options.auth !== false) {
    const token = await tokenSource();
    if (token) headers.authorization = `Bearer ${token}`;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.raw ? options.raw.text : options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'network', describe(0, 'network', ''));
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

async function errorFrom(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after')) || undefined;
  let body: { error?: { code?: string; message?: string; fields?: FieldError[] } & Record<string, unknown>; message?: string } = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const code = body.error?.code ?? (response.status === 401 ? 'unauthorized' : 'error');
  const message = body.error?.message ?? body.message ?? '';
  return new ApiError(
    response.status,
    code,
    describe(response.status, code, message, retryAfter),
    body.error?.fields ?? [],
    retryAfter,
    body.error ?? {},
  );
}
