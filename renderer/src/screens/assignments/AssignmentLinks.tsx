import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Assignment, InboxItem } from '#contract';
import { onDataChanged } from '../../state/data-changed';
import { useNav } from '../../state/nav-store';
import { useSession } from '../../state/session-store';
import { clientAssignments } from './assignments-actions';
import { useInbox } from './inbox-store';
import './inbox.css';

/**
 * What ties an assignment to the rest of the workstation: its kind of service and whom it was
 * distributed to (facts in the detail), a link to the client's journal, and — on the client's
 * page — links back to the client's assignments.
 */

/** Tjänsteform and Fördelat till, as rows of the detail's fact list. */
export function DistributionFacts({ a }: { a: Assignment }) {
  const { t } = useTranslation();
  const units = useSession((s) => s.session?.units ?? []);
  const to = a.distributedTo;
  // A copy stored before the names were part of the record: the unit's name from the session, people unnamed.
  const unitName = to ? to.unitName || units.find((u) => u.unitId === to.unitId)?.name || t('inbox.distribution.unknownUnit') : '';
  const staff = to?.staff ?? [];
  return (
    <>
      <dt>{t('inbox.field.kind')}</dt>
      <dd>{t(`inbox.kind.${a.serviceKind}`)}</dd>
      <dt>{t('inbox.field.distributedTo')}</dt>
      <dd className="distributed-to">
        {!to && t('inbox.distribution.none')}
        {to && (
          <>
            {unitName}
            {staff.length > 0
              ? `: ${staff.map((p) => `${p.name} (${p.title})`).join(', ')}`
              : ` – ${t(to.staffIds.length > 0 ? 'inbox.distribution.staffCount' : 'inbox.distribution.noStaff', { count: to.staffIds.length })}`}
          </>
        )}
      </dd>
    </>
  );
}

/** To the client's execution journal, where what is done for the assignment is written. */
export function JournalLink({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const go = useNav((s) => s.go);
  return (
    <button type="button" className="button-link journal-link" onClick={() => go('clients', { clientId, tab: 'journal' })}>
      {t('inbox.toJournal')}
    </button>
  );
}

/** On the client's page: the client's assignments (from the store), each opening its detail in the inbox. */
export function ClientAssignments({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const go = useNav((s) => s.go);
  const open = useInbox((s) => s.open);
  const [items, setItems] = useState<InboxItem[]>([]);
  useEffect(() => {
    let live = true;
    const load = () => void clientAssignments(clientId).then((r) => live && r.ok && setItems(r.value.items));
    load();
    const off = onDataChanged(['assignment'], load);
    return () => {
      live = false;
      off();
    };
  }, [clientId]);
  if (items.length === 0) return null;
  return (
    // A group, not a nav landmark: the app's menu stays the page's one navigation.
    <div role="group" className="client-assignments" aria-label={t('inbox.clientAssignmentsLabel')}>
      <span className="client-assignments-label">{t('inbox.clientAssignments')}:</span>
      {items.map((x) => (
        <button
          key={x.id}
          type="button"
          className="button-link"
          onClick={() => {
            void open(x.id);
            go('inbox');
          }}
        >
          {t('inbox.assignmentLink', { reference: x.decisionReference, status: t(`inbox.status.${x.status}`), services: x.services })}
        </button>
      ))}
    </div>
  );
}
