// Picking seats on the map: one section of the tier at a time, drawn as SVG. Every
// seat is a checkbox a screen reader names ("Nord, row C, seat 12, €30.00"); the
// map is one tab stop, the arrow keys move along a row and between rows, Home and
// End jump to a row's ends, Space or Enter picks. Taken seats cannot be picked. Its
// organizer uses the same map to block seats and give them back (`organizer`).

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Loading, Notice, SelectField } from '../components';
import { t } from '../i18n';
import {
  moveCursor,
  pickable,
  seatLabel,
  seatName,
  seatRadius,
  sectionsOf,
  togglePick,
  viewBox,
  type Cursor,
  type SeatMapView,
  type SeatStatus,
  type SeatView,
} from '../seatmap';

const LIVE_SECONDS = 10;

/** Rows of an outline come without their seats: an empty list stands for them. */
function withSeats(map: SeatMapView): SeatMapView {
  return {
    ...map,
    sections: map.sections.map((s) => ({ ...s, rows: s.rows.map((r) => ({ ...r, seats: r.seats ?? [] })) })),
  };
}

export interface PickedSeat {
  id: string;
  name: string;
}

export function SeatPicker(props: {
  eventId: string;
  tierId: string;
  price: string;
  max: number;
  picked: PickedSeat[];
  onPick: (picked: PickedSeat[]) => void;
  /** Its organizer: blocked seats can be picked too (to give them back), states are named. */
  organizer?: boolean;
  /** States known since the map was read (seats this page just blocked or gave back). */
  overrides?: Record<string, SeatStatus>;
  /** The map as read, for a caller that needs the seats' states. */
  onMap?: (map: SeatMapView) => void;
}) {
  const [map, setMap] = useState<SeatMapView>();
  const [error, setError] = useState<string>();
  const [sectionNumber, setSectionNumber] = useState<string>('');
  const [cursor, setCursor] = useState<Cursor>({ row: 0, seat: 0 });
  const svg = useRef<SVGSVGElement>(null);

  // Live availability: read again every few seconds (CloudFront keeps it 5 s). A
  // large map comes as an outline: the chosen section's seats are read on their own.
  useEffect(() => {
    let stopped = false;
    const base = `/events/${encodeURIComponent(props.eventId)}/seats`;
    const load = async () => {
      try {
        let read = withSeats(await request<SeatMapView>(base, { auth: false }));
        if (read.outline) {
          const chosen = sectionsOf(read, props.tierId).find((s) => String(s.number) === sectionNumber);
          const number = (chosen ?? sectionsOf(read, props.tierId)[0])?.number;
          if (number !== undefined) {
            const one = withSeats(await request<SeatMapView>(`${base}?section=${number}`, { auth: false }));
            read = { ...read, sections: read.sections.map((s) => (s.number === number ? one.sections[0] : s)) };
          }
        }
        if (stopped) return;
        setMap(read);
        setError(undefined);
        props.onMap?.(read);
      } catch (e) {
        if (!stopped) setError(e instanceof ApiError ? e.message : t('seats.unreadable'));
      }
    };
    void load();
    const timer = setInterval(() => void load(), LIVE_SECONDS * 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [props.eventId, props.tierId, sectionNumber]);

  // Keep the focused seat focused as the keyboard moves.
  useEffect(() => {
    const focused = svg.current?.querySelector<SVGGElement>('[tabindex="0"]');
    if (focused && svg.current?.contains(document.activeElement)) focused.focus();
  }, [cursor]);

  if (!map) return error ? <Notice kind="error">{error}</Notice> : <Loading text={t('seats.loading')} />;
  const sections = sectionsOf(map, props.tierId);
  if (sections.length === 0) return <Notice kind="info">{t('seats.none')}</Notice>;
  const section = sections.find((s) => String(s.number) === sectionNumber) ?? sections[0];
  if (section.rows.every((r) => r.seats.length === 0)) return <Loading text={t('seats.loadingSection', { section: section.name })} />;
  const radius = seatRadius(section);
  const statusOf = (seat: SeatView): SeatStatus => props.overrides?.[seat.id] ?? seat.status;
  const pickedIds = props.picked.map((p) => p.id);

  const pick = (id: string, name: string) => {
    const ids = togglePick(pickedIds, id, props.max);
    const known = new Map(props.picked.map((p) => [p.id, p.name]));
    known.set(id, name);
    props.onPick(ids.map((i) => ({ id: i, name: known.get(i) ?? i })));
  };

  const onKey = (e: KeyboardEvent) => {
    if (['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'].includes(e.key)) {
      e.preventDefault();
      setCursor(moveCursor(section, cursor, e.key));
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      const row = section.rows[cursor.row];
      const seat = row?.seats[cursor.seat];
      if (row && seat && pickable(statusOf(seat), props.organizer)) pick(seat.id, seatName(section, row, seat));
    }
  };

  return (
    <div class="seat-picker">
      {sections.length > 1 && (
        <SelectField
          label={t('seats.section')}
          name="section"
          value={String(section.number)}
          onValue={(v) => {
            setSectionNumber(v);
            setCursor({ row: 0, seat: 0 });
          }}
          options={sections.map((s) => [String(s.number), s.name])}
        />
      )}
      <p class="hint" id="seatmap-help">
        {t('seats.help', { max: props.max })}
      </p>
      <svg
        ref={svg}
        class="seatmap"
        viewBox={viewBox(section)}
        role="group"
        aria-label={t('seats.map', { section: section.name })}
        aria-describedby="seatmap-help"
        onKeyDown={onKey}
      >
        {section.rows.map((row, r) =>
          row.seats.map((seat, s) => {
            const status = statusOf(seat);
            const taken = !pickable(status, props.organizer);
            const checked = pickedIds.includes(seat.id);
            const name = seatName(section, row, seat);
            return (
              <g
                key={seat.id}
                role="checkbox"
                class={`seat${taken ? ' taken' : ''}${status === 'blocked' ? ' blocked' : ''}${checked ? ' picked' : ''}`}
                aria-label={seatLabel(section, row, { ...seat, status }, props.price, props.organizer)}
                aria-checked={checked ? 'true' : 'false'}
                aria-disabled={taken ? 'true' : undefined}
                tabindex={r === cursor.row && s === cursor.seat ? 0 : -1}
                onClick={() => {
                  setCursor({ row: r, seat: s });
                  if (!taken) pick(seat.id, name);
                }}
              >
                <circle cx={seat.x} cy={seat.y} r={radius} />
              </g>
            );
          }),
        )}
      </svg>
      <p aria-live="polite" class="picked-seats">
        {props.picked.length === 0 ? t('seats.noneYet') : t('seats.yours', { count: props.picked.length, seats: props.picked.map((p) => p.name).join('; ') })}
      </p>
    </div>
  );
}
