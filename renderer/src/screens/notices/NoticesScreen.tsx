import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { swedishDateTime, type LocalNotice } from '#contract';
import { outageWindow } from './format';
import { isCurrent, useNotices } from './notices-store';

/** Anslagstavla: the notices shown now and those to come (from the store: readable offline). */
export function NoticesScreen() {
  const { t } = useTranslation();
  const { notices, now, load } = useNotices();
  useEffect(() => {
    void load();
  }, [load]);
  const current = notices.filter((n) => isCurrent(n, now));
  const upcoming = notices.filter((n) => Date.parse(n.showFrom) > now);
  return (
    <section aria-labelledby="notices-h" className="notices">
      <h2 id="notices-h">{t('notices.heading')}</h2>
      {current.length === 0 && upcoming.length === 0 && <p>{t('notices.empty')}</p>}
      {current.length > 0 && <NoticeList heading={t('notices.current')} notices={current} />}
      {upcoming.length > 0 && <NoticeList heading={t('notices.upcoming')} notices={upcoming} />}
    </section>
  );
}

function NoticeList({ heading, notices }: { heading: string; notices: LocalNotice[] }) {
  const { t } = useTranslation();
  return (
    <>
      <h3>{heading}</h3>
      <ul className="notice-list">
        {notices.map((n) => (
          <li key={n.noticeId} className="notice">
            <h4>{n.title}</h4>
            {n.outageStart && n.outageEnd && <p>{t('notices.outage', { window: outageWindow(n.outageStart, n.outageEnd) })}</p>}
            <p className="notice-text">{n.text}</p>
            <p className="notice-meta">
              {t('notices.shown', { from: swedishDateTime(n.showFrom), until: swedishDateTime(n.showUntil) })} · {t('notices.publishedBy', { name: n.publishedBy, at: swedishDateTime(n.publishedAt) })}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
