import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { formatPersonnummer } from '#contract';
import { AssignmentStatus, type AssignmentSort } from '#contract';
import { DateField } from '../../components/DateField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useSession } from '../../state/session-store';
import { AssignmentDetail } from './AssignmentDetail';
import { useInbox } from './inbox-store';
import { NewAssignmentNotice } from './NewAssignmentNotice';
import './inbox.css';

/** The filter buttons: Avbeställd covers both the cancellation waiting for confirmation and the confirmed one. */
const GROUPS: { key: string; statuses: AssignmentStatus[] }[] = [
  { key: 'new', statuses: ['new'] },
  { key: 'confirmed', statuses: ['confirmed'] },
  { key: 'executed', statuses: ['executed'] },
  { key: 'paused', statuses: ['paused'] },
  { key: 'cancelled', statuses: ['cancellation_requested', 'cancelled'] },
  { key: 'ended', statuses: ['ended'] },
];
const SORTS: AssignmentSort[] = ['updated_desc', 'received_desc', 'start_asc', 'start_desc', 'client_asc'];
/** One line per assignment (name, personnummer, status, then unit · services · dates cut to the width): ≥ 10 rows at 1366×768. */
const ROW_HEIGHT = 38;
/** The list never gets smaller than this, however little room is left below the filters. */
const MIN_LIST_HEIGHT = 200;

/**
 * The list's height: from its top to the bottom of the window (less the hint below it), so it shows
 * as many rows as fit whatever stands above it (banners, a notice). Follows the window and the
 * banners' and filters' sizes. Set on the element itself, not through React state: opening the
 * inbox paints at once, and the virtualizer (which observes the element's size) adds the rows after.
 */
function useFillWindow(ref: RefObject<HTMLDivElement | null>, below: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const top = el.getBoundingClientRect().top + window.scrollY;
      const rest = (below.current?.offsetHeight ?? 0) + 24;
      el.style.height = `${Math.max(MIN_LIST_HEIGHT, Math.floor(window.innerHeight - top - rest))}px`;
    };
    measure();
    const observer = new ResizeObserver(measure);
    for (const other of [document.querySelector('.app-banners'), document.querySelector('.app-header'), el.parentElement]) if (other) observer.observe(other);
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, [ref, below]);
}

export function InboxScreen() {
  const s = useInbox();
  const openId = s.openId;
  const load = s.load;
  useEffect(() => {
    void load();
  }, [load]);
  return openId ? <AssignmentDetail /> : <InboxList />;
}

function InboxList() {
  const { t } = useTranslation();
  const units = useSession((s) => s.session?.units ?? []);
  const { filters, rows, total, counts, toHandle, status, error, activeIndex, setFilters, ensureRange, setActive, open, load } = useInbox();
  const parentRef = useRef<HTMLDivElement>(null);
  const hintRef = useRef<HTMLParagraphElement>(null);
  useFillWindow(parentRef, hintRef);
  // The React Compiler would skip this component (TanStack Virtual hands out unmemoisable functions);
  // we do not build with the compiler, and nothing memoised receives the virtualizer's functions.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => parentRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (total > 0) ensureRange(first, last);
  }, [first, last, total, rows, ensureRange]);

  const selected = (statuses: AssignmentStatus[]) => statuses.length === filters.status.length && statuses.every((x) => filters.status.includes(x));
  const countOf = (statuses: AssignmentStatus[]) => (counts ? statuses.reduce((n, x) => n + counts[x], 0) : 0);
  const allCount = counts ? AssignmentStatus.options.reduce((n, x) => n + counts[x], 0) : 0;

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    let next = activeIndex;
    if (e.key === 'ArrowDown') next = activeIndex + 1;
    else if (e.key === 'ArrowUp') next = activeIndex - 1;
    else if (e.key === 'PageDown') next = activeIndex + 10;
    else if (e.key === 'PageUp') next = activeIndex - 10;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = total - 1;
    else if (e.key === 'Enter') {
      const row = rows[activeIndex];
      if (row) {
        e.preventDefault();
        void open(row.id);
      }
      return;
    } else return;
    e.preventDefault();
    next = Math.max(0, Math.min(next, total - 1));
    setActive(next);
    virtualizer.scrollToIndex(next);
  };
  const activeRow = rows[activeIndex];

  return (
    <section aria-labelledby="inbox-heading" className="inbox">
      <NewAssignmentNotice />
      <div className="inbox-head">
        <h2 id="inbox-heading">{t('inbox.heading')}</h2>
        <div className="inbox-counts" role="group" aria-label={t('inbox.statusFilter')}>
          <button type="button" className="count-button" aria-pressed={filters.status.length === 0 && !filters.needsAction} onClick={() => setFilters({ status: [], needsAction: false })}>
            {t('inbox.all')} <span className="count">{allCount}</span>
          </button>
          {/* What the menu badge counts: new ones, cancellations to confirm and changes by the case officer not yet seen. */}
          <button
            type="button"
            className="count-button"
            aria-pressed={filters.needsAction}
            aria-describedby="inbox-counts-hint"
            title={t('inbox.countsHint')}
            onClick={() => setFilters({ status: [], needsAction: !filters.needsAction })}
          >
            {t('inbox.group.toHandle')} <span className="count">{toHandle}</span>
          </button>
          <span id="inbox-counts-hint" className="visually-hidden">
            {t('inbox.countsHint')}
          </span>
          {GROUPS.map((g) => (
            <button
              key={g.key}
              type="button"
              className="count-button"
              aria-pressed={selected(g.statuses)}
              onClick={() => setFilters({ status: selected(g.statuses) ? [] : g.statuses, needsAction: false })}
            >
              {t(`inbox.group.${g.key}`)} <span className="count">{countOf(g.statuses)}</span>
            </button>
          ))}
        </div>
      </div>
      <form className="inbox-filters" onSubmit={(e) => e.preventDefault()} aria-label={t('inbox.filters')}>
        <label>
          {t('inbox.unit')}
          <select value={filters.unitId} onChange={(e) => setFilters({ unitId: e.target.value })}>
            <option value="">{t('inbox.allUnits')}</option>
            {units.map((u) => (
              <option key={u.unitId} value={u.unitId}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('inbox.client')}
          <input type="search" value={filters.client} placeholder={t('inbox.clientPlaceholder')} onChange={(e) => setFilters({ client: e.target.value })} />
        </label>
        <DateField label={t('inbox.from')} value={filters.from} onChange={(from) => setFilters({ from })} />
        <DateField label={t('inbox.to')} value={filters.to} onChange={(to) => setFilters({ to })} />
        <label>
          {t('inbox.sort')}
          <select value={filters.sort} onChange={(e) => setFilters({ sort: e.target.value as AssignmentSort })}>
            {SORTS.map((x) => (
              <option key={x} value={x}>
                {t(`inbox.sortBy.${x}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {status === 'error' && error && <ErrorNotice error={error} onRetry={() => void load()} />}
      {status === 'loading' && <p aria-live="polite">{t('inbox.loading')}</p>}
      {status === 'ready' && total === 0 && <p>{t('inbox.empty')}</p>}
      <p className="inbox-total" aria-live="polite">
        {t('inbox.total', { count: total })}
      </p>
      <div
        ref={parentRef}
        className="inbox-list"
        role="listbox"
        aria-label={t('inbox.listLabel')}
        tabIndex={0}
        data-skip-target
        aria-activedescendant={activeRow ? `inbox-row-${activeRow.id}` : undefined}
        onKeyDown={onKey}
        hidden={total === 0}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const row = rows[v.index];
            const active = v.index === activeIndex;
            return (
              <div
                key={v.key}
                id={row ? `inbox-row-${row.id}` : undefined}
                role="option"
                aria-selected={active}
                aria-posinset={v.index + 1}
                aria-setsize={total}
                className={`inbox-row${active ? ' active' : ''}${row?.needsAction ? ' needs-action' : ''}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${v.start}px)` }}
                onClick={() => {
                  setActive(v.index);
                  if (row) void open(row.id);
                }}
              >
                {row ? (
                  <>
                    <span className="row-main">
                      <span className="row-client">{row.clientName}</span>
                      <span className="row-pnr">{formatPersonnummer(row.personnummer)}</span>
                      <span className={`status status-${row.status}`}>{t(`inbox.status.${row.status}`)}</span>
                      {row.needsAction && <span className="row-action">{t(row.changePending ? 'inbox.change.heading' : 'inbox.needsAction')}</span>}
                    </span>
                    <span className="row-meta" title={`${row.unitName} · ${row.services}`}>
                      {row.unitName} · {row.services} · {t('inbox.startShort', { date: row.startDate })}
                      {row.executionDate ? ` · ${t('inbox.executedShort', { date: row.executionDate })}` : ''}
                    </span>
                  </>
                ) : (
                  <span className="row-meta">{t('inbox.loadingRow')}</span>
                )}
              </div>
            );
          })}
        </div>
      </div>
      <p ref={hintRef} className="inbox-hint">
        {t('inbox.keyboardHint')}
      </p>
    </section>
  );
}
