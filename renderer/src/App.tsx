import { useEffect, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { serverIsOlder } from '#contract';
import { AssuranceNotice, ClosedScreen } from './components/Assurance';
import { HostLostScreen, useHostLost } from './components/HostLostScreen';
import { SyncIndicator, SyncRefusals } from './components/SyncIndicator';
import { screens } from './screens';
import { needsStoreDialog, useLocalStore } from './screens/local-store/local-store-store';
import { StoreUnreadableScreen } from './screens/local-store/StoreUnreadableScreen';
import { LoginScreen } from './screens/LoginScreen';
import { useNav } from './state/nav-store';
import { useRoles } from './state/roles-store';
import { levelIn, trackActivity, useSession } from './state/session-store';

/**
 * The skip link's target: the screen's main control where it marks one (`data-skip-target`, e.g. the
 * inbox list), else the main area itself. Focus moves there; the page does not jump to a bare anchor.
 */
function skipToContent(e: MouseEvent<HTMLAnchorElement>) {
  e.preventDefault();
  const main = document.getElementById('main');
  const target = main?.querySelector<HTMLElement>('[data-skip-target]:not([hidden])') ?? main;
  target?.focus();
}

export function App() {
  const { t } = useTranslation();
  const { session, init, logout } = useSession();
  const { screen, go } = useNav();
  const storeDialog = useLocalStore(needsStoreDialog);
  const active = session?.state === 'active' ? session.user?.hsaId : undefined;
  useEffect(() => {
    void init();
    const offStore = useLocalStore.getState().init();
    const offActivity = trackActivity(window);
    return () => {
      offStore();
      offActivity();
    };
  }, [init]);
  // The store opens in the background after a login; an unreadable one is shown as a dialog.
  useEffect(() => {
    if (active) void useLocalStore.getState().load();
    if (active) void useRoles.getState().load();
  }, [active]);
  const roles = useRoles((r) => r.roles);
  const methods = useSession((s) => s.methods);
  const levelOf = (fn: Parameters<typeof levelIn>[1]) => levelIn(methods, fn);
  const hostLost = useHostLost();

  if (hostLost) return <HostLostScreen why={hostLost} />;
  if (!session) return <p className="loading">{t('app.starting')}</p>;
  if (session.state !== 'active' || !session.user) return <LoginScreen />;
  if (storeDialog) return <StoreUnreadableScreen />;

  const user = session.user;
  const roleNames = (['superuser', 'it_contact', 'manager'] as const).filter((r) => roles.includes(r)).map((r) => t(`app.role.${r}`));
  const offered = screens.filter((s) => !s.roles || s.roles.some((r) => roles.includes(r)));
  const current = offered.find((s) => s.id === screen) ?? offered[0]!;
  // Below client data's level (issue 29): a screen of client data is closed, saying why and how to get in.
  const loa = session.assurance?.loa ?? 3;
  const closed = (s: (typeof screens)[number]) => loa < levelOf(s.serves ?? 'client_data');
  return (
    <div className="app">
      {/* The first Tab: straight to the screen's own content (the inbox list, a client list), past the menu and banners. */}
      <a href="#main" className="skip-link" onClick={skipToContent}>
        {t('app.skipToContent')}
      </a>
      <header className="app-header">
        <div className="app-title">
          <span className="app-name">{t('app.title')}</span>
          <span className="app-subtitle">{t('app.subtitle')}</span>
        </div>
        <div className="app-user">
          <SyncIndicator />
          <span className="app-user-name">
            {user.givenName} {user.familyName}, {user.title}
            {roleNames.length > 0 && <span className="app-user-role"> · {roleNames.join(', ')}</span>}
          </span>
          <button type="button" className="button-secondary" onClick={() => void logout()}>
            {t('login.logout')}
          </button>
        </div>
      </header>
      <nav className="app-nav" aria-label={t('nav.label')}>
        <ul>
          {offered.map((s) => (
            <li key={s.id}>
              <button type="button" className="nav-item" aria-current={s.id === current.id ? 'page' : undefined} onClick={() => go(s.id)}>
                {t(s.labelKey)}
                {closed(s) ? <span className="nav-closed"> 🔒</span> : s.Badge && <s.Badge />}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="app-main" id="main" tabIndex={-1}>
        {serverIsOlder(session.serverApiVersion) && (
          <p className="notice" role="status">
            {t('app.serverOlder')}
          </p>
        )}
        <SyncRefusals />
        {loa < levelOf('client_data') && <AssuranceNotice loa={loa} needed={levelOf('client_data')} />}
        <div className="app-banners">{screens.map((s) => s.Banner && !closed(s) && <s.Banner key={s.id} />)}</div>
        {closed(current) ? <ClosedScreen loa={loa} needed={levelOf(current.serves ?? 'client_data')} /> : <current.Component />}
      </main>
    </div>
  );
}
