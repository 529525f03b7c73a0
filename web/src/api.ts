// The HTTP API, on the site's own origin (CloudFront in AWS, the local runner locally).
// Every failure becomes an ApiError whose message is in words a person can act on.

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

/** Words for the API's stable error codes; the API's own message otherwise. */
export function describe(status: number, code: string, message: string, retryAfter?: number): string {
  switch (code) {
    case 'invalid_credentials':
      return 'That email and password do not match an account.';
    case 'too_many_requests':
      return `Too many attempts. Try again in ${retryAfter ?? 30} seconds.`;
    case 'sold_out':
      return 'Sorry, there are not enough seats left in this tier.';
    case 'email_taken':
      return 'An account with this email already exists. Sign in instead?';
    case 'validation_failed':
      return 'Some fields need a second look.';
    case 'unauthorized':
      return 'Please sign in again.';
    case 'forbidden':
      return 'You are not allowed to do that.';
    case 'not_found':
      return 'We could not find that.';
    case 'invalid_current_password':
      return 'Your current password is not right.';
    case 'sales_closed':
      return 'Sales for this event are closed.';
    case 'concurrent_change':
      return 'Someone changed this at the same time. Reload the page and try again.';
    case 'service_unavailable':
      return 'The service is busy. Please try again in a moment.';
    case 'no_account':
      return 'No account with that email: ask them to sign up first.';
  }
  if (status === 0) return 'We could not reach the server. Check your connection and try again.';
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  return message || 'The request was refused.';
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
