import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { DateField } from './DateField';
import './date-field.css';

export interface DateTimeFieldProps {
  label: ReactNode;
  /** The form field that carries the value, ÅÅÅÅ-MM-DDTHH:MM (Swedish local time), as datetime-local would. */
  name: string;
  /** ÅÅÅÅ-MM-DDTHH:MM. */
  defaultValue?: string;
  required?: boolean;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** "830", "0830", "8.30" and "08:30" are all half past eight. */
export function normaliseTime(text: string): string {
  const t = text.trim().replace('.', ':');
  const digits = /^(\d{1,2}):?(\d{2})$/.exec(t);
  return digits ? `${digits[1]!.padStart(2, '0')}:${digits[2]}` : t;
}

/**
 * A date and a time of day in Swedish form: the shared DateField (ÅÅÅÅ-MM-DD, Swedish calendar) and
 * a 24-hour time typed as TT:MM. A native datetime-local would show "12/02/2026, 01:35 PM" and
 * English messages in an English browser. The form reads one field, `name`, as datetime-local's
 * value would be (ÅÅÅÅ-MM-DDTHH:MM).
 */
export function DateTimeField({ label, name, defaultValue = '', required }: DateTimeFieldProps) {
  const { t } = useTranslation();
  const id = useId();
  const [date, setDate] = useState(defaultValue.slice(0, 10));
  const [time, setTime] = useState(defaultValue.slice(11, 16));
  const [shown, setShown] = useState(false);
  const timeInput = useRef<HTMLInputElement>(null);
  const fieldset = useRef<HTMLFieldSetElement>(null);
  // A form reset (after a report is sent) puts the default back, as it would in a native field.
  useEffect(() => {
    const form = fieldset.current?.form;
    if (!form) return;
    const reset = () => {
      setDate(defaultValue.slice(0, 10));
      setTime(defaultValue.slice(11, 16));
      setShown(false);
    };
    form.addEventListener('reset', reset);
    return () => form.removeEventListener('reset', reset);
  }, [defaultValue]);
  const problem = time === '' ? (required ? t('dateTimeField.timeRequired') : null) : TIME.test(time) ? null : t('dateTimeField.timeFormat');
  useEffect(() => {
    timeInput.current?.setCustomValidity(problem ?? '');
  });
  return (
    <fieldset className="date-time-field" ref={fieldset}>
      <legend>{label}</legend>
      <DateField label={t('dateTimeField.date')} value={date} onChange={setDate} required={required} />
      <div className="field">
        <label htmlFor={`${id}-time`}>{t('dateTimeField.time')}</label>
        <input
          ref={timeInput}
          id={`${id}-time`}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          placeholder="TT:MM"
          maxLength={5}
          size={6}
          value={time}
          aria-invalid={shown && problem ? true : undefined}
          aria-describedby={shown && problem ? `${id}-time-error` : undefined}
          onChange={(e) => setTime(e.target.value)}
          onBlur={() => {
            const normal = normaliseTime(time);
            setTime(normal);
            setShown(normal !== '');
          }}
          onInvalid={(e) => {
            e.preventDefault(); // the Swedish message below says it
            setShown(true);
          }}
        />
        {shown && problem && (
          <p id={`${id}-time-error`} className="field-error">
            {problem}
          </p>
        )}
      </div>
      <input type="hidden" name={name} value={date && TIME.test(time) ? `${date}T${time}` : ''} />
    </fieldset>
  );
}
