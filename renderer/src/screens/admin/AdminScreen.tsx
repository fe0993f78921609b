import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AssurancePanel } from './AssurancePanel';
import { CredentialsPanel } from './CredentialsPanel';
import { HistoryPanel } from './HistoryPanel';
import { LogPanel } from './LogPanel';
import { PeoplePanel } from './PeoplePanel';
import './admin.css';

const TABS = ['people', 'credentials', 'history', 'log', 'assurance'] as const;
type Tab = (typeof TABS)[number];

/**
 * Administration (docs/administration.md), offered to the IT contact person: people and their
 * permissions, the history of every grant and end, and the access-log follow-up.
 */
export function AdminScreen() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>('people');
  return (
    <section aria-labelledby="admin-heading" className="admin">
      <h2 id="admin-heading">{t('admin.heading')}</h2>
      <div role="tablist" aria-label={t('admin.tabs.label')} className="admin-tabs">
        {TABS.map((id) => (
          <button key={id} type="button" role="tab" id={`admin-tab-${id}`} aria-selected={tab === id} aria-controls={`admin-panel-${id}`} onClick={() => setTab(id)}>
            {t(`admin.tabs.${id}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`admin-panel-${tab}`} aria-labelledby={`admin-tab-${tab}`}>
        {tab === 'people' && <PeoplePanel />}
        {tab === 'credentials' && <CredentialsPanel />}
        {tab === 'history' && <HistoryPanel />}
        {tab === 'log' && <LogPanel />}
        {tab === 'assurance' && <AssurancePanel />}
      </div>
    </section>
  );
}
