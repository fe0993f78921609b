import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { SyncIndicator } from './components/SyncIndicator';
import { LoginScreen } from './screens/LoginScreen';
import { UnitsScreen } from './screens/UnitsScreen';
import { trackActivity, useSession } from './state/session-store';

export function App() {
  const { t } = useTranslation();
  const { session, init, logout } = useSession();
  useEffect(() => {
    void init();
    return trackActivity(window);
  }, [init]);

  if (!session) return <p className="loading">{t('app.starting')}</p>;
  if (session.state !== 'active' || !session.user) return <LoginScreen />;

  const user = session.user;
  return (
    <div className="app">
      <header className="app-header">
        <div className="app-title">
          <span className="app-name">{t('app.title')}</span>
          <span className="app-subtitle">{t('app.subtitle')}</span>
        </div>
        <div className="app-user">
          <SyncIndicator />
          <span>
            {user.givenName} {user.familyName}, {user.title}
          </span>
          <button type="button" className="button-secondary" onClick={() => void logout()}>
            {t('login.logout')}
          </button>
        </div>
      </header>
      <main className="app-main">
        <UnitsScreen />
      </main>
    </div>
  );
}
