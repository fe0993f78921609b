import { useEffect, useRef, useState } from 'react';
import { api } from '../../bridge';

/**
 * A message being written, saved to the encrypted store as the user types (half a second after
 * the last key), and read back when the composer opens again: after a lock, a crash or a restart.
 * `saved`: what is shown is what the store holds.
 */
export function useMessageDraft(key: string, unitId: string) {
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [stored, setStored] = useState<{ subject: string; text: string } | null>(null);
  const loaded = useRef<string | null>(null);
  useEffect(() => {
    loaded.current = null;
    void api.messages.draft({ key }).then((r) => {
      const d = r.ok && r.value ? r.value : { subject: '', text: '' };
      setSubject(d.subject);
      setText(d.text);
      setStored(r.ok && r.value ? d : null);
      loaded.current = key;
    });
  }, [key]);
  useEffect(() => {
    if (loaded.current !== key || !unitId || (!subject && !text)) return;
    const timer = setTimeout(() => {
      void api.messages.saveDraft({ key, unitId, subject, text }).then((r) => r.ok && setStored({ subject, text }));
    }, 500);
    return () => clearTimeout(timer);
  }, [key, unitId, subject, text]);
  const saved = stored !== null && stored.subject === subject && stored.text === text && (subject !== '' || text !== '');
  return {
    subject,
    setSubject,
    text,
    setText,
    saved,
    reset: () => {
      setSubject('');
      setText('');
      setStored(null);
    },
  };
}
