// The card, taken by Stripe.js Elements: the card number never touches our pages or
// our API, only the payment method's id does. Which Stripe.js is loaded comes from
// /config.json: the real one in AWS, localstripe's locally.

import { t } from './i18n';

interface StripeConfig {
  stripeJsUrl: string;
  stripePublishableKey: string;
}

interface CardElement {
  mount(selector: string | Element): void;
  destroy(): void;
  on(event: string, handler: (event?: { error?: { message: string } }) => void): void;
}

interface StripeJs {
  elements(): { create(type: 'card', options?: object): CardElement };
  createPaymentMethod(data: { type: 'card'; card: CardElement }): Promise<
    { paymentMethod?: { id: string }; error?: { message?: string } } | undefined
  >;
  createToken(card: CardElement): Promise<{ token?: { card?: { id: string } }; error?: { message?: string } }>;
  /** Runs the bank's challenge for an intent our server confirmed (Stripe.js; absent from localstripe's). */
  handleNextAction?(options: { clientSecret: string }): Promise<ChallengeResult>;
  /** Older name of the same for card payments; localstripe's stand-in implements it. */
  confirmCardPayment(clientSecret: string): Promise<ChallengeResult>;
}

interface ChallengeResult {
  paymentIntent?: { status: string };
  error?: { message?: string };
}

declare global {
  interface Window {
    Stripe?: (key: string) => StripeJs;
  }
}

let loaded: Promise<StripeJs> | undefined;

export function loadStripe(): Promise<StripeJs> {
  loaded ??= (async () => {
    const config: StripeConfig = await (await fetch('/config.json')).json();
    if (!window.Stripe) {
      await new Promise<void>((resolve, reject) => {
        const script = document.createElement('script');
        script.src = config.stripeJsUrl;
        script.onload = () => resolve();
        script.onerror = () => reject(new Error(t('payment.formNotLoaded')));
        document.head.appendChild(script);
      });
    }
    if (!window.Stripe) throw new Error(t('payment.formNotLoaded'));
    return window.Stripe(config.stripePublishableKey);
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

export async function mountCard(container: Element): Promise<{ stripe: StripeJs; card: CardElement }> {
  const stripe = await loadStripe();
  const card = stripe.elements().create('card', { hidePostalCode: true });
  card.mount(container);
  return { stripe, card };
}

/**
 * Shows the bank's 3-D Secure challenge for a payment the server confirmed and Stripe
 * answered `requires_action`. `true` when the buyer passed it (the outcome itself
 * arrives at the server by Stripe's webhook); `false` when it failed or was abandoned.
 */
export async function authenticate(clientSecret: string): Promise<boolean> {
  const stripe = await loadStripe();
  const result = stripe.handleNextAction
    ? await stripe.handleNextAction({ clientSecret })
    : await stripe.confirmCardPayment(clientSecret);
  if (result.error || !result.paymentIntent) return false;
  return ['succeeded', 'processing', 'requires_capture'].includes(result.paymentIntent.status);
}

/**
 * The id the API charges. Stripe.js answers `pm_...`. localstripe's Stripe.js has no
 * createPaymentMethod (it answers nothing), so there the card is tokenized and its
 * `card_...` id used, which localstripe's PaymentIntents accept as a payment method.
 */
export async function paymentMethodId(stripe: StripeJs, card: CardElement): Promise<string> {
  const created = await stripe.createPaymentMethod({ type: 'card', card });
  if (created?.paymentMethod) return created.paymentMethod.id;
  if (created?.error) throw new Error(created.error.message ?? t('payment.cardRefused'));
  const tokenized = await stripe.createToken(card);
  if (tokenized.token?.card) return tokenized.token.card.id;
  throw new Error(tokenized.error?.message ?? t('payment.checkCard'));
}
