import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useNav } from '../../state/nav-store';
import { outageWindow } from './format';
import { isCurrent, outageSoon, useNotices } from './notices-store';
import './notices.css';

/** At most this many notice banners at once; the rest are one line pointing to the notice board. */
export const MAX_BANNERS = 2;

/**
 * On every screen: each current notice as a one-line banner the user can close for the session
 * (it stays on the notice board), at most MAX_BANNERS of them; and — after login — a one-line
 * warning when a planned outage starts within 24 hours, until the user acknowledges it.
 */
export function NoticeBanner() {
  const { t } = useTranslation();
  const { notices, now, acknowledged, dismissed, load, tick, acknowledge, dismiss } = useNotices();
  const go = useNav((s) => s.go);
  useEffect(() => {
    void load();
    const timer = setInterval(tick, 1_000);
    return () => clearInterval(timer);
  }, [load, tick]);
  const current = notices.filter((n) => isCurrent(n, now) && !dismissed.includes(n.noticeId));
  const soon = notices.filter((n) => outageSoon(n, now) && !acknowledged.includes(n.noticeId));
  if (current.length === 0 && soon.length === 0) return null;
  const shown = current.slice(0, MAX_BANNERS);
  const rest = current.length - shown.length;
  return (
    <>
      {soon.map((n) => {
        const text = t('notices.soonText', { title: n.title, window: outageWindow(n.outageStart!, n.outageEnd!) });
        return (
          <div key={`soon-${n.noticeId}`} role="alert" className="notice notice-outage-soon">
            <span className="banner-text" title={text}>
              <strong>{t('notices.soonHeading')}:</strong> {text}
            </span>
            <button type="button" onClick={() => acknowledge(n.noticeId)}>
              {t('notices.understood')}
            </button>
          </div>
        );
      })}
      {shown.map((n) => (
        <aside key={n.noticeId} className="notice notice-banner" aria-label={t('notices.banner')}>
          <span className="banner-text">
            <strong>{n.title}</strong>
            {n.outageStart && n.outageEnd && <> {outageWindow(n.outageStart, n.outageEnd)}</>}
          </span>
          <button type="button" className="button-link" onClick={() => go('notices')}>
            {t('notices.more')}
          </button>
          <button type="button" className="button-close" aria-label={t('notices.closeLabel', { title: n.title })} onClick={() => dismiss(n.noticeId)}>
            {t('notices.close')}
          </button>
        </aside>
      ))}
      {rest > 0 && (
        <p className="notice notice-banner">
          <span className="banner-text">{t('notices.moreBanners', { count: rest })}</span>
          <button type="button" className="button-link" onClick={() => go('notices')}>
            {t('notices.more')}
          </button>
        </p>
      )}
    </>
  );
}
