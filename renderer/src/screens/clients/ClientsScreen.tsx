import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, ClientRecord } from '#contract';
import { formatPersonnummer } from '#contract';
import { ErrorNotice } from '../../components/ErrorNotice';
import { onDataChanged } from '../../state/data-changed';
import { useNav } from '../../state/nav-store';
import { ClientAssignments } from '../assignments/AssignmentLinks';
import { ConsentsTab } from '../consents/ConsentsTab';
import { NotesTab, type FromNotes } from '../daynotes/NotesTab';
import { ReportDeviationLink } from '../deviations/ReportDeviationLink';
import { JournalTab } from '../journal/JournalTab';
import { ThreadsPanel } from '../messages/ThreadsPanel';
import { PlanTab } from '../plans/PlanTab';
import { svPlans } from '../plans/sv-plans';
import { getClient, listClients } from './clients-actions';
import { clientName } from './format';
import './clients.css';

/**
 * Brukare: the clients of the user's units (from the encrypted store, so it works offline) →
 * a client's page with the execution journal and the day notes (the unit's whole feed is under
 * Enheter, UnitsScreen). Where the user is (client, tab) lives in the nav store as ids only, so an unlock brings the user back to it.
 */
export function ClientsScreen() {
  const { params } = useNav();
  if (params.clientId) return <ClientPage clientId={params.clientId} />;
  return <ClientList />;
}

function ClientList() {
  const { t } = useTranslation();
  const { go } = useNav();
  const [search, setSearch] = useState('');
  const [clients, setClients] = useState<ClientRecord[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      void listClients(search).then((r) => {
        if (!live) return;
        if (r.ok) {
          setClients(r.value);
          setError(null);
        } else setError(r.error);
      });
    load();
    // The first sync after a login fills the store while the list is open.
    const off = onDataChanged(['client'], load);
    return () => {
      live = false;
      off();
    };
  }, [search]);
  return (
    <section aria-labelledby="clients-h">
      <h2 id="clients-h">{t('journal.clients.heading')}</h2>
      <div className="field">
        <label htmlFor="client-search">{t('journal.clients.search')}</label>
        <input
          id="client-search"
          type="search"
          aria-describedby="client-search-hint"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            // Enter opens the client when the search found exactly one.
            if (e.key === 'Enter' && clients?.length === 1) go('clients', { clientId: clients[0]!.id });
          }}
        />
        <span id="client-search-hint" className="hint">
          {t('journal.clients.searchHint')}
        </span>
      </div>
      {error && <ErrorNotice error={error} />}
      {!clients && !error && <p aria-live="polite">{t('journal.clients.loading')}</p>}
      {clients && clients.length === 0 && <p>{t('journal.clients.empty')}</p>}
      {clients && clients.length > 0 && (
        <ul className="client-list" aria-label={t('journal.clients.heading')}>
          {clients.map((c) => (
            <li key={c.id}>
              <button type="button" className="client-item" onClick={() => go('clients', { clientId: c.id })}>
                <span className="client-name">
                  {c.familyName}, {c.givenName}
                </span>
                <span className="client-pnr">{formatPersonnummer(c.personnummer)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ClientPage({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const { params, go } = useNav();
  const [client, setClient] = useState<ClientRecord | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [editorOpen, setEditorOpen] = useState(false);
  // Set when the notes tab opened the editor with notes added, so it says that and not "restored".
  const [fromNotes, setFromNotes] = useState<FromNotes | null>(null);
  const tab = params.tab === 'notes' || params.tab === 'plan' || params.tab === 'consents' ? params.tab : 'journal';
  const setTab = (next: 'journal' | 'notes' | 'plan' | 'consents') => go('clients', { clientId, tab: next });

  const [gone, setGone] = useState(false);
  useEffect(() => {
    // By id: a unit may have thousands of clients, and any of them can be opened from a search.
    const load = (first: boolean) =>
      void getClient(clientId).then((r) => {
        if (!r.ok) return setError(r.error);
        if (r.value) return setClient(r.value);
        // Gone while open: the sync purged the unit, whose permission ended (issue 32). The
        // journal leaves the screen; a draft's text is kept under the status bar.
        if (first) setError({ code: 'NOT_FOUND', message: '' });
        else {
          setClient(null);
          setGone(true);
        }
      });
    load(true);
    return onDataChanged('any', () => load(false));
  }, [clientId]);

  if (gone)
    return (
      <div role="alert" className="notice notice-error">
        <p>{t('journal.clients.permissionEnded')}</p>
        <button type="button" onClick={() => go('clients')}>
          {t('journal.clients.back')}
        </button>
      </div>
    );
  if (error) return <ErrorNotice error={error} onRetry={() => go('clients')} />;
  if (!client) return <p aria-live="polite">{t('journal.clients.loading')}</p>;
  const tabs = [
    { id: 'journal', label: t('journal.tabs.journal') },
    { id: 'notes', label: t('journal.tabs.notes') },
    { id: 'plan', label: svPlans.tab },
    { id: 'consents', label: t('consents.tab') },
  ] as const;
  return (
    <section aria-labelledby="client-h" className="client-page">
      <button type="button" className="button-link" onClick={() => go('clients')}>
        ← {t('journal.clients.back')}
      </button>
      <h2 id="client-h">
        {clientName(client)} <span className="client-pnr">{formatPersonnummer(client.personnummer)}</span>
      </h2>
      <ClientAssignments clientId={clientId} />
      <ReportDeviationLink unitId={client.unitId} clientId={clientId} />
      <div role="tablist" aria-label={t('journal.tabs.label')} className="tabs">
        {tabs.map((x) => (
          <button
            key={x.id}
            type="button"
            role="tab"
            id={`tab-${x.id}`}
            aria-selected={tab === x.id}
            aria-controls={`panel-${x.id}`}
            tabIndex={tab === x.id ? 0 : -1}
            className="tab"
            onClick={() => setTab(x.id)}
            onKeyDown={(e) => {
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (step) setTab(tabs[(tabs.findIndex((x) => x.id === tab) + step + tabs.length) % tabs.length]!.id);
            }}
          >
            {x.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {tab === 'plan' ? (
          <PlanTab client={client} />
        ) : tab === 'consents' ? (
          <ConsentsTab client={client} />
        ) : tab === 'journal' ? (
          <JournalTab
            client={client}
            editorOpen={editorOpen}
            fromNotes={fromNotes}
            setEditorOpen={(open) => {
              setEditorOpen(open);
              if (!open) setFromNotes(null);
            }}
          />
        ) : (
          <NotesTab
            client={client}
            openDraft={(from) => {
              setFromNotes(from);
              setEditorOpen(true);
              setTab('journal');
            }}
            openUnitFeed={() => go('units', { unitFeed: client.unitId, clientId })}
          />
        )}
      </div>
      <ThreadsPanel unitId={client.unitId} clientId={client.id} />
    </section>
  );
}
