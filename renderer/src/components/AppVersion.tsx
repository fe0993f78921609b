import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { loadAppInfo } from '../state/app-info';

/** "Omsorgsportalen version 0.1.0": which release this PC runs, for the user and for IT's support. */
export function AppVersion() {
  const { t } = useTranslation();
  const [version, setVersion] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void loadAppInfo().then((r) => {
      if (live && r.ok) setVersion(r.value.version);
    });
    return () => {
      live = false;
    };
  }, []);
  return version ? <p className="app-version">{t('app.version', { version })}</p> : null;
}
