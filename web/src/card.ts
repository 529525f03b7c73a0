// The card element a checkout form mounts (Stripe.js, or localstripe's locally): mounted
// once into `box`, destroyed with the form, and its loading error kept for the page.

import { useEffect, useRef, useState } from 'preact/hooks';
import { mountCard } from './stripe';

export function useCardElement() {
  const box = useRef<HTMLDivElement>(null);
  const card = useRef<Awaited<ReturnType<typeof mountCard>>>();
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    mountCard(box.current!)
      .then((mounted) => {
        if (cancelled) return mounted.card.destroy();
        card.current = mounted;
        setReady(true);
      })
      .catch((e: Error) => setError(e.message));
    return () => {
      cancelled = true;
      card.current?.card.destroy();
    };
  }, []);

  return { box, card, ready, error };
}
