import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CONSENT_ANSWER_SV,
  CONSENT_FORM_SV,
  CONSENT_TOPIC_SV,
  ConsentAnswer,
  ConsentForm,
  ConsentTopic,
  swedishDate,
  swedishDateTime,
  type AppError,
  type ClientRecord,
} from '#contract';
import { DateField } from '../../components/DateField';
import { errorText } from '../../components/error-text';
import { onDataChanged } from '../../state/data-changed';
import { listConsents, recordConsent, withdrawConsent, type Consent } from './consents-actions';
import './consents.css';

/** A refusal in Swedish where it happened: the form's own check, the workstation's or the server's rule. */
function ConsentError({ error }: { error: AppError | null }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p role="alert" className="notice notice-error">
      {errorText(t, error, { serverMessage: true })}
    </p>
  );
}

/** A form's last part: its refusal, if any, the act and the way back (what was filled in stays). */
function FormEnd({ error, busy, submit, onCancel }: { error: AppError | null; busy: boolean; submit: string; onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <ConsentError error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {submit}
        </button>
        <button type="button" className="button-plain" onClick={onCancel}>
          {t('consents.cancel')}
        </button>
      </div>
    </>
  );
}

const rule = (message: string): AppError => ({ code: 'VALIDATION', message, origin: 'rule' });

/**
 * The client's consent register (samtycken, docs/consents.md): the consents recorded, the latest
 * first, each with its withdrawal when there is one; a form to record a new one, in which the
 * answer and how it was given have no default (the staff member chooses); and "Återkalla" on a
 * consent given. Everything is written to the encrypted store first and synced.
 */
export function ConsentsTab({ client }: { client: ClientRecord }) {
  const { t } = useTranslation();
  const [consents, setConsents] = useState<Consent[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [adding, setAdding] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      void listConsents(client.id).then((r) => {
        if (!live) return;
        if (r.ok) {
          setConsents(r.value);
          setError(null);
        } else setError(r.error);
      });
    load();
    const off = onDataChanged(['consent'], load);
    return () => {
      live = false;
      off();
    };
  }, [client.id]);

  const replace = (c: Consent) => setConsents((list) => [c, ...(list ?? []).filter((x) => x.id !== c.id)].sort((a, b) => (a.givenOn === b.givenOn ? b.createdAt.localeCompare(a.createdAt) : b.givenOn.localeCompare(a.givenOn))));

  return (
    <section aria-labelledby="consents-h" className="consents">
      <h3 id="consents-h">{t('consents.heading')}</h3>
      <p className="hint">{t('consents.intro')}</p>
      {done && (
        <p role="status" className="notice notice-ok">
          {done}
        </p>
      )}
      {adding ? (
        <ConsentFormView
          clientId={client.id}
          onCancel={() => setAdding(false)}
          onSaved={(c) => {
            replace(c);
            setAdding(false);
            setDone(t('consents.saved'));
          }}
        />
      ) : (
        <button type="button" onClick={() => (setDone(null), setAdding(true))}>
          {t('consents.add')}
        </button>
      )}
      {error && <ConsentError error={error} />}
      {!consents && !error && <p aria-live="polite">{t('consents.loading')}</p>}
      {consents && consents.length === 0 && <p>{t('consents.none')}</p>}
      {consents && consents.length > 0 && (
        <ul className="consent-list" aria-label={t('consents.heading')}>
          {consents.map((c) => (
            <ConsentItem key={c.id} consent={c} onWithdrawn={(next) => (setDone(null), replace(next))} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ConsentItem({ consent: c, onWithdrawn }: { consent: Consent; onWithdrawn: (c: Consent) => void }) {
  const { t } = useTranslation();
  const [withdrawing, setWithdrawing] = useState(false);
  const topic = c.topic === 'other' ? `${CONSENT_TOPIC_SV.other}: ${c.otherText ?? ''}` : CONSENT_TOPIC_SV[c.topic];
  return (
    <li className={`consent consent-${c.withdrawal ? 'withdrawn' : c.answer}`} aria-label={topic}>
      <p className="consent-head">
        <strong>{topic}</strong> <span className="consent-answer">{CONSENT_ANSWER_SV[c.answer]}</span>
        {c.pending && <span className="badge-pending"> {t('consents.pending')}</span>}
      </p>
      <p>{t('consents.givenOnLine', { form: CONSENT_FORM_SV[c.form], date: c.givenOn })}</p>
      {c.note && <p className="consent-note">{c.note}</p>}
      <p className="consent-meta">{t('consents.recordedBy', { name: c.author.name, title: c.author.title, at: swedishDateTime(c.createdAt) })}</p>
      {c.withdrawal && (
        <div className="consent-withdrawal">
          <p>
            <strong>{t('consents.withdrawn', { date: c.withdrawal.withdrawnOn })}</strong>
          </p>
          <p className="consent-meta">
            {t('consents.withdrawnBy', { name: c.withdrawal.by.name, title: c.withdrawal.by.title, at: swedishDateTime(c.withdrawal.at), reason: c.withdrawal.reason })}
          </p>
        </div>
      )}
      {c.answer === 'given' && !c.withdrawal && !withdrawing && (
        <button type="button" className="button-plain" onClick={() => setWithdrawing(true)}>
          {t('consents.withdraw')}
        </button>
      )}
      {withdrawing && (
        <WithdrawForm
          consent={c}
          onCancel={() => setWithdrawing(false)}
          onDone={(next) => {
            setWithdrawing(false);
            onWithdrawn(next);
          }}
        />
      )}
    </li>
  );
}

function WithdrawForm({ consent, onCancel, onDone }: { consent: Consent; onCancel: () => void; onDone: (c: Consent) => void }) {
  const { t } = useTranslation();
  const [withdrawnOn, setWithdrawnOn] = useState(() => swedishDate());
  const [reason, setReason] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!withdrawnOn) return setError(rule(t('consents.needDate')));
    if (!reason.trim()) return setError(rule(t('consents.needReason')));
    setBusy(true);
    const r = await withdrawConsent({ id: consent.id, withdrawnOn, reason });
    setBusy(false);
    if (r.ok) onDone(r.value);
    else setError(r.error);
  };
  return (
    <form className="consent-form" aria-label={t('consents.withdrawHeading')} onSubmit={(e) => void submit(e)} noValidate>
      <h4>{t('consents.withdrawHeading')}</h4>
      <DateField label={t('consents.withdrawnOn')} value={withdrawnOn} onChange={setWithdrawnOn} required min={consent.givenOn} max={swedishDate()} />
      <div className="field">
        <label htmlFor={`withdraw-reason-${consent.id}`}>{t('consents.reason')}</label>
        <textarea id={`withdraw-reason-${consent.id}`} rows={2} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <FormEnd error={error} busy={busy} submit={t('consents.withdrawConfirm')} onCancel={onCancel} />
    </form>
  );
}

function ConsentFormView({ clientId, onCancel, onSaved }: { clientId: string; onCancel: () => void; onSaved: (c: Consent) => void }) {
  const { t } = useTranslation();
  // Controlled, so a refusal loses nothing the user filled in.
  const [topic, setTopic] = useState('');
  const [otherText, setOtherText] = useState('');
  const [answer, setAnswer] = useState('');
  const [form, setForm] = useState('');
  const [givenOn, setGivenOn] = useState(() => swedishDate());
  const [note, setNote] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const chosenTopic = ConsentTopic.safeParse(topic);
    if (!chosenTopic.success) return setError(rule(t('consents.needTopic')));
    if (chosenTopic.data === 'other' && !otherText.trim()) return setError(rule(t('consents.needOtherText')));
    const chosenAnswer = ConsentAnswer.safeParse(answer);
    if (!chosenAnswer.success) return setError(rule(t('consents.needAnswer')));
    const chosenForm = ConsentForm.safeParse(form);
    if (!chosenForm.success) return setError(rule(t('consents.needForm')));
    if (!givenOn) return setError(rule(t('consents.needDate')));
    setBusy(true);
    const r = await recordConsent({
      clientId,
      topic: chosenTopic.data,
      otherText: chosenTopic.data === 'other' ? otherText : null,
      answer: chosenAnswer.data,
      form: chosenForm.data,
      givenOn,
      note: note.trim() ? note : null,
    });
    setBusy(false);
    if (r.ok) onSaved(r.value);
    else setError(r.error);
  };

  return (
    <form className="consent-form" aria-labelledby="consent-form-h" onSubmit={(e) => void submit(e)} noValidate>
      <h4 id="consent-form-h">{t('consents.formHeading')}</h4>
      <div className="field">
        <label htmlFor="consent-topic">{t('consents.topic')}</label>
        <select id="consent-topic" value={topic} onChange={(e) => setTopic(e.target.value)}>
          <option value="">{t('consents.chooseTopic')}</option>
          {ConsentTopic.options.map((o) => (
            <option key={o} value={o}>
              {CONSENT_TOPIC_SV[o]}
            </option>
          ))}
        </select>
      </div>
      {topic === 'other' && (
        <div className="field">
          <label htmlFor="consent-other">{t('consents.otherText')}</label>
          <input id="consent-other" maxLength={300} value={otherText} onChange={(e) => setOtherText(e.target.value)} />
        </div>
      )}
      <fieldset className="field">
        <legend>{t('consents.answer')}</legend>
        {ConsentAnswer.options.map((o) => (
          <label key={o} className="choice">
            <input type="radio" name="consent-answer" value={o} checked={answer === o} onChange={() => setAnswer(o)} /> {CONSENT_ANSWER_SV[o]}
          </label>
        ))}
      </fieldset>
      <fieldset className="field">
        <legend>{t('consents.form')}</legend>
        {ConsentForm.options.map((o) => (
          <label key={o} className="choice">
            <input type="radio" name="consent-form" value={o} checked={form === o} onChange={() => setForm(o)} /> {CONSENT_FORM_SV[o]}
          </label>
        ))}
      </fieldset>
      <DateField label={t('consents.givenOn')} value={givenOn} onChange={setGivenOn} required max={swedishDate()} />
      <div className="field">
        <label htmlFor="consent-note">{t('consents.note')}</label>
        <textarea id="consent-note" rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      <FormEnd error={error} busy={busy} submit={t('consents.save')} onCancel={onCancel} />
    </form>
  );
}
