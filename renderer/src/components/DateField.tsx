import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { DayPicker } from 'react-day-picker';
import { sv as svCalendar } from 'react-day-picker/locale';
import { useTranslation } from 'react-i18next';
import { dateProblem, formatDate, normaliseDate, parseDate, type DateProblem } from './date-input';
import 'react-day-picker/style.css';
import './date-field.css';

export interface DateFieldProps {
  label: ReactNode;
  /** Controlled: the date as ÅÅÅÅ-MM-DD, or ''. */
  value?: string;
  /** Called with '' or a date within the bounds only: a half-typed or wrong date stays in the field. */
  onChange?(value: string): void;
  /** Uncontrolled (a form read with FormData): the field's name and first value. */
  name?: string;
  defaultValue?: string;
  required?: boolean;
  /** ÅÅÅÅ-MM-DD bounds, inclusive. */
  min?: string | undefined;
  max?: string | undefined;
  id?: string;
  className?: string;
  /** Shown but not editable (a form waiting for its confirmation). */
  disabled?: boolean;
}

/**
 * Every date in the workstation: typed as ÅÅÅÅ-MM-DD (eight digits are read the same) or chosen in a
 * Swedish calendar (Monday first, week numbers, Swedish month names: react-day-picker with its sv
 * locale). A native date input would show mm/dd/yyyy and English bubbles in an English browser.
 * Problems are said in Swedish beside the field; the browser's own bubble is suppressed, while the
 * field stays invalid (setCustomValidity) so a form is not submitted with a bad date.
 */
export function DateField({ label, value, onChange, name, defaultValue, required, min, max, id, className, disabled }: DateFieldProps) {
  const { t } = useTranslation();
  const auto = useId();
  const inputId = id ?? `${auto}-date`;
  const [text, setText] = useState(value ?? defaultValue ?? '');
  const [shown, setShown] = useState<DateProblem | null>(null);
  const [open, setOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  // A controlled value changed from outside (a draft restored, a filter reset): show it.
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    if (value !== undefined) setText(value);
  }

  const problem = dateProblem(text, { required, min, max });
  const message = (p: DateProblem) => t(`dateField.${p.kind}`, p);
  useEffect(() => {
    input.current?.setCustomValidity(problem ? message(problem) : '');
  });

  const set = (next: string) => {
    setText(next);
    if (!dateProblem(next, { min, max })) onChange?.(next);
    if (shown) setShown(dateProblem(next, { required, min, max }));
  };

  // Close the calendar on Escape or a click outside it.
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (!wrapper.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  const selected = parseDate(text) ?? undefined;
  const [minDate, maxDate] = [min ? parseDate(min) : null, max ? parseDate(max) : null];
  const bounds = [...(minDate ? [{ before: minDate }] : []), ...(maxDate ? [{ after: maxDate }] : [])];
  const errorId = `${inputId}-error`;
  return (
    <div
      className={`field date-field${className ? ` ${className}` : ''}`}
      ref={wrapper}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          input.current?.focus();
        }
      }}
    >
      <label htmlFor={inputId}>{label}</label>
      <div className="date-field-row">
        <input
          ref={input}
          id={inputId}
          name={name}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          placeholder="ÅÅÅÅ-MM-DD"
          maxLength={10}
          size={11}
          value={text}
          disabled={disabled}
          aria-invalid={shown ? true : undefined}
          aria-describedby={shown ? errorId : `${inputId}-format`}
          onChange={(e) => set(e.target.value)}
          onBlur={() => {
            const normal = normaliseDate(text);
            if (normal !== text) set(normal);
            // Said on leaving the field, not while typing (a half-typed date is not yet wrong).
            if (normal !== '') setShown(dateProblem(normal, { required, min, max }));
          }}
          onInvalid={(e) => {
            e.preventDefault(); // no browser bubble: the Swedish message below says it
            setShown(problem);
          }}
        />
        <button type="button" className="date-field-open" disabled={disabled} aria-expanded={open} aria-controls={open ? `${inputId}-calendar` : undefined} onClick={() => setOpen(!open)}>
          <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
            <rect x="3" y="5" width="18" height="16" rx="2" />
            <path d="M3 10h18M8 3v4M16 3v4" />
          </svg>
          <span className="visually-hidden">{t('dateField.openCalendar')}</span>
        </button>
      </div>
      <span id={`${inputId}-format`} className="visually-hidden">
        {t('dateField.hint')}
      </span>
      {shown && (
        <p id={errorId} className="field-error">
          {message(shown)}
        </p>
      )}
      {open && (
        <div className="date-field-popover" id={`${inputId}-calendar`} role="dialog" aria-label={t('dateField.calendar')}>
          <DayPicker
            mode="single"
            locale={svCalendar}
            showWeekNumber
            ISOWeek
            autoFocus
            captionLayout="dropdown"
            startMonth={new Date(1900, 0)}
            endMonth={new Date(2100, 11)}
            selected={selected}
            defaultMonth={selected ?? maxDate ?? undefined}
            disabled={bounds}
            onSelect={(d) => {
              if (d) set(formatDate(d));
              setShown(null);
              setOpen(false);
              input.current?.focus();
            }}
          />
        </div>
      )}
    </div>
  );
}
