import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useNav } from '../../state/nav-store';
import { outageWindow } from './format';
import { isCurrent, outageSoon, useNotices } from './notices-store';
import './notices.css';

/**
 * On every screen: each current notice as a banner, and — after login — a warning when a planned
 * outage starts within 24 hours, until the user acknowledges it.
 */
export function NoticeBanner() {
  const { t } = useTranslation();
  const { notices, now, acknowledged, load, tick, acknowledge } = useNotices();
  const go = useNav((s) => s.go);
  useEffect(() => {
    void load();
    const timer = setInterval(tick, 1_000);
    return () => clearInterval(timer);
  }, [load, tick]);
  const current = notices.filter((n) => isCurrent(n, now));
  const soon = notices.filter((n) => outageSoon(n, now) && !acknowledged.includes(n.noticeId));
  if (current.length === 0 && soon.length === 0) return null;
  return (
    <>
      {soon.map((n) => (
        <div key={`soon-${n.noticeId}`} role="alert" className="notice notice-outage-soon">
          <strong>{t('notices.soonHeading')}</strong>
          <p>{t('notices.soonText', { title: n.title, window: outageWindow(n.outageStart!, n.outageEnd!) })}</p>
          <button type="button" onClick={() => acknowledge(n.noticeId)}>
            {t('notices.understood')}
          </button>
        </div>
      ))}
      {current.map((n) => (
        <aside key={n.noticeId} className="notice notice-banner" aria-label={t('notices.banner')}>
          <span className="notice-banner-text">
            <strong>{n.title}</strong>
            {n.outageStart && n.outageEnd && <> {outageWindow(n.outageStart, n.outageEnd)}</>}
          </span>
          <button type="button" className="button-link" onClick={() => go('notices')}>
            {t('notices.more')}
          </button>
        </aside>
      ))}
    </>
  );
}
