import { useTranslation } from 'react-i18next';
import { UnitsScreen } from './screens/UnitsScreen';

export function App() {
  const { t } = useTranslation();
  return (
    <div className="app">
      <header className="app-header">
        <h1>{t('app.title')}</h1>
        <p className="app-subtitle">{t('app.subtitle')}</p>
      </header>
      <main className="app-main">
        <UnitsScreen />
      </main>
    </div>
  );
}
